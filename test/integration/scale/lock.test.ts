/**
 * The VM lock on the shared storage: one owner at a time, a live owner's lock
 * refused with EBUSY naming it, a dead owner's (or a silent remote one's)
 * lock taken over, a lock taken from its owner noticed by the owner.
 */
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockVm } from '../../../src/scale/lock.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await scratchDir('scale-lock')));
afterAll(async () => remove());

describe('lockVm', () => {
  it('one owner at a time: a second lock of the same VM is EBUSY naming the owner; released, it can be taken again', async () => {
    const state = path.join(dir, 'a.qcow2.vmcraft-state.json');
    const lock = await lockVm(state);
    expect(JSON.parse(await readFile(`${state}.lock`, 'utf8'))).toMatchObject({ host: os.hostname(), pid: process.pid });
    await expect(lockVm(state)).rejects.toMatchObject({ code: 'EBUSY', message: expect.stringContaining(`the VM is being migrated by pid ${process.pid} on ${os.hostname()}`) });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    const again = await lockVm(state);
    await again.release();
  });

  it('takes over the lock of a process of this host that is gone, and of a host whose heartbeat stopped', async () => {
    const state = path.join(dir, 'b.qcow2.vmcraft-state.json');
    const dead = execa('true');
    await dead;
    await writeFile(`${state}.lock`, JSON.stringify({ host: os.hostname(), pid: dead.pid, token: 'old', since: 'then' }));
    const lock = await lockVm(state);
    await lock.release();
    await writeFile(`${state}.lock`, JSON.stringify({ host: 'other-host', pid: 1, token: 'remote', since: 'then' }));
    await expect(lockVm(state, { staleMs: 60_000 })).rejects.toMatchObject({ code: 'EBUSY', message: expect.stringContaining('pid 1 on other-host') });
    const old = new Date(Date.now() - 120_000);
    await utimes(`${state}.lock`, old, old);
    const taken = await lockVm(state, { staleMs: 60_000 });
    await taken.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('an owner whose lock was taken from it is told (lost), and does not remove the new owner\'s lock', async () => {
    const state = path.join(dir, 'c.qcow2.vmcraft-state.json');
    const lock = await lockVm(state, { staleMs: 4000 });
    await writeFile(`${state}.lock`, JSON.stringify({ host: 'other-host', pid: 1, token: 'thief', since: 'now' }));
    await new Promise((resolve) => lock.lost.addEventListener('abort', resolve));
    expect(lock.lost.reason).toMatchObject({ code: 'EBUSY', message: expect.stringContaining('lock was taken by pid 1 on other-host') });
    await lock.release();
    expect(JSON.parse(await readFile(`${state}.lock`, 'utf8'))).toMatchObject({ token: 'thief' });
  });
});
