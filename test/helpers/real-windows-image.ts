/**
 * A Windows 8.1 system volume made of the real hives of a Windows 8.1
 * installation (test/fixtures/real-hives.ts): NTFS, at the byte offset and
 * on an MBR disk with the disk signature that the hive's MountedDevices gives
 * for C:, so the drive mapping can be checked too.
 */
import { copyFile, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../src/core/exec.js';
import { buildDiskImage } from '../../src/sample/disk-builder.js';
import type { RealHives } from '../fixtures/real-hives.js';

/** The Windows 8.1 SYSTEM hive maps C: to MBR disk 0xd1cecf67, partition at byte 0x15f00000 (351 MiB). */
export const MBR_SIGNATURE = 0xd1cecf67;
const C_OFFSET_MIB = 0x15f00000 / (1024 * 1024);

/** Guest paths of the hives on the built volume. */
export const GUEST = {
  SYSTEM: '/Windows/System32/config/SYSTEM',
  SOFTWARE: '/Windows/System32/config/SOFTWARE',
  SAM: '/Windows/System32/config/SAM',
  SECURITY: '/Windows/System32/config/SECURITY',
  'NTUSER.DAT': '/Users/bperry/NTUSER.DAT',
  'UsrClass.dat': '/Users/bperry/AppData/Local/Microsoft/Windows/UsrClass.dat',
  'SYSTEM.DAT': '/WIN98/SYSTEM.DAT',
  special: '/hivex/special',
} as const;

/** Builds the image (raw, MBR: a 350 MiB ext2 spacer, then the NTFS volume as partition 2). */
export async function buildRealWindowsImage(dir: string, image: string, hives: RealHives): Promise<void> {
  const tree = path.join(dir, 'real-tree');
  const spacer = path.join(dir, 'spacer-tree');
  await mkdir(spacer, { recursive: true });
  for (const [name, guest] of Object.entries(GUEST)) {
    const target = path.join(tree, guest);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(hives[name]!, target);
  }
  await mkdir(path.join(tree, 'Program Files'), { recursive: true });
  await buildDiskImage({
    table: 'dos', format: 'raw', output: image,
    partitions: [{ sizeMiB: C_OFFSET_MIB - 1, fs: 'ext2', tree: spacer }, { sizeMiB: 200, fs: 'ntfs', tree, label: 'Windows' }],
  }, new Runner());
  const handle = await open(image, 'r+');
  try {
    const signature = Buffer.alloc(4);
    signature.writeUInt32LE(MBR_SIGNATURE);
    await handle.write(signature, 0, 4, 440);
  } finally {
    await handle.close();
  }
}
