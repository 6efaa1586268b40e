/**
 * Registry edit: open a Windows guest, read a few values from its SOFTWARE
 * and SYSTEM hives, then change them the two ways vmcraft offers — a batch of
 * typed edits (registryWrite) and a .reg text merge (registryMerge). Each
 * commit backs the hive up beside itself first; the example prints the backup
 * paths and reads everything back.
 *
 *   npx tsx examples/registry-edit.ts <image> [new computer name]
 */
import { GuestFS, type RegValue } from '../src/index.js';

/** A value as `data (TYPE)`, lists joined with `;`, QWORDs in decimal. */
const show = (v: RegValue) => `${Array.isArray(v.data) ? v.data.join(';') : Buffer.isBuffer(v.data) ? v.data.toString('hex') : String(v.data)} (${v.type})`;

const COMPUTER_NAME = '\\CurrentControlSet\\Control\\ComputerName\\ComputerName';
const SERVICE = '\\CurrentControlSet\\Services\\vmcraft-agent';

async function main(): Promise<void> {
  const [image, newName = 'WIN-KVM01'] = process.argv.slice(2);
  if (!image) throw new Error('usage: registry-edit.ts <image> [new computer name]');
  await GuestFS.with(image, {}, async (g) => {
    const [root] = await g.inspectOs();
    if (!root) throw new Error('no operating system found');
    const os = g.inspectOsInfo(root);
    if (os.type !== 'windows') throw new Error(`${root} is ${os.type}, not Windows`);
    await g.mountRoot(root);

    // Hives are files in the guest: find them the way Windows names them (case does not matter).
    const software = await g.windowsPath('C:\\Windows\\System32\\config\\SOFTWARE');
    const system = await g.windowsPath('C:\\Windows\\System32\\config\\SYSTEM');
    console.log(`SOFTWARE hive: ${software}`);
    console.log(`SYSTEM hive:   ${system}`);

    // Read: typed values, and a key's values and subkeys.
    const cv = '\\Microsoft\\Windows NT\\CurrentVersion';
    for (const name of ['ProductName', 'CurrentBuildNumber', 'InstallTime']) console.log(`  ${name} = ${show(await g.registryRead(software, cv, name))}`);
    console.log(`  ComputerName = ${show(await g.registryRead(system, COMPUTER_NAME, 'ComputerName'))} (in ${os.windows?.currentControlSet})`);
    console.log(`  uninstall entries: ${(await g.registryKeys(software, '\\Microsoft\\Windows\\CurrentVersion\\Uninstall')).subkeys.join(', ')}`);

    // Write 1: a batch of typed edits, committed once (\CurrentControlSet is resolved to the control set in use).
    const written = await g.registryWrite(system, [
      { op: 'setValue', key: COMPUTER_NAME, name: 'ComputerName', typeId: 1, data: newName },
      { op: 'createKey', key: SERVICE },
      { op: 'setValue', key: SERVICE, name: 'Start', typeId: 4, data: 2 },
      { op: 'setValue', key: SERVICE, name: 'ImagePath', typeId: 2, data: '%SystemRoot%\\vmcraft\\agent.exe' },
      { op: 'setValue', key: SERVICE, name: 'DependOnService', typeId: 7, data: ['Tcpip', 'Dnscache'] },
    ]);
    console.log(`registryWrite SYSTEM: backup ${written.backup}`);

    // Write 2: .reg text (hivexregedit's format: key paths relative to the hive root).
    const merged = await g.registryMerge(software, [
      'Windows Registry Editor Version 5.00',
      '',
      '[\\Vmcraft]',
      '',
      '[\\Vmcraft\\Example]',
      '"Owner"="ops@example.com"',
      '"Retries"=dword:00000005',
      '',
    ].join('\n'));
    console.log(`registryMerge SOFTWARE: backup ${merged.backup}`);

    // Read back.
    console.log('read back:');
    console.log(`  ComputerName = ${show(await g.registryRead(system, COMPUTER_NAME, 'ComputerName'))}`);
    for (const v of (await g.registryKeys(system, SERVICE)).values) console.log(`  ${SERVICE}\\${v.name} = ${show(v)}`);
    for (const v of (await g.registryKeys(software, '\\Vmcraft\\Example')).values) console.log(`  \\Vmcraft\\Example\\${v.name} = ${show(v)}`);
    console.log(`  backups in the guest: ${(await g.ls(system.slice(0, system.lastIndexOf('/')))).filter((f) => f.endsWith('.bak')).length}`);
  });
}

main().catch((err) => {
  console.error(`registry-edit: ${err.code ?? 'ERROR'}: ${err.message}`);
  process.exit(1);
});
