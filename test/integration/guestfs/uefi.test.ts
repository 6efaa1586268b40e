import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { buildDiskImage } from '../../../src/sample/disk-builder.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;
const ROOT_UUID = '1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a';

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('uefi'));
  const esp = path.join(dir, 'esp');
  const root = path.join(dir, 'root');
  await mkdir(path.join(esp, 'EFI/debian'), { recursive: true });
  await writeFile(path.join(esp, 'EFI/debian/grub.cfg'), "search.fs_uuid 1d2c3b4a root\nset prefix=($root)'/boot/grub'\nconfigfile $prefix/grub.cfg\n");
  for (const d of ['etc', 'usr/bin', 'boot/efi']) await mkdir(path.join(root, d), { recursive: true });
  await writeFile(path.join(root, 'etc/os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n');
  await writeFile(path.join(root, 'etc/debian_version'), '12.7\n');
  await writeFile(path.join(root, 'etc/fstab'), `UUID=${ROOT_UUID} / ext4 defaults 0 1\nLABEL=ESP /boot/efi vfat umask=0077 0 1\n`);
  await mkdir(path.join(root, 'bin'));
  image = path.join(dir, 'uefi.raw');
  await buildDiskImage({ table: 'gpt', format: 'raw', output: image, partitions: [{ sizeMiB: 40, fs: 'vfat', tree: esp, label: 'ESP' }, { sizeMiB: 32, fs: 'ext4', tree: root, uuid: ROOT_UUID }] }, new Runner());
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('a UEFI layout (FAT EFI system partition + ext4 root)', () => {
  it('mounts the ESP at /boot/efi through mountRoot and reads it, leaving the image unchanged', async () => {
    const before = await sha256File(image);
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      expect(g.vfsType('/dev/sda1')).toBe('vfat');
      const [root] = await g.inspectOs();
      expect(g.inspectGetMountpoints(root!)).toEqual({ '/': '/dev/sda2', '/boot/efi': '/dev/sda1' });
      await g.mountRoot(root!);
      expect(await g.cat('/boot/efi/EFI/debian/grub.cfg')).toContain('configfile $prefix/grub.cfg');
    }
    expect(await sha256File(image)).toBe(before);
  });

  it('says clearly when FAT cannot be mounted read-write on this host', async () => {
    await using g = await GuestFS.open(image, { tmpDir: dir });
    const host = await (await import('../../../src/core/probe.js')).probeHost();
    if (host.kernelFilesystems.includes('vfat')) {
      await g.mount('/dev/sda1', '/');
      expect(await g.isDir('/EFI')).toBe(true);
    } else {
      await expect(g.mount('/dev/sda1', '/')).rejects.toMatchObject({ code: 'EUNSUPPORTED', message: expect.stringContaining('mountRo') });
    }
  });
});
