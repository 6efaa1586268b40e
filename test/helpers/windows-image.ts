/** A small Windows system volume for tests: NTFS, real hives (built with hivex) of Windows Server 2019. */
import { mkdir, writeFile } from 'node:fs/promises';
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
`;

const SYSTEM_REG = `Windows Registry Editor Version 5.00

[\\Select]
"Current"=dword:00000002
"Default"=dword:00000002

[\\ControlSet001]

[\\ControlSet001\\Control]

[\\ControlSet001\\Control\\ComputerName]

[\\ControlSet001\\Control\\ComputerName\\ComputerName]
"ComputerName"="OLD-NAME"

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
`;

async function hive(file: string, reg: string): Promise<void> {
  await writeEmptyHive(file);
  await writeFile(`${file}.reg`, reg);
  await execa('hivexregedit', ['--merge', file, `${file}.reg`]);
  await execa('rm', [`${file}.reg`]);
}

/** Builds the volume as a GPT raw image at `image` (its tree under `dir/tree`). */
export async function buildWindowsImage(dir: string, image: string): Promise<void> {
  const tree = path.join(dir, 'tree');
  const config = path.join(tree, 'Windows/System32/config');
  await mkdir(config, { recursive: true });
  await mkdir(path.join(tree, 'Program Files'), { recursive: true });
  await mkdir(path.join(tree, 'Windows/System32/drivers'), { recursive: true });
  await mkdir(path.join(tree, 'Windows/System32/DriverStore/FileRepository'), { recursive: true });
  await hive(path.join(config, 'SOFTWARE'), SOFTWARE_REG);
  await hive(path.join(config, 'SYSTEM'), SYSTEM_REG);
  await writeFile(path.join(config, 'BROKEN'), 'regf but not really a hive');
  await buildDiskImage({ table: 'gpt', format: 'raw', output: image, partitions: [{ sizeMiB: 64, fs: 'ntfs', tree, label: 'Windows' }] }, new Runner());
}
