/**
 * What VM mode keeps from the host, and how it fails. A guest command runs
 * under the VM's kernel (another boot id), with no network card and none of
 * the host's mounts; writes land in the image; host files cross only as
 * plain files through the session's share. A VM that does not come up, or
 * dies under a session, is a typed EVM error with its console's tail, and
 * nothing is left; a process killed with SIGKILL takes its VM with it and
 * the next launch removes its files.
 */
import { copyFile, mkdtemp, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, isVmcraftError } from '../../../src/index.js';
import { reapStaleSessions } from '../../../src/attach/reaper.js';
import { Runner } from '../../../src/core/exec.js';
import { deliver } from '../../../src/vm/remote.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { scratchDir } from '../../helpers/images.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';

const VM_TIMEOUT = 240_000;
let dir: string;
let remove: () => Promise<void>;
let plain: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('vm-safety'));
  plain = (await loadFixtures()).debian12!.path;
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

/** QEMU processes whose command line names `under`. */
async function qemuUnder(under: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const exe = await readlink(`/proc/${entry}/exe`).catch(() => '');
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (exe.endsWith('qemu-system-x86_64') && cmdline.includes(under)) pids.push(Number(entry));
  }
  return pids;
}

describe('a writable VM-mode session', () => {
  let g: GuestFS;
  let image: string;
  beforeAll(async () => {
    image = path.join(dir, 'writable.qcow2');
    await copyFile(plain, image);
    g = await GuestFS.open(image, { tmpDir: dir, mode: 'vm' });
    await g.mountRoot((await g.inspectOs())[0]!);
  }, VM_TIMEOUT);
  afterAll(async () => g.close());

  it('guest commands run under the VM kernel, not the host one: another boot id', async () => {
    const host = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    const guest = (await g.sh('cat /proc/sys/kernel/random/boot_id')).trim();
    expect(guest).toMatch(/^[0-9a-f-]{36}$/);
    expect(guest).not.toBe(host);
  });

  it('no network card, even for a command that asks for the network', async () => {
    const devices = (await g.sh('tail -n +3 /proc/net/dev', { network: true })).split('\n').filter(Boolean).map((l) => l.split(':')[0]!.trim());
    expect(devices).toEqual(['lo']);
  });

  it("the host's mounts are not in the guest's view: no 9p share, no host path", async () => {
    const mounts = await g.sh('cat /proc/mounts');
    expect(mounts).not.toMatch(/\b9p\b/);
    expect(mounts).not.toContain(dir);
    expect(mounts).toMatch(/^\S+ \/ /m);
  });

  it('upload and download go through the share: content kept, the host file is a plain file of this user', async () => {
    const source = path.join(dir, 'upload.bin');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    await writeFile(source, bytes);
    await g.upload(source, '/root/uploaded.bin');
    expect(Buffer.compare(await g.read('/root/uploaded.bin'), bytes)).toBe(0);
    const target = path.join(dir, 'downloaded.bin');
    await g.download('/root/uploaded.bin', target);
    expect(Buffer.compare(await readFile(target), bytes)).toBe(0);
    const info = await stat(target);
    expect(info.uid).toBe(process.getuid!());
    expect(info.mode & 0o7000).toBe(0);
    await expect(g.upload(path.join(dir, 'missing'), '/root/x')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes land in the image: seen again by a host-mode session after close', async () => {
    await g.write('/etc/vm-mode-was-here', 'written in a VM\n');
    await g.close();
    await using host = await GuestFS.open(image, { tmpDir: dir, mode: 'host', readonly: true });
    await host.mountRoot((await host.inspectOs())[0]!);
    expect(await host.cat('/etc/vm-mode-was-here')).toBe('written in a VM\n');
  }, VM_TIMEOUT);
});

describe('a network only when asked', () => {
  it('vm.network gives the VM a card (user-mode networking) that a command asking for the network sees', async () => {
    const tmpDir = await mkdtemp(path.join(dir, 'net-'));
    await using g = await GuestFS.open(plain, { tmpDir, readonly: true, mode: 'vm', vm: { network: true } });
    await g.mountRoot((await g.inspectOs())[0]!);
    const devices = (await g.sh('tail -n +3 /proc/net/dev', { network: true })).split('\n').filter(Boolean).map((l) => l.split(':')[0]!.trim());
    expect(devices.sort()).toEqual(['eth0', 'lo']);
    expect(await g.sh('cat /etc/resolv.conf', { network: true })).toContain('nameserver 10.0.2.3');
  }, VM_TIMEOUT);
});

describe("the share's files reach the host only as plain files", () => {
  it('a link or a directory the VM left where a file belongs is refused (EVM); nothing is written through it', async () => {
    const share = await mkdtemp(path.join(dir, 'share-'));
    const secret = path.join(dir, 'host-secret');
    await writeFile(secret, 'host only');
    await symlink(secret, path.join(share, 'out'));
    const target = path.join(dir, 'delivered');
    await expect(deliver({ staged: path.join(share, 'out'), target })).rejects.toMatchObject({ code: 'EVM' });
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    await execa('mkdir', [path.join(share, 'dir')]);
    await expect(deliver({ staged: path.join(share, 'dir'), target })).rejects.toMatchObject({ code: 'EVM' });
  });
});

describe('failures are typed, with the console, and leave nothing', () => {
  it('a VM that does not come up in time: EVM, console tail attached, nothing left', async () => {
    const tmpDir = await mkdtemp(path.join(dir, 'boot-'));
    const err = await GuestFS.open(plain, { tmpDir, readonly: true, mode: 'vm', vm: { bootTimeoutMs: 1500 } }).then(() => undefined, (e: unknown) => e);
    expect(isVmcraftError(err) && err.code).toBe('EVM');
    expect((err as Error).message).toMatch(/did not come up in 1500 ms/);
    expect(typeof (err as { console?: string }).console).toBe('string');
    expect(await qemuUnder(tmpDir)).toEqual([]);
    expect(await findLeftovers(tmpDir)).toEqual(NOTHING_LEFT);
  }, VM_TIMEOUT);

  it('a VM that dies under a session: the next call fails with EVM and the console tail; close works', async () => {
    const tmpDir = await mkdtemp(path.join(dir, 'die-'));
    {
      await using g = await GuestFS.open(plain, { tmpDir, readonly: true, mode: 'vm' });
      const [pid] = await qemuUnder(tmpDir);
      expect(pid).toBeGreaterThan(0);
      // Started by root, QEMU runs as nobody once the images are open.
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
      process.kill(pid!, 'SIGKILL');
      const err = await g.inspectOs().then(() => undefined, (e: unknown) => e);
      expect(isVmcraftError(err) && err.code).toBe('EVM');
      expect((err as Error).message).toMatch(/the VM stopped/);
    } // disposed: closed
    expect(await findLeftovers(tmpDir)).toEqual(NOTHING_LEFT);
  }, VM_TIMEOUT);

  it('a read-only VM-mode session refuses writes before the VM sees them (EREADONLY)', async () => {
    const tmpDir = await mkdtemp(path.join(dir, 'ro-'));
    await using g = await GuestFS.open(plain, { tmpDir, readonly: true, mode: 'vm' });
    await expect(g.write('/x', 'y')).rejects.toMatchObject({ code: 'EREADONLY' });
  }, VM_TIMEOUT);
});

describe('SIGKILL of the process that owns a VM-mode session', () => {
  it('its VM dies with it, and the next launch removes its files', async () => {
    const tmpDir = await mkdtemp(path.join(dir, 'kill-'));
    const holder = path.join(import.meta.dirname, '../../helpers/hold-session.ts');
    // A private registry: launches of other test files meanwhile must not reap this session first.
    const registry = path.join(tmpDir, 'sessions');
    const child = execa('node', ['--import', 'tsx', holder, plain, tmpDir, 'vm'], { reject: false, env: { VMCRAFT_SESSION_DIR: registry } });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.on('exit', () => reject(new Error('child exited before it was ready')));
    });
    expect(await qemuUnder(tmpDir)).toHaveLength(1);
    child.kill('SIGKILL');
    await child;
    // QEMU has a parent-death signal: it is gone within moments.
    for (let i = 0; i < 50 && (await qemuUnder(tmpDir)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await qemuUnder(tmpDir)).toEqual([]);
    expect((await findLeftovers(tmpDir)).workDirs).toHaveLength(1);
    process.env.VMCRAFT_SESSION_DIR = registry;
    try {
      expect(await reapStaleSessions(new Runner())).toEqual([expect.stringMatching(/^released what process \d+ \(gone\) left in /)]);
    } finally {
      delete process.env.VMCRAFT_SESSION_DIR;
    }
    expect(await findLeftovers(tmpDir)).toEqual(NOTHING_LEFT);
    expect(await readdir(registry)).toEqual([]);
  }, VM_TIMEOUT);
});
