import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../src/index.js';
import { Runner } from '../../src/core/exec.js';
import { kernelLeftovers, NO_KERNEL_LEFTOVERS } from './leaks.js';

let dir: string;
const runner = new Runner();
beforeAll(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-nbd-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));
afterEach(async () => expect(await kernelLeftovers()).toEqual(NO_KERNEL_LEFTOVERS));

async function image(format: string, name = `disk.${format}`): Promise<string> {
  const raw = path.join(dir, `${name}.raw`);
  await runner.run('truncate', ['-s', '64M', raw]);
  await runner.run('sfdisk', ['-q', raw], { input: 'label: gpt\n,,L\n' });
  const out = path.join(dir, name);
  await runner.run('qemu-img', ['convert', '-f', 'raw', '-O', format, raw, out]);
  return out;
}

describe('the nbd backend', () => {
  it.each(['qcow2', 'vmdk', 'vhdx', 'vdi', 'vpc', 'raw'])('attaches and detaches %s', async (format) => {
    await using g = await GuestFS.open(await image(format), { readonly: true, backend: 'nbd' });
    expect(g.hostDevice('/dev/sda')).toMatch(/^\/dev\/nbd\d+$/);
    expect(g.listPartitions()).toEqual(['/dev/sda1']);
  });

  it('passes the cache and aio modes to qemu-nbd', async () => {
    const traced: string[][] = [];
    const g = new GuestFS({ readonly: true, backend: 'nbd', nbd: { cache: 'writeback', aio: 'threads' } });
    g.on('trace', (e) => traced.push(e.argv));
    g.addDrive(await image('qcow2', 'modes.qcow2'));
    await g.launch();
    await g.close();
    expect(traced.find((a) => a[0] === 'qemu-nbd' && a[1]!.startsWith('--connect'))).toEqual(expect.arrayContaining(['--cache=writeback', '--aio=threads', '--read-only', '--format=qcow2']));
  });

  it('20 launch/close cycles leave nothing behind', async () => {
    const img = await image('qcow2', 'cycles.qcow2');
    for (let i = 0; i < 20; i++) {
      const g = await GuestFS.open(img, { readonly: true, backend: 'nbd' });
      await g.close();
    }
    expect(await kernelLeftovers()).toEqual(NO_KERNEL_LEFTOVERS);
  });

  it('gives two sessions in parallel distinct devices', async () => {
    const [a, b] = await Promise.all([image('qcow2', 'pa.qcow2'), image('qcow2', 'pb.qcow2')]);
    const [ga, gb] = await Promise.all([GuestFS.open(a, { readonly: true, backend: 'nbd' }), GuestFS.open(b, { readonly: true, backend: 'nbd' })]);
    try {
      expect(ga.hostDevice('/dev/sda')).not.toBe(gb.hostDevice('/dev/sda'));
    } finally {
      await Promise.all([ga.close(), gb.close()]);
    }
  });

  it('reclaims the device of a session killed with SIGKILL', async () => {
    const img = await image('qcow2', 'killed.qcow2');
    const script = `import('${path.resolve('src/index.ts')}').then(async ({ GuestFS }) => { const g = await GuestFS.open('${img}', { readonly: true, backend: 'nbd' }); console.log(g.hostDevice('/dev/sda')); setInterval(() => {}, 1000); });`;
    const child = execa('node', ['--import', 'tsx', '-e', script], { reject: false });
    const device = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => resolve(c.toString().trim()));
      child.on('exit', () => reject(new Error('the session process ended before it attached a device')));
    });
    child.kill('SIGKILL');
    await child;
    expect((await kernelLeftovers()).nbd).toEqual([path.basename(device)]);
    // The next session finds the dead owner's lock, disconnects the device and uses it.
    await using g = await GuestFS.open(img, { readonly: true, backend: 'nbd' });
    expect(g.hostDevice('/dev/sda')).toBe(device);
  });

  it('truncated images give EFORMAT and leave no device connected', async () => {
    const img = await image('qcow2', 'trunc.qcow2');
    await runner.run('truncate', ['-s', '1000', img]);
    await expect(GuestFS.open(img, { readonly: true, backend: 'nbd' })).rejects.toMatchObject({ code: 'EFORMAT' });
    // Given the format, detection is skipped and qemu-nbd itself refuses the image.
    await runner.run('truncate', ['-s', '0', img]);
    await expect(GuestFS.open(img, { readonly: true, backend: 'nbd', format: 'qcow2' })).rejects.toMatchObject({ code: 'EFORMAT' });
  });

  it.each(['raw', 'qcow2'])("takes the %s image's lock: a second writer and a reader are refused with EBUSY, a live reader opens", async (format) => {
    const img = await image(format, `locked.${format}`);
    await using writer = await GuestFS.open(img, { backend: 'nbd' });
    await expect(GuestFS.open(img, { backend: 'nbd' })).rejects.toMatchObject({ code: 'EBUSY' });
    await expect(GuestFS.open(img, { readonly: true, backend: 'nbd' })).rejects.toMatchObject({ code: 'EBUSY', message: expect.stringContaining('live: true') });
    await using live = await GuestFS.open(img, { readonly: true, live: true, backend: 'nbd' });
    expect([writer.listPartitions(), live.listPartitions()]).toEqual([['/dev/sda1'], ['/dev/sda1']]);
  });
});
