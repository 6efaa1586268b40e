import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CleanupStack } from '../../../src/core/cleanup.js';
import type { Runner } from '../../../src/core/exec.js';
import { pushTeardown, recordedTeardowns, runTeardown } from '../../../src/core/teardown.js';

/** A runner that runs nothing and keeps each argv with its environment. */
function recordingRunner(): { runner: Runner; calls: [string[], Record<string, string> | undefined][] } {
  const calls: [string[], Record<string, string> | undefined][] = [];
  const runner = { run: async (file: string, args: string[], options: { env?: Record<string, string> } = {}) => { calls.push([[file, ...args], options.env]); return { stdout: '', stderr: '', exitCode: 0 }; } };
  return { runner: runner as unknown as Runner, calls };
}

describe('teardown records', () => {
  let workDir: string;
  beforeEach(async () => { workDir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-teardown-')); });
  afterEach(async () => rm(workDir, { recursive: true, force: true }));

  it('records each command in the work directory and pushes it on the cleanup stack', async () => {
    const { runner, calls } = recordingRunner();
    const cleanup = new CleanupStack();
    await pushTeardown({ cleanup, runner, workDir }, 'LUKS mapping a', { file: 'cryptsetup', args: ['close', 'a'] });
    await pushTeardown({ cleanup, runner, workDir }, 'VG vg', { file: 'lvm', args: ['vgchange', '-a', 'n', 'vg'], env: { LVM_SYSTEM_DIR: '/x' } });
    expect(cleanup.labels()).toEqual(['LUKS mapping a', 'VG vg']);
    // Newest first: the order a reaper runs them in, as the stack releases them.
    expect(await recordedTeardowns(workDir)).toEqual([
      { file: 'lvm', args: ['vgchange', '-a', 'n', 'vg'], env: { LVM_SYSTEM_DIR: '/x' } },
      { file: 'cryptsetup', args: ['close', 'a'] },
    ]);
    await cleanup.releaseAll();
    expect(calls).toEqual([[['lvm', 'vgchange', '-a', 'n', 'vg'], { LVM_SYSTEM_DIR: '/x' }], [['cryptsetup', 'close', 'a'], undefined]]);
  });

  it('reads no records from a work directory without any', async () => {
    expect(await recordedTeardowns(workDir)).toEqual([]);
    expect(await recordedTeardowns(path.join(workDir, 'gone'))).toEqual([]);
  });

  it('runs one recorded command with its environment', async () => {
    const { runner, calls } = recordingRunner();
    await runTeardown({ file: 'mdadm', args: ['--stop', '/dev/md127'], env: { A: '1' } }, runner);
    expect(calls).toEqual([[['mdadm', '--stop', '/dev/md127'], { A: '1' }]]);
  });
});
