/**
 * Make a Windows guest boot on KVM: inspect it, read a registry value, then
 * inject the VirtIO storage and network drivers from a virtio-win tree (the
 * content of the virtio-win ISO), first as a dry run, then for real.
 *
 *   npx tsx examples/windows-virtio.ts <image> <virtio-win dir>
 */
import { GuestFS } from '../src/index.js';

async function main(): Promise<void> {
  const [image, virtioWin] = process.argv.slice(2);
  if (!image || !virtioWin) throw new Error('usage: windows-virtio.ts <image> <virtio-win dir>');
  await GuestFS.with(image, {}, async (g) => {
    const [root] = await g.inspectOs();
    if (!root) throw new Error('no operating system found');
    const os = g.inspectOsInfo(root);
    console.log(`${os.productName} (${os.osinfo}, ${os.arch}), hostname ${os.hostname}, drives ${os.windows?.drives.map((d) => d.drive).join(' ')}`);
    await g.mountRoot(root);
    const hive = await g.windowsPath('C:\\Windows\\System32\\config\\SYSTEM');
    const start = await g.registryRead(hive, '\\CurrentControlSet\\Services\\Tcpip', 'Start').catch(() => undefined);
    console.log(`Tcpip Start: ${start?.data ?? 'not set'}`);
    const dry = await g.injectVirtioDrivers(virtioWin, { dryRun: true });
    for (const d of dry.plan.drivers) console.log(`would inject ${d.driver} from ${d.source}`);
    for (const n of dry.plan.notes) console.log(`note: ${n}`);
    const done = await g.injectVirtioDrivers(virtioWin);
    console.log(`injected: ${done.filesCopied.length} files, SYSTEM backup ${done.hiveBackup ?? '(none)'}`);
  });
}

main().catch((err) => {
  console.error(`windows-virtio: ${err.code ?? 'ERROR'}: ${err.message}`);
  process.exit(1);
});
