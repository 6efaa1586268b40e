/**
 * LVM and LUKS creation calls in host mode, on a host without device-mapper:
 * the LVM calls are refused (EUNSUPPORTED, feature device-mapper) before any
 * lvm runs; the LUKS header calls need no device-mapper and work here
 * (format, add a key, kill a slot, the UUID), checked with cryptsetup on the
 * image afterwards; every writing call is refused in a read-only session;
 * keys never show in traces or errors.
 */
import { writeFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, type TraceEvent, type VmcraftError } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { probeHost } from '../../../src/core/probe.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { rejected } from '../../helpers/thrown.js';

const KEY = 'first key Zq81';
const NEW_KEY = 'second key Wx47';
const run = new Runner();
const host = await probeHost();

let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('lvm-luks-host'));
});
afterEach(async () => expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT));
afterAll(async () => remove());

async function blankImage(name: string, mib = 32): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, '');
  await truncate(file, mib * 1024 * 1024);
  return file;
}

/** The code of the error `promise` rejects with (and the error). */
async function failure(promise: Promise<unknown>): Promise<{ code: string; err: VmcraftError }> {
  const err = await rejected(promise);
  return { code: err.code, err };
}

/** Whether `key` opens the LUKS image `file` (cryptsetup --test-passphrase needs no device-mapper). */
async function opens(file: string, key: string): Promise<boolean> {
  const r = await run.run('cryptsetup', ['open', '--test-passphrase', '--key-file=-', file], { input: key, okExitCodes: [0, 2] });
  return r.exitCode === 0;
}

/** Every writing call of this area, with arguments. */
const WRITES: [string, ...unknown[]][] = [
  ['pvcreate', '/dev/sda'], ['vgcreate', 'vg0', ['/dev/sda']], ['lvcreate', 'root', 'vg0', 8], ['lvcreateFree', 'swap', 'vg0', 100],
  ['lvresize', '/dev/sda', 16], ['lvresizeFree', '/dev/sda', 50], ['lvremove', '/dev/vg0'], ['vgremove', 'vg0'], ['pvremove', '/dev/sda'],
  ['lvrename', '/dev/sda', '/dev/vg0/x'], ['vgrename', 'vg0', 'vg1'],
  ['luksFormat', '/dev/sda', KEY, 0], ['luksFormatCipher', '/dev/sda', KEY, 0, 'aes-xts-plain64'], ['luksAddKey', '/dev/sda', KEY, NEW_KEY, 1], ['luksKillSlot', '/dev/sda', KEY, 1],
  ['selinuxRelabel', '/etc/selinux/targeted/contexts/files/file_contexts', '/', { force: true }],
];

const call = (g: GuestFS, name: string, ...args: unknown[]) => (g as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);

describe.runIf(host.root)('host mode', () => {
  it('refuses every writing call in a read-only session with EREADONLY, the image byte-identical', async () => {
    const image = await blankImage('ro.raw');
    const before = await sha256File(image);
    const g = await GuestFS.open(image, { readonly: true, tmpDir: dir, mode: 'host' });
    try {
      for (const [name, ...args] of WRITES) expect((await failure(call(g, name, ...args))).code, name).toBe('EREADONLY');
    } finally {
      await g.close();
    }
    expect(await sha256File(image)).toBe(before);
  });

  it.runIf(!host.kernel.deviceMapper)('refuses the LVM calls with EUNSUPPORTED (device-mapper) before running lvm', async () => {
    const image = await blankImage('lvm.raw');
    const before = await sha256File(image);
    const g = await GuestFS.open(image, { tmpDir: dir, mode: 'host' });
    const programs: string[] = [];
    g.on('trace', (t) => programs.push(t.argv[0]!));
    try {
      for (const [name, ...args] of WRITES.filter(([n]) => /^(pv|vg|lv)/.test(n) && !['lvresize', 'lvresizeFree', 'lvrename', 'pvremove'].includes(n))) {
        const { code, err } = await failure(call(g, name, ...args));
        expect([name, code, err.feature]).toEqual([name, 'EUNSUPPORTED', 'device-mapper']);
        expect(err.message).toContain("mode 'vm'");
      }
      // An LV argument that is not one is a bad argument, whatever the kernel.
      expect((await failure(g.lvresize('/dev/sda', 16))).code).toBe('EINVAL');
      expect((await failure(g.lvcreate('-root', 'vg0', 8))).code).toBe('EINVAL');
      expect((await failure(g.vgcreate('vg/0', ['/dev/sda']))).code).toBe('EINVAL');
      expect((await failure(g.vgcreate('vg0', ['/dev/sdz']))).code).toBe('ENOENT');
      expect((await failure(g.lvcreateFree('root', 'vg0', 101))).code).toBe('EINVAL');
      expect((await failure(g.pvremove('/dev/sda'))).code).toBe('EINVAL');
      expect(programs).not.toContain('lvm');
    } finally {
      await g.close();
    }
    expect(await sha256File(image)).toBe(before);
  });

  it('formats LUKS, adds a key, kills a slot and reads the UUID without device-mapper; keys never traced', async () => {
    const image = await blankImage('luks.raw');
    const g = await GuestFS.open(image, { tmpDir: dir, mode: 'host' });
    const traces: TraceEvent[] = [];
    const messages: string[] = [];
    g.on('trace', (t) => traces.push(t));
    g.on('log', (l) => messages.push(l.message));
    try {
      expect((await failure(g.luksUuid('/dev/sda'))).code).toBe('EINVAL');
      expect((await failure(g.luksFormat('/dev/sda', KEY, 32))).code).toBe('EINVAL');
      expect((await failure(g.luksFormatCipher('/dev/sda', KEY, 0, 'aes --foo'))).code).toBe('EINVAL');
      await g.luksFormat('/dev/sda', KEY, 0);
      expect(g.vfsType('/dev/sda')).toBe('crypto_LUKS');
      const uuid = await g.luksUuid('/dev/sda');
      expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(uuid).toBe(g.vfsUuid('/dev/sda'));
      await g.luksAddKey('/dev/sda', KEY, NEW_KEY, 3);
      // Slot 3 is taken now; a wrong key is EBADKEY, its text nowhere in the error.
      expect((await failure(g.luksAddKey('/dev/sda', KEY, 'third key', 3))).code).toBe('ECOMMAND');
      const bad = await failure(g.luksAddKey('/dev/sda', 'wrong key Pp', 'third key', 4));
      expect(bad.code).toBe('EBADKEY');
      messages.push(bad.err.message, JSON.stringify(bad.err));
      await g.luksKillSlot('/dev/sda', NEW_KEY, 0);
      const killed = await failure(g.luksKillSlot('/dev/sda', KEY, 3));
      expect(killed.code).toBe('EBADKEY');
      messages.push(killed.err.message);
      expect((await failure(g.luksClose('/dev/sda'))).code).toBe('EINVAL');
      if (!host.kernel.deviceMapper) expect((await failure(g.luksOpen('/dev/sda', NEW_KEY))).err.feature).toBe('device-mapper');
    } finally {
      await g.close();
    }
    expect(await opens(image, KEY)).toBe(false);
    expect(await opens(image, NEW_KEY)).toBe(true);
    expect((await run.run('blkid', ['-p', '-o', 'value', '-s', 'UUID', image])).stdout.trim()).toBe(await readUuid(image));
    const seen = JSON.stringify(traces) + messages.join('\n');
    expect(traces.some((t) => t.argv.includes('luksAddKey'))).toBe(true);
    for (const secret of [KEY, NEW_KEY, 'wrong key Pp', 'third key']) expect(seen).not.toContain(secret);
  });

  it('formats with a cipher, LUKS UUID readable in a read-only session', async () => {
    const image = await blankImage('cipher.raw');
    await GuestFS.with(image, { tmpDir: dir, mode: 'host' }, async (g) => {
      // A cipher the kernel's crypto API lacks makes cryptsetup use a dm-crypt mapping: without device-mapper, EUNSUPPORTED.
      if (!host.kernel.deviceMapper) expect((await failure(g.luksFormatCipher('/dev/sda', KEY, 5, 'twofish-xts-plain64'))).err.feature).toBe('device-mapper');
      await g.luksFormatCipher('/dev/sda', KEY, 5, 'aes-cbc-essiv:sha256');
    });
    const dump = (await run.run('cryptsetup', ['luksDump', image])).stdout;
    expect(dump).toMatch(/cipher:\s+aes-cbc-essiv:sha256/);
    expect(dump).toMatch(/^\s+5: luks2/m);
    // A whole raw image that starts with a LUKS header would pass for qemu's LUKS format: say raw.
    const uuid = await GuestFS.with(image, { readonly: true, tmpDir: dir, mode: 'host', format: 'raw' }, (g) => g.luksUuid('/dev/sda'));
    expect(uuid).toBe(await readUuid(image));
  });
});

async function readUuid(file: string): Promise<string> {
  return (await run.run('cryptsetup', ['luksUUID', file])).stdout.trim();
}
