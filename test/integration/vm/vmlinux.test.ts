/**
 * The PVH fast boot on this host's own kernel: bootableKernel decompresses
 * Debian's bzImage (/boot/vmlinuz-*) into the VM cache as an ELF that has a
 * PVH entry point, which QEMU boots directly. The cache is a temporary
 * directory ($VMCRAFT_VM_CACHE, read when the cache module loads), so the
 * extraction really happens here. No VM boots.
 */
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookForKernel, type VmKernel } from '../../../src/vm/kernel.js';
import { privateVmCache } from '../../helpers/vm-cache.js';

const kernel: VmKernel | undefined = await lookForKernel();
const readable = kernel !== undefined && (await access(kernel.image, constants.R_OK).then(() => true, () => false));

describe.skipIf(!readable)("bootableKernel on this host's kernel", () => {
  let cache: string;
  const vmCache = privateVmCache();
  let vmlinux: typeof import('../../../src/vm/vmlinux.js');

  beforeAll(async () => {
    cache = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-vmlinux-cache-'));
    await mkdir(cache, { recursive: true });
    vmlinux = await vmCache.load(cache, () => import('../../../src/vm/vmlinux.js'));
  });

  afterAll(async () => {
    vmCache.restore();
    await rm(cache, { recursive: true, force: true });
  });

  it('caches an uncompressed ELF with a PVH entry, and gives the cached copy again', async () => {
    const image = await readFile(kernel!.image);
    // The image itself is a bzImage (compressed), not what QEMU boots through PVH.
    expect(vmlinux.hasPvhEntry(image)).toBe(false);

    const bootable = await vmlinux.bootableKernel(kernel!);
    expect(bootable).not.toBe(kernel!.image);
    expect(path.dirname(bootable)).toBe(cache);
    expect(path.basename(bootable)).toMatch(new RegExp(`^vmlinux-${kernel!.version.replace(/\./g, '\\.')}-${image.length}-\\d+$`));
    const elf = await readFile(bootable);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.length).toBeGreaterThan(image.length);
    expect(vmlinux.hasPvhEntry(elf)).toBe(true);
    expect(await readdir(cache)).toEqual([path.basename(bootable)]);

    expect(await vmlinux.bootableKernel(kernel!)).toBe(bootable);
    expect(await readdir(cache)).toEqual([path.basename(bootable)]);
  }, 120_000);
});
