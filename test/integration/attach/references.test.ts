/**
 * Image references through GuestFS (issue 12): a drive whose header or
 * descriptor names a host file, a host block device, a file outside its
 * directory or a network server is refused with EUNSAFE, read-only and
 * writable; the canary never shows on the guest disk and never changes, the
 * listener gets no connection, and nothing is left attached. A chain the
 * caller allows opens.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, isVmcraftError } from '../../../src/index.js';
import { resolveChain } from '../../../src/convert/index.js';
import type { DriveOptions } from '../../../src/api/options.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { backedImage, dataFileImage, listen, makeCanary, readHead, showsCanary, vmdkDescriptor, type Canary, type Listener } from '../../helpers/references.js';

let dir: string;
let remove: () => Promise<void>;
let canary: Canary;
/** A raw ext4 filesystem outside the image directories, holding the canary's marker in a file. */
let hostExt4: string;
let listener: Listener;
let loopDevice: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('attach-references'));
  canary = await makeCanary(path.join(dir, 'host'));
  const tree = path.join(dir, 'host', 'tree');
  await mkdir(tree);
  await execa('cp', [canary.path, path.join(tree, 'secret')]);
  hostExt4 = path.join(dir, 'host', 'fs.ext4');
  await execa('mkfs.ext4', ['-q', '-F', '-d', tree, hostExt4, '4M']);
  listener = await listen();
  loopDevice = (await execa('losetup', ['--find', '--show', '--read-only', canary.path])).stdout.trim();
});
afterEach(async () => {
  expect(await sha256File(canary.path)).toBe(canary.sha256);
  expect(listener.takeConnections()).toBe(0);
  expect(await findLeftovers(path.join(dir, 'images'))).toEqual(NOTHING_LEFT);
});
afterAll(async () => {
  await execa('losetup', ['-d', loopDevice], { reject: false });
  await listener.close();
  await remove();
});

let counter = 0;
async function imageDir(): Promise<string> {
  const d = path.join(dir, 'images', String(counter++));
  await mkdir(d, { recursive: true });
  return d;
}

/**
 * Opens the image; when that works (the old behaviour), reads the guest disk
 * looking for the canary and, in a writable session, overwrites its first MiB.
 */
async function attempt(image: string, readonly: boolean, options: DriveOptions = {}): Promise<{ code: string; showsCanary: boolean }> {
  let g: GuestFS;
  try {
    g = await GuestFS.open(image, { tmpDir: path.dirname(image), readonly, ...options });
  } catch (err) {
    if (!isVmcraftError(err)) throw err;
    return { code: err.code, showsCanary: false };
  }
  try {
    const device = g.hostDevice('/dev/sda');
    const shows = showsCanary(await readHead(device), canary);
    if (!readonly) await execa('dd', ['if=/dev/zero', `of=${device}`, 'bs=64k', 'count=16', 'conv=fsync', 'status=none']);
    return { code: 'opened', showsCanary: shows };
  } finally {
    await g.close();
  }
}

const ATTACKS: [string, (d: string) => Promise<string>][] = [
  ['qcow2 backed by a host file (-F raw)', (d) => backedImage(path.join(d, 'a.qcow2'), canary.path, 'raw')],
  ['qcow2 backed by a host file (no format)', (d) => backedImage(path.join(d, 'a.qcow2'), canary.path)],
  ['qcow2 backed by json:{…"filename"…}', (d) => backedImage(path.join(d, 'a.qcow2'), `json:{"driver":"raw","file":{"driver":"file","filename":"${canary.path}"}}`)],
  ['qcow2 backed by a host ext4 file', (d) => backedImage(path.join(d, 'a.qcow2'), hostExt4, 'raw', 'qcow2', '4M')],
  ['qcow2 backed by a host block device', (d) => backedImage(path.join(d, 'a.qcow2'), loopDevice, 'raw')],
  ['qcow2 backed by nbd://127.0.0.1', (d) => backedImage(path.join(d, 'a.qcow2'), `nbd://127.0.0.1:${listener.port}/x`, 'raw')],
  ['qcow2 with a host file as data file', (d) => dataFileImage(path.join(d, 'a.qcow2'), canary.path)],
  ['qed backed by a host file', (d) => backedImage(path.join(d, 'a.qed'), canary.path, 'raw', 'qed')],
  ['vmdk with a FLAT extent "/…/canary"', (d) => vmdkDescriptor(path.join(d, 'a.vmdk'), [`RW 2048 FLAT "${canary.path}" 0`])],
  ['vmdk with a FLAT extent "../../…"', (d) => vmdkDescriptor(path.join(d, 'a.vmdk'), [`RW 2048 FLAT "${path.relative(d, canary.path)}" 0`])],
  ['vmdk with a host block device as extent', (d) => vmdkDescriptor(path.join(d, 'a.vmdk'), [`RW 2048 FLAT "${loopDevice}" 0`])],
];

describe('GuestFS refuses hostile references', () => {
  for (const readonly of [true, false]) {
    it.each(ATTACKS)(`${readonly ? 'read-only' : 'writable'}: %s`, async (_, build) => {
      const image = await build(await imageDir());
      const before = await sha256File(image);
      expect(await attempt(image, readonly)).toEqual({ code: 'EUNSAFE', showsCanary: false });
      expect(await sha256File(image)).toBe(before);
    });
  }

  it('a header cut short, its format given (no detection), is EFORMAT before qemu sees it', async () => {
    const d = await imageDir();
    for (const format of ['qcow2', 'qed'] as const) {
      const image = await backedImage(path.join(d, `cut.${format}`), canary.path, 'raw', format);
      await execa('truncate', ['-s', '40', image]);
      await expect(GuestFS.open(image, { tmpDir: d, readonly: true, format })).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining('truncated') });
      await execa('truncate', ['-s', '0', image]);
      await expect(GuestFS.open(image, { tmpDir: d, readonly: true, format })).rejects.toMatchObject({ code: 'EFORMAT' });
    }
  });

  it('also with the image directory allowed', async () => {
    const d = await imageDir();
    const image = await backedImage(path.join(d, 'a.qcow2'), canary.path, 'raw');
    expect(await attempt(image, true, { chain: { allowDir: d } })).toEqual({ code: 'EUNSAFE', showsCanary: false });
  });
});

describe('GuestFS opens the chains it is allowed to', () => {
  it('a chain in its own directory: refused by default, opened with allowDir or the exact chain, writes go to the top', async () => {
    const d = await imageDir();
    const base = path.join(d, 'base.raw');
    await execa('cp', [canary.path, base]);
    const top = await backedImage(path.join(d, 'top.qcow2'), 'base.raw', 'raw');
    await expect(GuestFS.open(top, { tmpDir: d, readonly: true })).rejects.toMatchObject({ code: 'EUNSAFE', path: base, message: expect.stringContaining('chain') });
    expect(await attempt(top, true, { chain: { allowDir: d } })).toEqual({ code: 'opened', showsCanary: true });
    const chain = await resolveChain(top, { chain: { allowDir: d } });
    const baseSum = await sha256File(base);
    expect(await attempt(top, false, { chain })).toEqual({ code: 'opened', showsCanary: true });
    expect(await sha256File(base)).toBe(baseSum);
    expect(await attempt(top, true, { chain })).toEqual({ code: 'opened', showsCanary: false });
  });

  it('a descriptor vmdk whose extent is beside it opens alone', async () => {
    const d = await imageDir();
    await execa('cp', [canary.path, path.join(d, 'disk-flat.vmdk')]);
    const image = await vmdkDescriptor(path.join(d, 'disk.vmdk'), ['RW 2048 FLAT "disk-flat.vmdk" 0']);
    expect(await attempt(image, true)).toEqual({ code: 'opened', showsCanary: true });
  });
});
