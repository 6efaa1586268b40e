/**
 * Cloud-image customisation: prepare a copy of a Linux image for its first
 * boot — sysprep (no machine-id, SSH host keys or logs from the template),
 * then hostname, timezone, an SSH key for root and a first-boot script.
 *
 *   npx tsx examples/customize-cloud-image.ts <image> <ssh public key file>
 */
import { readFile } from 'node:fs/promises';
import { GuestFS } from '../src/index.js';

async function main(): Promise<void> {
  const [image, keyFile] = process.argv.slice(2);
  if (!image || !keyFile) throw new Error('usage: customize-cloud-image.ts <image> <ssh public key file>');
  await GuestFS.with(image, {}, async (g) => {
    const [root] = await g.inspectOs();
    if (!root) throw new Error('no operating system found');
    await g.mountRoot(root);
    // sysprep first: its defaults remove users' ~/.ssh (virt-sysprep runs its customize options last, for the same reason).
    const report = await g.sysprep();
    console.log(`sysprep: removed ${report.removed.length}, emptied ${report.emptied.length}`);
    console.log(`hostname: ${(await g.setHostname('web01.example.com')) ? 'set' : 'unchanged'}`);
    console.log(`timezone: ${(await g.setTimezone('Europe/Paris')) ? 'set' : 'unchanged'}`);
    console.log(`root ssh key: ${(await g.injectSshKey('root', (await readFile(keyFile, 'utf8')).trim())) ? 'added' : 'already there'}`);
    console.log(`first boot: ${await g.runFirstBoot('systemctl enable --now ssh 2>/dev/null || true', 'enable-ssh')}`);
    console.log(`guest says: ${(await g.sh('cat /etc/hostname; readlink /etc/localtime')).trim().replace('\n', ', ')}`);
  });
}

main().catch((err) => {
  console.error(`customize: ${err.code ?? 'ERROR'}: ${err.message}`);
  process.exit(1);
});
