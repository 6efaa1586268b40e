#!/usr/bin/env node
/**
 * The vmcraft command. For now: `vmcraft inspect IMAGE… [--json]`, a read-only
 * look at the operating systems in disk images (like virt-inspector).
 */
import { Command } from 'commander';
import { GuestFS } from '../guestfs.js';
import { isVmcraftError } from '../core/errors.js';
import type { OsInfo } from '../inspect/types.js';

function printHuman(info: OsInfo[]): void {
  if (info.length === 0) console.log('no operating system found');
  for (const os of info) {
    console.log(`${os.root}: ${os.productName}`);
    console.log(`  type ${os.type}, distro ${os.distro} ${os.majorVersion}.${os.minorVersion}, arch ${os.arch}, osinfo ${os.osinfo}`);
    console.log(`  hostname ${os.hostname}, packages ${os.packageFormat} (${os.packageManagement})`);
    for (const m of os.mountpoints) console.log(`  ${m.mountpoint.padEnd(12)} ${m.device}`);
  }
}

const program = new Command('vmcraft').description('open VM disk images and inspect what is inside').showHelpAfterError();

program
  .command('inspect')
  .description('inspect the operating systems in disk images (read-only)')
  .argument('<images...>', 'disk images (drives of one VM, in order)')
  .option('--json', 'print JSON')
  .action(async (images: string[], opts: { json?: boolean }) => {
    const info = await GuestFS.with(images, { readonly: true }, async (g) => {
      const roots = await g.inspectOs();
      return roots.map((r) => g.inspectOsInfo(r));
    });
    if (opts.json) console.log(JSON.stringify(info, null, 2));
    else printHuman(info);
  });

program.parseAsync().catch((err: unknown) => {
  const code = isVmcraftError(err) ? err.code : 'ERROR';
  console.error(`vmcraft: ${code}: ${(err as Error).message}`);
  process.exit(isVmcraftError(err, 'EINVAL') ? 2 : 1);
});
