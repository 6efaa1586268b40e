/**
 * Image locks (issue 12): a session takes QEMU's own lock on its images, on
 * every backend, so two writers never share an image, QEMU (a VM, qemu-img)
 * sees a session the way it sees a running VM and the other way round, and a
 * reader beside a writer is refused unless it accepts a live image. Raw images
 * go through the loop backend and the FUSE export, qcow2 through the FUSE export.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, isVmcraftError, type OpenOptions } from '../../../src/index.js';
import { waitForExit } from '../../../src/core/processes.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { sampleImage, scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
const pristine: Record<string, string> = {};
const vms: number[] = [];
let copies = 0;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('lock'));
  pristine.qcow2 = (await sampleImage(dir, 'pristine.qcow2')).path;
  pristine.raw = path.join(dir, 'pristine.raw');
  await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', pristine.qcow2, pristine.raw]);
});
afterEach(async () => {
  for (const pid of [...vms]) await stopVm(pid);
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
});
afterAll(async () => remove());

/** A fresh copy of the sample image in `format`, for one test. */
async function fresh(format: string): Promise<string> {
  const copy = path.join(dir, `image${++copies}.${format}`);
  await execa('cp', ['--sparse=always', pristine[format]!, copy]);
  return copy;
}

/** Opens a session, or returns the code it was refused with. */
async function tryOpen(image: string, options: OpenOptions): Promise<GuestFS | string> {
  try {
    return await GuestFS.open(image, { tmpDir: dir, ...options });
  } catch (err) {
    if (isVmcraftError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
}

/** Opens a session that must be refused because the image is in use; returns the error message. */
async function refused(image: string, options: OpenOptions): Promise<string> {
  const result = await tryOpen(image, options);
  if (typeof result !== 'string') await result.close();
  expect(outcome(result)).toMatch(/^EBUSY: /);
  return result as string;
}

/** What an open gave, for assertions: the refusal, or `opened`. */
function outcome(result: GuestFS | string): string {
  return typeof result === 'string' ? result : 'opened';
}

/** Starts a paused VM with the image as a read-write disk (QEMU opens and locks it before it returns). */
async function startVm(image: string, format: string): Promise<number> {
  const pidFile = path.join(dir, `vm${vms.length}.pid`);
  await execa('qemu-system-x86_64', [
    '-S', '-nodefaults', '-nographic', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-accel', 'tcg', '-m', '64',
    '-drive', `file=${image},format=${format},if=virtio`, '-daemonize', '-pidfile', pidFile,
  ]);
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  vms.push(pid);
  return pid;
}

/** Kills a VM from startVm and waits until it has released the image. */
async function stopVm(pid: number): Promise<void> {
  vms.splice(vms.indexOf(pid), 1);
  process.kill(pid, 'SIGKILL');
  expect(await waitForExit([pid], 10_000)).toEqual([]);
}

/** Runs a QEMU tool on the image; returns its stderr when it failed, undefined when it succeeded. */
async function qemuToolError(tool: string, args: string[]): Promise<string | undefined> {
  const result = await execa(tool, args, { reject: false });
  return result.exitCode === 0 ? undefined : result.stderr;
}

describe.each([
  { format: 'raw', backend: 'loop' as const },
  { format: 'qcow2', backend: 'fuse' as const },
  { format: 'raw', backend: 'fuse' as const },
])('a $format image on the $backend backend', ({ format, backend }) => {
  it("refuses a second writer, so the first writer's changes survive (the data-loss reproduction)", async () => {
    const image = await fresh(format);
    const first = await GuestFS.open(image, { tmpDir: dir, backend });
    await first.mount('/dev/sda2', '/');
    const second = await tryOpen(image, { backend });
    // What happened before the lock: both mount, both write, both close, and the last one's view wins.
    if (typeof second !== 'string') await second.mount('/dev/sda2', '/');
    await first.write('/first.txt', 'written by the first session');
    if (typeof second !== 'string') await second.write('/second.txt', 'written by the second session');
    await first.close();
    if (typeof second !== 'string') await second.close();
    // Once the writer has closed, a new writer opens, and sees the first one's file.
    await using after = await GuestFS.open(image, { tmpDir: dir, backend });
    await after.mount('/dev/sda2', '/');
    const firstFile = await after.cat('/first.txt').catch((err: Error) => err.message);
    expect({ second: outcome(second), firstFile }).toEqual({
      second: expect.stringMatching(/^EBUSY: .*another program/),
      firstFile: 'written by the first session',
    });
  });

  it('refuses a reader beside a writer, unless it accepts a live image', async () => {
    const image = await fresh(format);
    await using writer = await GuestFS.open(image, { tmpDir: dir, backend });
    expect(await refused(image, { backend, readonly: true })).toContain('live: true');
    await using live = await GuestFS.open(image, { tmpDir: dir, backend, readonly: true, live: true });
    expect(live.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2']);
    expect(writer.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2']);
  });

  it('lets readers share the image and keeps writers out while they read', async () => {
    const image = await fresh(format);
    await using one = await GuestFS.open(image, { tmpDir: dir, backend, readonly: true });
    await using two = await GuestFS.open(image, { tmpDir: dir, backend, readonly: true });
    expect([one.listDevices(), two.listDevices()]).toEqual([['/dev/sda'], ['/dev/sda']]);
    await refused(image, { backend });
  });

  it('refuses qemu-img, qemu-io and a VM while a session writes', async () => {
    const image = await fresh(format);
    {
      await using writer = await GuestFS.open(image, { tmpDir: dir, backend });
      expect(writer.listDevices()).toEqual(['/dev/sda']);
      expect(await qemuToolError('qemu-img', ['resize', '-f', format, image, '+1M'])).toMatch(/lock/);
      // qemu-io opens the image read-write (and only reads).
      expect(await qemuToolError('qemu-io', ['-f', format, '-c', 'read 0 512', image])).toMatch(/lock/);
      await expect(startVm(image, format)).rejects.toMatchObject({ stderr: expect.stringMatching(/lock/) });
    }
    // Released with the session.
    expect(await qemuToolError('qemu-io', ['-f', format, '-c', 'read 0 512', image])).toBeUndefined();
    await startVm(image, format);
  });

  it('refuses a session while a VM runs the image, except a reader that accepts a live image', async () => {
    const image = await fresh(format);
    const vm = await startVm(image, format);
    await refused(image, { backend });
    expect(await refused(image, { backend, readonly: true })).toContain('live: true');
    {
      await using live = await GuestFS.open(image, { tmpDir: dir, backend, readonly: true, live: true });
      expect(live.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2']);
    }
    await stopVm(vm);
    await using writer = await GuestFS.open(image, { tmpDir: dir, backend });
    expect(writer.listDevices()).toEqual(['/dev/sda']);
  });
});

describe('a block device given as an image', () => {
  it('is locked the same way, on its device node', async () => {
    const device = (await execa('losetup', ['--find', '--show', await fresh('raw')])).stdout.trim();
    try {
      await using writer = await GuestFS.open(device, { tmpDir: dir, backend: 'loop' });
      expect(writer.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2']);
      await refused(device, { backend: 'loop' });
      expect(await qemuToolError('qemu-io', ['-f', 'raw', '-c', 'read 0 512', device])).toMatch(/lock/);
    } finally {
      await execa('losetup', ['-d', device]);
    }
  });
});

describe('a session killed with SIGKILL', () => {
  it('keeps its image locked while its loop device is attached, until the next launch releases both', async () => {
    const image = await fresh('raw');
    // A private registry: the sessions other test files launch meanwhile must not reap this one first.
    const registry = path.join(dir, 'sessions');
    const script = `import('${path.resolve('src/index.ts')}').then(async ({ GuestFS }) => { await GuestFS.open('${image}', { tmpDir: '${dir}', backend: 'loop' }); console.log('ready'); setInterval(() => {}, 1000); });`;
    const child = execa('node', ['--import', 'tsx', '-e', script], { reject: false, env: { VMCRAFT_SESSION_DIR: registry } });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.on('exit', () => reject(new Error('the session process ended before it opened the image')));
    });
    child.kill('SIGKILL');
    await child;
    expect(await qemuToolError('qemu-io', ['-f', 'raw', '-c', 'read 0 512', image])).toMatch(/lock/);
    process.env.VMCRAFT_SESSION_DIR = registry;
    try {
      await using next = await GuestFS.open(image, { tmpDir: dir, backend: 'loop' });
      expect(next.listDevices()).toEqual(['/dev/sda']);
    } finally {
      delete process.env.VMCRAFT_SESSION_DIR;
    }
  });
});

describe('the live option', () => {
  it('is refused on a writable drive', async () => {
    const image = await fresh('raw');
    const result = await tryOpen(image, { live: true });
    expect(result).toMatch(/^EINVAL: .*`live`.*readonly/);
  });
});
