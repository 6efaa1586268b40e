import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_STAGES, formatSummary } from '../../../src/index.js';
import { orderStages } from '../../../src/pipeline/stage.js';
import { BUILTIN_STAGE_TABLE } from '../../../src/pipeline/stages/index.js';
import { outputPath } from '../../../src/pipeline/stages/convert.js';
import { hashOf, loadState, sameDisks, saveState, stampFile, stampHolds } from '../../../src/pipeline/state.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-test-stages-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

const named = (name: string, after?: string) => ({ name, ...(after ? { after } : {}) });

describe('the stage table', () => {
  it('runs the built-in stages in their fixed order', () => {
    expect(BUILTIN_STAGE_TABLE.map((s) => s.name)).toEqual([...BUILTIN_STAGES]);
    expect(BUILTIN_STAGES).toEqual(['fetch', 'flatten', 'inspect', 'fix', 'convert', 'validate']);
  });

  it('puts custom stages after the stage they name, in registration order, chained ones after their anchor', () => {
    const table = orderStages(['a', 'b', 'c'].map((n) => named(n)), [named('x', 'a'), named('z', 'x'), named('y', 'a'), named('w', 'c')]);
    expect(table.map((s) => s.name)).toEqual(['a', 'x', 'y', 'z', 'b', 'c', 'w']);
  });

  it('refuses a custom stage without an anchor, with an unknown anchor, or with a taken name', () => {
    expect(() => orderStages([named('a')], [named('x')])).toThrow(/must say which stage it runs after/);
    expect(() => orderStages([named('a')], [named('x', 'nowhere')])).toThrow('custom stage "x" runs after "nowhere", which is no stage (known: a, x)');
    expect(() => orderStages([named('a')], [named('a', 'a')])).toThrow('two stages are named "a"');
  });
});

describe('resume state', () => {
  it('stamps files and sees a change of content, not a mere touch', async () => {
    const file = path.join(dir, 'disk.raw');
    await writeFile(file, 'content one');
    const stamp = await stampFile(file);
    expect(stamp).toMatchObject({ path: file, size: 11, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await stampHolds(stamp)).toBe(true);
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(await stampHolds(stamp)).toBe(true); // touched, same content
    await writeFile(file, 'content two');
    expect(await stampHolds(stamp)).toBe(false);
    await rm(file);
    expect(await stampHolds(stamp)).toBe(false);
  });

  it('lends a known sha256 to a file of the same size and mtime, and reads nothing in a dry run', async () => {
    const file = path.join(dir, 'known.raw');
    await writeFile(file, 'abc');
    const real = await stampFile(file);
    expect(real.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect((await stampFile(file, [{ ...real, sha256: 'from-the-state-file' }])).sha256).toBe('from-the-state-file');
    expect((await stampFile(file, [], false)).sha256).toBe('');
  });

  it('compares disk lists by paths, formats and content', () => {
    const disk = { path: '/a', format: 'qcow2' as const, files: [{ path: '/a', size: 1, mtimeMs: 1, sha256: 'x' }] };
    expect(sameDisks([disk], [{ ...disk, files: [{ ...disk.files[0]!, mtimeMs: 2 }] }])).toBe(true);
    expect(sameDisks([disk], [{ ...disk, files: [{ ...disk.files[0]!, sha256: 'y' }] }])).toBe(false);
    expect(sameDisks([disk], [{ ...disk, format: 'raw' }])).toBe(false);
    expect(sameDisks([disk], [])).toBe(false);
  });

  it('hashes options independently of key order', () => {
    expect(hashOf({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(hashOf({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(hashOf({ a: 1 })).not.toBe(hashOf({ a: 2 }));
  });

  it('saves atomically and refuses a state file of another VM or one that is not JSON', async () => {
    const file = path.join(dir, 'out.qcow2.vmcraft-state.json');
    expect(await loadState(file, 'web01')).toEqual({ version: 1, vm: 'web01', stages: {} });
    await saveState(file, { version: 1, vm: 'web01', stages: {} });
    await expect(loadState(file, 'db01')).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('belongs to "web01", not "db01"') });
    await writeFile(file, '{ truncated');
    await expect(loadState(file, 'web01')).rejects.toMatchObject({ code: 'EFORMAT' });
  });
});

describe('outputs and the summary', () => {
  it('names the outputs of further disks after the first', () => {
    expect(outputPath('/srv/web01.qcow2', 0)).toBe('/srv/web01.qcow2');
    expect(outputPath('/srv/web01.qcow2', 2)).toBe('/srv/web01-2.qcow2');
    expect(outputPath('/srv/web01', 1)).toBe('/srv/web01-1');
  });

  it('prints each VM, its stages, outputs and error, and the counts', () => {
    const text = formatSummary({
      durationMs: 12_345, ok: 1, failed: 1,
      vms: [
        { name: 'web01', status: 'ok', startedAt: '', durationMs: 12_000, reportFile: '', stages: [{ name: 'fetch', status: 'reused', durationMs: 0 }, { name: 'convert', status: 'done', durationMs: 11_900 }], produced: [{ path: '/srv/web01.qcow2', format: 'qcow2', size: 3 * 2 ** 30, sha256: 'ab'.repeat(32) }] },
        { name: 'db01', status: 'failed', startedAt: '', durationMs: 300, reportFile: '', stages: [{ name: 'inspect', status: 'failed', durationMs: 300 }], produced: [], error: { code: 'EINSPECT', message: 'no operating system found' } },
      ],
    });
    expect(text).toBe(
      'web01: ok in 12.0 s — fetch reused · convert done 11.9 s\n' +
        '  → /srv/web01.qcow2 (qcow2, 3.0 GiB, sha256 abababababababab…)\n' +
        'db01: failed in 0.3 s — inspect failed\n' +
        '  ✗ EINSPECT: no operating system found\n' +
        '2 VM(s): 1 ok, 1 failed, 12.3 s\n',
    );
  });
});
