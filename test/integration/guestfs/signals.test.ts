import path from 'node:path';
import { mkdtemp, readdir } from 'node:fs/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { sampleImage, scratchDir } from '../../helpers/images.js';
import { launchReaping } from '../../helpers/reap.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;
const holder = path.join(import.meta.dirname, '../../helpers/hold-session.ts');
const busy = path.join(import.meta.dirname, '../../helpers/busy-session.ts');

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('signals'));
  image = (await sampleImage(dir)).path;
});
afterAll(async () => remove());

/** Releases what a failed try left (with the library's own reaper), so the next try starts clean. */
async function cleanUp(found: Awaited<ReturnType<typeof findLeftovers>>, registry: string): Promise<void> {
  await (await launchReaping(image, await mkdtemp(path.join(dir, 'reap-')), registry)).g.close();
  for (const d of found.daemons) process.kill(d, 'SIGKILL');
}

describe('a process killed by a signal releases its session', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s: no loop device, mount, daemon or work dir left', async (signal) => {
    const child = execa('node', ['--import', 'tsx', holder, image, dir], { reject: false });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.on('exit', () => reject(new Error('child exited before it was ready')));
    });
    try {
      const during = await findLeftovers(dir);
      expect(during.mounts.length).toBe(3); // the FUSE export, / and /boot
      expect(during.loopDevices.length).toBe(1);
      expect(during.daemons.length).toBe(1);
      expect(during.workDirs.length).toBe(1);
    } finally {
      child.kill(signal);
    }
    const result = await child;
    expect(result.signal).toBe(signal);
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });
});

describe('a signal while a call is in flight', () => {
  it('20 tries: the process dies of the signal only once its session is released, nothing left, nothing for the reaper', async () => {
    // A private registry that nothing reaps: what a try leaves stays visible.
    const registry = path.join(dir, 'busy-sessions');
    const left: string[] = [];
    for (let i = 0; i < 20; i++) {
      const signal = i % 2 ? 'SIGINT' : 'SIGTERM';
      const child = execa('node', ['--import', 'tsx', busy, image, dir], { reject: false, env: { VMCRAFT_SESSION_DIR: registry } });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.on('exit', () => reject(new Error('child exited before it was ready')));
      });
      // Somewhere inside an inspection (one takes a few tens of milliseconds).
      await new Promise((resolve) => setTimeout(resolve, 20 + ((i * 37) % 200)));
      child.kill(signal);
      const result = await child;
      const found = await findLeftovers(dir);
      const entries = await readdir(registry).catch(() => []);
      if (result.signal !== signal || JSON.stringify(found) !== JSON.stringify(NOTHING_LEFT) || entries.length) {
        left.push(`try ${i} (${signal}): ended by ${result.signal ?? `exit ${result.exitCode}`}, left ${JSON.stringify(found)}, registry ${entries.join(' ')}`);
        await cleanUp(found, registry);
      }
    }
    expect(left).toEqual([]);
  }, 120_000);
});

describe('a process killed with SIGKILL cannot clean up: the next launch does', () => {
  it('releases the dead session’s mounts, loop device, daemon and work dir, with a warning', async () => {
    // A private registry: the sessions other test files launch meanwhile must not reap this one first.
    const registry = path.join(dir, 'sessions');
    const child = execa('node', ['--import', 'tsx', holder, image, dir], { reject: false, env: { VMCRAFT_SESSION_DIR: registry } });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.on('exit', () => reject(new Error('child exited before it was ready')));
    });
    child.kill('SIGKILL');
    await child;
    const left = await findLeftovers(dir);
    expect([left.mounts.length, left.loopDevices.length, left.daemons.length, left.workDirs.length]).toEqual([3, 1, 1, 1]);
    expect(await readdir(registry)).toHaveLength(1);
    const { g, warnings } = await launchReaping(image, await mkdtemp(path.join(dir, 'next-')), registry);
    try {
      expect(await findLeftovers(path.join(dir, left.workDirs[0]!))).toEqual(NOTHING_LEFT);
      expect((await findLeftovers(dir)).workDirs).toEqual([]);
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`^released what process ${child.pid} \\(gone\\) left in ${dir}/vmcraft-.+: mount .*, loop device /dev/loop\\d+, qemu-storage-daemon \\d+$`))]);
    } finally {
      await g.close();
    }
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
    expect(await readdir(registry)).toEqual([]);
  });
});
