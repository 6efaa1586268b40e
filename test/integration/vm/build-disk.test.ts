/**
 * A complete bootable-layout disk built from nothing with the table's calls
 * only (issue 16's acceptance test): diskCreate, a GPT with an ESP (vfat), a
 * root (ext4) and an LVM PV holding a swap LV, files copied in from a host
 * tree; a tar of the result's /etc reads back byte-identical to that tree,
 * fsck is clean (libguestfs status 0), `qemu-img check` is clean, and a new
 * session finds it all. In VM mode: this host's kernel has no device-mapper
 * for the LV, nor vfat for writing the ESP; the VM's kernel has both.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';

const MiB = 1024 * 1024;
const ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const LVM_TYPE = 'E6D6D379-F507-44C2-A23C-238F2A3DF928';
const VM_TIMEOUT = 300_000;

let dir: string;
let remove: () => Promise<void>;
let image: string;
let tree: string;

/** Every entry below `root`: type, mode and content hash or link target, by relative path. */
async function describeTree(root: string, at = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(path.join(root, at))).sort()) {
    const rel = path.join(at, name);
    const full = path.join(root, rel);
    const st = await lstat(full);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out[rel] = `link -> ${await readlink(full)}`;
    else if (st.isDirectory()) Object.assign(out, { [rel]: `dir ${mode}` }, await describeTree(root, rel));
    else out[rel] = `file ${mode} ${createHash('sha256').update(await readFile(full)).digest('hex')}`;
  }
  return out;
}

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('build-disk'));
  image = path.join(dir, 'built.qcow2');
  // The host tree copied in as the guest's /etc.
  tree = path.join(dir, 'etc');
  await mkdir(path.join(tree, 'default'), { recursive: true });
  await writeFile(path.join(tree, 'hostname'), 'built-by-vmcraft\n');
  await writeFile(path.join(tree, 'fstab'), 'LABEL=root / ext4 defaults 0 1\nLABEL=ESP /boot/efi vfat umask=0077 0 2\n/dev/buildvg/swap none swap sw 0 0\n');
  await writeFile(path.join(tree, 'default', 'grub'), 'GRUB_TIMEOUT=3\n');
  await writeFile(path.join(tree, 'shadow'), 'root:*:19000:0:99999:7:::\n');
  await chmod(path.join(tree, 'shadow'), 0o640);
  await symlink('/proc/self/mounts', path.join(tree, 'mtab'));
}, 60_000);

afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('a bootable-layout disk from nothing, in VM mode', () => {
  it('is created, partitioned, formatted, given an LVM swap and filled from a host tree; its /etc tars back byte-identical', async () => {
    const g = new GuestFS({ tmpDir: dir, mode: 'vm' });
    await g.diskCreate(image, 'qcow2', 512 * MiB);
    g.addDrive(image, { format: 'qcow2' });
    await g.launch();
    try {
      await g.partInit('/dev/sda', 'gpt');
      await g.partAdd('/dev/sda', 'p', 2048, 2048 + 64 * 2048 - 1);
      await g.partAdd('/dev/sda', 'p', 2048 + 64 * 2048, 2048 + 320 * 2048 - 1);
      await g.partAdd('/dev/sda', 'p', 2048 + 320 * 2048, -34);
      await g.partSetGptType('/dev/sda', 1, ESP_TYPE);
      await g.partSetGptType('/dev/sda', 3, LVM_TYPE);
      await g.mkfs('vfat', '/dev/sda1', { label: 'ESP' });
      await g.mkfs('ext4', '/dev/sda2', { label: 'root' });
      await g.pvcreate('/dev/sda3');
      await g.vgcreate('buildvg', ['/dev/sda3']);
      await g.lvcreate('swap', 'buildvg', 64);
      await g.mkswap('/dev/buildvg/swap', { label: 'swap' });
      await g.mount('/dev/sda2', '/');
      await g.mkdirP('/boot/efi');
      await g.mount('/dev/sda1', '/boot/efi');
      await g.mkdirP('/boot/efi/EFI/BOOT');
      await g.write('/boot/efi/EFI/BOOT/startup.nsh', 'echo vmcraft\r\n');
      await g.copyIn(tree, '/');
      const tarFile = path.join(dir, 'etc.tar');
      await g.tarOut('/etc', tarFile);
      const back = path.join(dir, 'etc-back');
      await mkdir(back);
      await execa('tar', ['-xf', tarFile, '-C', back]);
      expect(await describeTree(back)).toEqual(await describeTree(tree));
      await g.umountAll();
      expect(await g.fsck('ext4', '/dev/sda2')).toBe(0);
      expect(await g.fsck('vfat', '/dev/sda1')).toBe(0);
    } finally {
      await g.close();
    }
    await execa('qemu-img', ['check', '-q', image]);
  }, VM_TIMEOUT);

  it('is found again by a new session: partitions, filesystems, the LV, the files', async () => {
    await using g = await GuestFS.open(image, { tmpDir: dir, readonly: true, mode: 'vm' });
    expect((await g.partList('/dev/sda')).map((p) => p.number)).toEqual([1, 2, 3]);
    expect(await g.partGetGptType('/dev/sda', 1)).toBe(ESP_TYPE);
    expect(await g.partGetGptType('/dev/sda', 3)).toBe(LVM_TYPE);
    expect(g.lvs()).toEqual(['/dev/buildvg/swap']);
    expect(g.listFilesystems()).toEqual([
      { device: '/dev/sda1', vfsType: 'vfat' },
      { device: '/dev/sda2', vfsType: 'ext4' },
      { device: '/dev/buildvg/swap', vfsType: 'swap' },
    ]);
    expect([g.vfsLabel('/dev/sda1'), g.vfsLabel('/dev/sda2'), g.vfsLabel('/dev/buildvg/swap')]).toEqual(['ESP', 'root', 'swap']);
    await g.mountRo('/dev/sda2', '/');
    await g.mountRo('/dev/sda1', '/boot/efi');
    expect(await g.cat('/etc/hostname')).toBe('built-by-vmcraft\n');
    expect(await g.readlink('/etc/mtab')).toBe('/proc/self/mounts');
    expect((await g.stat('/etc/shadow')).mode & 0o7777).toBe(0o640);
    expect(await g.cat('/boot/efi/EFI/BOOT/startup.nsh')).toBe('echo vmcraft\r\n');
  }, VM_TIMEOUT);
});
