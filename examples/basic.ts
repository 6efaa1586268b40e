/**
 * The main job on an embedded default: open a disk image read-only, inspect
 * the installed OS, mount it and print a few files. With no argument it builds
 * the sample guest first.
 *
 *   npx tsx examples/basic.ts [image]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GuestFS, buildSampleImage } from '../src/index.js';

async function main(): Promise<void> {
  let image = process.argv[2];
  let scratch: string | undefined;
  if (!image) {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-demo-'));
    image = path.join(scratch, 'sample.qcow2');
    console.log(`No image given: building the sample guest at ${image}`);
    await buildSampleImage(image);
  }
  try {
    await GuestFS.with(image, { readonly: true }, async (g) => {
      console.log(`Devices:      ${g.listDevices().join(' ')}`);
      for (const fs of g.listFilesystems()) console.log(`Filesystem:   ${fs.device} ${fs.vfsType} ${g.vfsLabel(fs.device)}`);
      const roots = await g.inspectOs();
      if (roots.length === 0) {
        console.log('No operating system found.');
        return;
      }
      for (const root of roots) {
        const os = g.inspectOsInfo(root);
        console.log(`\nRoot ${root}: ${os.prettyName ?? os.productName} (${os.distro} ${os.majorVersion}.${os.minorVersion}, ${os.arch})`);
        console.log(`  hostname ${os.hostname}, packages ${os.packageFormat}/${os.packageManagement}, osinfo ${os.osinfo}`);
        for (const m of os.mountpoints) console.log(`  mount ${m.mountpoint.padEnd(8)} ${m.device}`);
      }
      await g.mountRoot(roots[0]!);
      for (const file of ['/etc/hostname', '/etc/os-release', '/etc/fstab']) {
        if (await g.isFile(file, { followSymlinks: true })) console.log(`\n--- ${file}\n${(await g.cat(file)).trimEnd()}`);
      }
      console.log(`\n/boot: ${(await g.ls('/boot')).join(' ')}`);
      const t = g.metrics();
      console.log(`\nlaunch ${t.launch?.totalMs} ms, inspect ${t.inspect?.totalMs} ms`);
    });
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`vmcraft: ${err.code ?? 'ERROR'}: ${err.message}`);
  process.exit(1);
});
