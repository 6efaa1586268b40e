import path from 'node:path';
import { open, readFile, truncate, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, isVmcraftError } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { probeHost } from '../../../src/core/probe.js';
import { VM_MODE_HINT } from '../../../src/storage/kernel.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
const run = new Runner();
const host = await probeHost();

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('kernel-features'));
});
afterEach(async () => expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT));
afterAll(async () => remove());

async function blankImage(name: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, '');
  await truncate(file, 16 * 1024 * 1024);
  return file;
}

/**
 * A whole-disk PV of VG `accvg` with one LV `root`. pvcreate and vgcreate only
 * write metadata; lvcreate needs device-mapper, so the LV is added by
 * restoring the VG's metadata with an LV section (vgcfgrestore writes metadata only).
 */
async function lvmImage(): Promise<string> {
  const file = await blankImage('lvm.raw');
  const loop = (await run.run('losetup', ['-f', '--show', file])).stdout.trim();
  try {
    const config = ['--config', `devices { filter=["a|^${loop}$|","r|.*|"] obtain_device_list_from_udev=0 use_devicesfile=0 } backup { backup=0 archive=0 }`];
    const env = { LVM_SUPPRESS_FD_WARNINGS: '1' };
    const backup = path.join(dir, 'accvg.vg');
    await run.run('lvm', ['pvcreate', '-q', ...config, loop], { env });
    await run.run('lvm', ['vgcreate', '-q', ...config, 'accvg', loop], { env });
    await run.run('lvm', ['vgcfgbackup', '-q', ...config, '-f', backup, 'accvg'], { env });
    const lv = 'logical_volumes { root { id = "aaaaaa-bbbb-cccc-dddd-eeee-ffff-gggggg" status = ["READ", "WRITE", "VISIBLE"] flags = [] segment_count = 1 '
      + 'segment1 { start_extent = 0 extent_count = 1 type = "striped" stripe_count = 1 stripes = ["pv0", 0] } } }';
    const metadata = await readFile(backup, 'utf8');
    const vgEnd = metadata.lastIndexOf('}');
    await writeFile(backup, `${metadata.slice(0, vgEnd)}\n${lv}\n}\n`);
    await run.run('lvm', ['vgcfgrestore', '-q', ...config, '-f', backup, 'accvg'], { env });
  } finally {
    await run.run('losetup', ['-d', loop]);
  }
  return file;
}

async function luksImage(): Promise<string> {
  const file = await blankImage('luks.raw');
  await run.run('cryptsetup', ['luksFormat', '-q', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file=-', file], { input: 'secret' });
  return file;
}

/**
 * One member of a one-disk RAID1 array named `host:accmd`: mdadm --create
 * needs the md driver, so the v1.2 superblock (4 KiB in) is written by hand,
 * its checksum as mdadm's calc_sb_1_csum computes it.
 */
async function mdImage(): Promise<string> {
  const file = await blankImage('md.raw');
  const sb = Buffer.alloc(256 + 2);
  sb.writeUInt32LE(0xa92b4efc, 0); // magic
  sb.writeUInt32LE(1, 4); // major version
  for (let i = 0; i < 16; i++) sb[16 + i] = i + 1; // set uuid
  sb.write('host:accmd', 32, 'latin1'); // set name
  sb.writeUInt32LE(1, 72); // level: raid1
  sb.writeBigUInt64LE(16384n, 80); // size
  sb.writeUInt32LE(1, 92); // raid disks
  sb.writeBigUInt64LE(2048n, 128); // data offset
  sb.writeBigUInt64LE(16384n, 136); // data size
  sb.writeBigUInt64LE(8n, 144); // superblock offset
  for (let i = 0; i < 16; i++) sb[168 + i] = i + 17; // device uuid
  sb.writeBigUInt64LE(1n, 200); // events
  sb.writeBigUInt64LE(0xffffffffffffffffn, 208); // resync offset: clean
  sb.writeUInt32LE(1, 220); // max dev; dev_roles[0] = 0
  let sum = 0n;
  for (let at = 0; at + 4 <= sb.length; at += 4) sum += BigInt(sb.readUInt32LE(at));
  sum += BigInt(sb.readUInt16LE(sb.length - 2));
  sb.writeUInt32LE(Number(((sum & 0xffffffffn) + (sum >> 32n)) & 0xffffffffn), 216);
  const handle = await open(file, 'r+');
  try {
    await handle.write(sb, 0, sb.length, 4096);
  } finally {
    await handle.close();
  }
  return file;
}

async function launchError(image: string, keys: string[] = []): Promise<{ code: string; feature?: string; message: string }> {
  // Host mode: these are the host path's own refusals (auto would move the session to a VM).
  const g = new GuestFS({ tmpDir: dir, readonly: true, keys, mode: 'host' });
  g.addDrive(image, { format: 'raw' });
  try {
    await g.launch();
  } catch (err) {
    expect(g.resources()).toEqual([]);
    if (!isVmcraftError(err)) throw err;
    return { code: err.code, message: err.message, ...(err.feature ? { feature: err.feature } : {}) };
  }
  await g.close();
  return { code: 'launched', message: '' };
}

describe.skipIf(host.kernel.deviceMapper)('a host kernel without device-mapper', () => {
  it('refuses an LVM image with EUNSUPPORTED naming the VG, before running vgchange', async () => {
    expect(await launchError(await lvmImage())).toEqual({ code: 'EUNSUPPORTED', feature: 'device-mapper', message: `this host's kernel has no device-mapper, needed for the LVM volume group accvg${VM_MODE_HINT}` });
  });

  it('refuses to open a LUKS device it has a key for with EUNSUPPORTED naming it', async () => {
    const image = await luksImage();
    expect(await launchError(image, ['secret'])).toMatchObject({
      code: 'EUNSUPPORTED',
      feature: 'device-mapper',
      message: expect.stringMatching(/^this host's kernel has no device-mapper, needed for the LUKS device \/dev\/sda \(UUID [0-9a-f-]{36}\) \(mode 'vm' or 'auto'/),
    });
    expect(await launchError(image)).toEqual({ code: 'launched', message: '' });
  });
});

describe.skipIf(host.kernel.md)('a host kernel without md', () => {
  it('refuses a RAID member with EUNSUPPORTED naming the array, before running mdadm --assemble', async () => {
    expect(await launchError(await mdImage())).toEqual({ code: 'EUNSUPPORTED', feature: 'md', message: `this host's kernel has no md (software RAID) driver, needed for the RAID array host:accmd (/dev/sda)${VM_MODE_HINT}` });
  });
});
