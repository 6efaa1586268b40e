/** A small Windows system volume for tests: NTFS, real hives (built with hivex) of Windows Server 2019. */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { writeEmptyHive } from '../../src/index.js';
import { Runner } from '../../src/core/exec.js';
import { buildDiskImage } from '../../src/sample/disk-builder.js';

const SOFTWARE_REG = `Windows Registry Editor Version 5.00

[\\Microsoft]

[\\Microsoft\\Windows NT]

[\\Microsoft\\Windows NT\\CurrentVersion]
"ProductName"="Windows Server 2019 Standard"
"EditionID"="ServerStandard"
"InstallationType"="Server"
"CurrentVersion"="6.3"
"CurrentBuildNumber"="17763"
"CurrentMajorVersionNumber"=dword:0000000a
"CurrentMinorVersionNumber"=dword:00000000
"SystemRoot"=hex(2):43,00,3a,00,5c,00,57,00,69,00,6e,00,64,00,6f,00,77,00,73,00,00,00
"Paths"=hex(7):61,00,00,00,62,00,63,00,00,00,00,00
"InstallTime"=hex(b):00,10,a5,d4,e8,00,00,00
"DigitalProductId"=hex:a4,00,00,00,03,00
"Odd"=hex(1234):01,02

[\\Microsoft\\Windows]

[\\Microsoft\\Windows\\CurrentVersion]

[\\Microsoft\\Windows\\CurrentVersion\\Uninstall]

[\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip]
"DisplayName"="7-Zip 23.01 (x64)"
"DisplayVersion"="23.01"
"Publisher"="Igor Pavlov"

[\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\KB5005112]
"ParentKeyName"="OperatingSystem"

[\\WOW6432Node]

[\\WOW6432Node\\Microsoft]

[\\WOW6432Node\\Microsoft\\Windows]

[\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion]

[\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall]

[\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Notepad++]
"DisplayName"="Notepad++ (32-bit x86)"
"DisplayVersion"="8.6.2"
"Publisher"="Notepad++ Team"
"InstallDate"="20240115"
`;

const SYSTEM_REG = `Windows Registry Editor Version 5.00

[\\MountedDevices]
"\\\\DosDevices\\\\C:"=hex(3):44,4d,49,4f,3a,49,44,3a,d4,c3,b2,a1,f6,e5,89,47,9a,bc,de,f0,12,34,56,78
"\\\\DosDevices\\\\D:"=hex(3):78,56,34,12,00,00,10,00,00,00,00,00

[\\Select]
"Current"=dword:00000002
"Default"=dword:00000002

[\\ControlSet001]

[\\ControlSet001\\Control]

[\\ControlSet001\\Control\\ComputerName]

[\\ControlSet001\\Control\\ComputerName\\ComputerName]
"ComputerName"="OLD-NAME"

[\\ControlSet001\\Services]

[\\ControlSet001\\Services\\Tcpip]

[\\ControlSet001\\Services\\Tcpip\\Parameters]
"Hostname"="old-name"

[\\ControlSet002]

[\\ControlSet002\\Control]

[\\ControlSet002\\Control\\ComputerName]

[\\ControlSet002\\Control\\ComputerName\\ComputerName]
"ComputerName"="WIN-SRV01"

[\\ControlSet002\\Control\\Session Manager]

[\\ControlSet002\\Control\\Session Manager\\Environment]
"PROCESSOR_ARCHITECTURE"="AMD64"

[\\ControlSet002\\Services]

[\\ControlSet002\\Services\\Tcpip]
"Start"=dword:00000001

[\\ControlSet002\\Services\\Tcpip\\Parameters]
"Hostname"="win-srv01"
`;

/** Writes a hive file holding what `reg` (hivexregedit's .reg text) says, merged into an empty hive. */
export async function writeHive(file: string, reg: string): Promise<void> {
  await writeEmptyHive(file);
  await writeFile(`${file}.reg`, reg);
  await execa('hivexregedit', ['--merge', file, `${file}.reg`]);
  await execa('rm', [`${file}.reg`]);
}

/** GPT GUID of the Windows partition (MountedDevices maps C: to it). */
export const WINDOWS_PARTUUID = 'A1B2C3D4-E5F6-4789-9ABC-DEF012345678';

/**
 * Builds the volume as a GPT raw image at `image` (its tree under `dir/tree`);
 * `alter` may change the tree (its root is the argument) before the image is made.
 */
export async function buildWindowsImage(dir: string, image: string, alter?: (tree: string) => Promise<void>): Promise<void> {
  const tree = path.join(dir, 'tree');
  const config = path.join(tree, 'Windows/System32/config');
  await mkdir(config, { recursive: true });
  await mkdir(path.join(tree, 'Program Files'), { recursive: true });
  await mkdir(path.join(tree, 'Windows/System32/drivers'), { recursive: true });
  await mkdir(path.join(tree, 'Windows/System32/DriverStore/FileRepository'), { recursive: true });
  await writeHive(path.join(config, 'SOFTWARE'), SOFTWARE_REG);
  await writeHive(path.join(config, 'SYSTEM'), SYSTEM_REG);
  await writeFile(path.join(config, 'BROKEN'), 'regf but not really a hive');
  await alter?.(tree);
  await buildDiskImage({ table: 'gpt', format: 'raw', output: image, partitions: [{ sizeMiB: 64, fs: 'ntfs', tree, label: 'Windows', partUuid: WINDOWS_PARTUUID }] }, new Runner());
}

/**
 * A virtio-win style tree under `dir/virtio-win`: for each driver, `DRIVER/2k19/amd64` with the real
 * .inf from test/fixtures/virtio and stand-in .sys and .cat files. Returns the tree's path.
 */
export async function buildVirtioTree(dir: string, drivers: string[] = ['viostor', 'netkvm']): Promise<string> {
  const tree = path.join(dir, 'virtio-win');
  for (const d of drivers) {
    const target = path.join(tree, d, '2k19', 'amd64');
    await mkdir(target, { recursive: true });
    await copyFile(path.join(import.meta.dirname, '../fixtures/virtio', `${d}.inf`), path.join(target, `${d}.inf`));
    await writeFile(path.join(target, `${d}.sys`), `MZ fake ${d} driver`);
    await writeFile(path.join(target, `${d}.cat`), `fake ${d} catalog`);
  }
  return tree;
}
