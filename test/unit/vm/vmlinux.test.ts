/**
 * The PVH fast boot (src/vm/vmlinux.ts): the Xen PVH entry note check on
 * hand-made ELF buffers, and bootableKernel on small hand-made "bzImages"
 * (a gzip stream of such an ELF behind a few header bytes) with the VM cache
 * in a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPvhEntry } from '../../../src/vm/vmlinux.js';
import { privateVmCache } from '../../helpers/vm-cache.js';

/** An ELF-looking buffer: the magic, `pad` bytes, then one ELF note (name, desc, type) and some trailing bytes. */
function elfWithNote(o: { type: number; name?: string; namesz?: number; magic?: string; pad?: number; before?: Buffer }): Buffer {
  const name = Buffer.from(o.name ?? 'Xen\0', 'latin1');
  const header = Buffer.alloc(12);
  header.writeUInt32LE(o.namesz ?? name.length, 0);
  header.writeUInt32LE(4, 4);
  header.writeUInt32LE(o.type, 8);
  const desc = Buffer.from([0x00, 0x10, 0x00, 0x01]);
  return Buffer.concat([Buffer.from(o.magic ?? '\x7fELF', 'latin1'), Buffer.alloc(o.pad ?? 60), o.before ?? Buffer.alloc(0), header, name, desc, Buffer.alloc(32)]);
}

describe('hasPvhEntry', () => {
  it('finds the Xen note of type 18 (XEN_ELFNOTE_PHYS32_ENTRY) in an ELF', () => {
    expect(hasPvhEntry(elfWithNote({ type: 18 }))).toBe(true);
  });

  it('is false for another Xen note type (17)', () => {
    expect(hasPvhEntry(elfWithNote({ type: 17 }))).toBe(false);
  });

  it('is false for what is not an ELF, even with the note in it', () => {
    expect(hasPvhEntry(elfWithNote({ type: 18, magic: 'MZ\0\0' }))).toBe(false);
    expect(hasPvhEntry(Buffer.alloc(0))).toBe(false);
    expect(hasPvhEntry(Buffer.from('\x7fEL', 'latin1'))).toBe(false);
  });

  it('is false for a note whose name size is not 4 ("Xen\\0")', () => {
    expect(hasPvhEntry(elfWithNote({ type: 18, namesz: 8 }))).toBe(false);
  });

  it('looks past an earlier "Xen\\0" that is not a PVH note', () => {
    const decoy = elfWithNote({ type: 17 }).subarray(4);
    expect(hasPvhEntry(elfWithNote({ type: 18, before: decoy }))).toBe(true);
    expect(hasPvhEntry(elfWithNote({ type: 17, before: decoy }))).toBe(false);
  });

  it('does not read before the buffer for a "Xen\\0" too close to its start', () => {
    expect(hasPvhEntry(Buffer.from('\x7fELFXen\0\x12\0\0\0', 'latin1'))).toBe(false);
  });
});

describe('bootableKernel (hand-made kernels, cache in a temporary directory)', () => {
  let dir: string;
  let cache: string;
  let bootableKernel: typeof import('../../../src/vm/vmlinux.js').bootableKernel;
  const vmCache = privateVmCache();

  /** A fake bzImage: setup bytes, then `elf` gzip-compressed, then trailing bytes (as in a real one). */
  function bzImage(elf: Buffer): Buffer {
    return Buffer.concat([Buffer.from('MZ fake setup sectors '.repeat(20)), execFileSync('gzip', ['-c'], { input: elf }), Buffer.alloc(64, 0xee)]);
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-unit-vmlinux-'));
    cache = path.join(dir, 'cache');
    // Made here, so that it is writable and taken as the cache by root and other users alike.
    await mkdir(cache);
    ({ bootableKernel } = await vmCache.load(cache, () => import('../../../src/vm/vmlinux.js')));
  });

  afterAll(async () => {
    vmCache.restore();
    await rm(dir, { recursive: true, force: true });
  });

  it('extracts the ELF with a PVH entry once into the cache, and gives the cached copy from then on', async () => {
    const elf = elfWithNote({ type: 18 });
    const image = path.join(dir, 'vmlinuz-9.9.9-test');
    await writeFile(image, bzImage(elf));
    const kernel = { version: '9.9.9-test', image };
    const first = await bootableKernel(kernel);
    expect(first).not.toBe(image);
    expect(path.dirname(first)).toBe(cache);
    expect(path.basename(first)).toMatch(/^vmlinux-9\.9\.9-test-\d+-\d+$/);
    expect((await readFile(first)).equals(elf)).toBe(true);
    expect((await stat(first)).mode & 0o777).toBe(0o644);
    expect(await readdir(cache)).toEqual([path.basename(first)]);
    // The second call finds it (the same path, nothing new written).
    const mtime = (await stat(first)).mtimeMs;
    expect(await bootableKernel(kernel)).toBe(first);
    expect((await stat(first)).mtimeMs).toBe(mtime);
  });

  it('boots the image itself when its ELF has no PVH entry, and caches nothing for it', async () => {
    const image = path.join(dir, 'vmlinuz-9.9.8-nopvh');
    await writeFile(image, bzImage(elfWithNote({ type: 17 })));
    const before = await readdir(cache);
    expect(await bootableKernel({ version: '9.9.8-nopvh', image })).toBe(image);
    expect(await readdir(cache)).toEqual(before);
  });

  it('boots the image itself when no payload in it decompresses to an ELF', async () => {
    const image = path.join(dir, 'vmlinuz-9.9.7-plain');
    await writeFile(image, Buffer.concat([Buffer.from('no compressed payload here'), execFileSync('gzip', ['-c'], { input: Buffer.from('not an elf') })]));
    expect(await bootableKernel({ version: '9.9.7-plain', image })).toBe(image);
  });
});
