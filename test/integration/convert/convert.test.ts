import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, convertArgs, detectFormat, imageInfo, type OutputFormat, type ProgressEvent } from '../../../src/convert/index.js';
import { Runner, type RunOptions } from '../../../src/core/exec.js';
import { VmcraftError } from '../../../src/core/errors.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let source: string;
const runner = new Runner();

/** A 256 MiB raw image with random data at a few offsets, so conversions have work to do. */
async function makeSource(file: string, sizeMiB = 256): Promise<void> {
  await runner.run('truncate', ['-s', `${sizeMiB}M`, file]);
  for (const offsetMiB of [0, 17, 100, sizeMiB - 9]) {
    await runner.run('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=8', `seek=${offsetMiB}`, 'conv=notrunc', 'status=none']);
  }
}

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('convert'));
  source = path.join(dir, 'source.raw');
  await makeSource(source);
});
afterAll(async () => remove());

describe('convert', () => {
  it.each([
    ['qcow2', {}], ['qcow2', { compress: true }], ['qcow2', { preallocation: 'metadata', clusterSize: 2 ** 21 }],
    ['vmdk', { subformat: 'monolithicSparse' }], ['vmdk', { subformat: 'streamOptimized' }], ['vmdk', { subformat: 'monolithicFlat' }],
    ['vmdk', { subformat: 'twoGbMaxExtentSparse' }], ['vmdk', { subformat: 'twoGbMaxExtentFlat' }],
    ['vhdx', {}], ['vhd', {}], ['vhd', { subformat: 'fixed' }], ['vdi', {}], ['qed', {}], ['parallels', {}], ['raw', {}],
  ] as [OutputFormat, object][])('raw → %s %o → qcow2, verified by content both ways', async (format, extra) => {
    const sub = path.join(dir, `to-${format}-${Object.values(extra).join('-')}`);
    await mkdir(sub);
    const out = path.join(sub, `out.${format}`);
    const result = await convert(source, out, { format, ...extra, verify: 'compare' });
    expect(result).toMatchObject({ output: out, format, sourceFormat: 'raw', virtualSize: 256 * 1024 * 1024, verified: 'compare' });
    expect(result.sha256).toBe(await sha256File(out));
    expect(result.size).toBe((await stat(out)).size);
    expect((await detectFormat(out)).format).toBe(format);
    // Extents of descriptor-based vmdks carry the output's name, and no temp file is left over.
    expect((await readdir(sub)).filter((f) => f.startsWith('.'))).toEqual([]);
    if (format === 'vmdk' && /Flat|twoGb/.test(String((extra as { subformat?: string }).subformat))) {
      expect((await readdir(sub)).every((f) => f.startsWith('out'))).toBe(true);
      expect((await readdir(sub)).length).toBeGreaterThan(1);
    }
    // And back: the format as an input, detected from its content.
    const back = await convert(out, path.join(sub, 'back.qcow2'), { verify: 'check' });
    expect(back.sourceFormat).toBe(format);
    await runner.run('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', source, path.join(sub, 'back.qcow2')]);
  });

  it('retries a conversion that failed on a transient lock, and not one that failed for good', async () => {
    /** A real runner whose first `qemu-img convert` fails as a held image lock would (qemu's own message). */
    function lockedOnce(stderr: string): Runner & { converts: number } {
      const runner = Object.assign(new Runner(), { converts: 0 });
      const real = runner.run.bind(runner);
      runner.run = (async (file: string, args: readonly string[], options?: RunOptions) => {
        if (file === 'qemu-img' && args[0] === 'convert' && runner.converts++ === 0) {
          throw new VmcraftError('ECOMMAND', 'qemu-img convert failed with exit code 1', { command: { command: 'qemu-img convert', argv: ['qemu-img', ...args], exitCode: 1, stderr, durationMs: 5 } });
        }
        return real(file, args, options);
      }) as Runner['run'];
      return runner;
    }
    const transient = lockedOnce('qemu-img: Could not open \'/x\': Failed to get shared "write" lock\nIs another process using the image [/x]?');
    await convert(source, path.join(dir, 'retried.qcow2'), { runner: transient, checksum: false });
    expect(transient.converts).toBe(2);
    const permanent = lockedOnce('qemu-img: error while writing at byte 0: No space left on device');
    await expect(convert(source, path.join(dir, 'not-retried.qcow2'), { runner: permanent })).rejects.toMatchObject({ code: 'ECOMMAND' });
    expect(permanent.converts).toBe(1);
    expect((await readdir(dir)).filter((f) => f.includes('not-retried'))).toEqual([]);
  });

  it('refuses a backing file it was not allowed to read (EUNSAFE), reports a missing one as ECHAIN, and leaves nothing', async () => {
    const d = path.join(dir, 'orphan');
    await mkdir(d);
    await runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', 'gone.qcow2', '-F', 'qcow2', path.join(d, 'child.qcow2'), '64M']);
    await expect(convert(path.join(d, 'child.qcow2'), path.join(d, 'out.qcow2'))).rejects.toMatchObject({ code: 'EUNSAFE' });
    await expect(convert(path.join(d, 'child.qcow2'), path.join(d, 'out.qcow2'), { chain: { allowDir: d } })).rejects.toMatchObject({ code: 'ECHAIN' });
    expect(await readdir(d)).toEqual(['child.qcow2']);
  });

  it('refuses a missing target directory, and converting an image onto itself', async () => {
    await expect(convert(source, path.join(dir, 'no-such-dir', 'x.qcow2'))).rejects.toMatchObject({ code: 'ENOENT' });
    const self = path.join(dir, 'self.qcow2');
    await convert(source, self);
    await expect(convert(self, self, { overwrite: true })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('onto itself') });
    expect((await detectFormat(self)).format).toBe('qcow2');
  });

  it('reports progress in order, ending at 100, with bytes, rate and ETA', async () => {
    const events: ProgressEvent[] = [];
    await convert(source, path.join(dir, 'progress.qcow2'), { onProgress: (e) => events.push(e) });
    expect(events.length).toBeGreaterThan(2);
    expect(events.map((e) => e.percent)).toEqual([...events.map((e) => e.percent)].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ percent: 100, bytes: 256 * 1024 * 1024, totalBytes: 256 * 1024 * 1024 });
    expect(events.some((e) => e.rateBytesPerSecond > 0)).toBe(true);
  });

  it('never overwrites unless told, and replaces atomically when told', async () => {
    const out = path.join(dir, 'exists.qcow2');
    await writeFile(out, 'precious');
    await expect(convert(source, out)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(out, 'utf8')).toBe('precious');
    await convert(source, out, { overwrite: true, verify: 'check' });
    expect((await detectFormat(out)).format).toBe('qcow2');
  });

  it('an abort mid-way leaves no partial output and no temp file', async () => {
    const big = path.join(dir, 'big.raw');
    await makeSource(big, 1024);
    const out = path.join(dir, 'aborted', 'out.qcow2');
    await mkdir(path.dirname(out));
    const controller = new AbortController();
    const p = convert(big, out, { compress: true, signal: controller.signal, onProgress: (e) => e.percent > 1 && controller.abort() });
    await expect(p).rejects.toMatchObject({ code: 'EABORTED' });
    expect(await readdir(path.dirname(out))).toEqual([]);
  });

  it('builds argv without running anything', () => {
    const chain = [{ path: '/a.vmdk', format: 'vmdk' as const }, { path: '/b.vmdk', format: 'vmdk' as const }];
    expect(convertArgs(chain, '/t', { format: 'qcow2', compress: true, sparse: false, threads: 4, clusterSize: 2 ** 21, preallocation: 'metadata' })).toEqual([
      'convert', '-p', '-f', 'vmdk', '-O', 'qcow2', '-c', '-S', '0', '-m', '4', '-o', 'preallocation=metadata,cluster_size=2097152',
      'json:{"driver":"vmdk","read-only":true,"file":{"driver":"file","filename":"/a.vmdk","read-only":true},"backing":{"driver":"vmdk","read-only":true,"file":{"driver":"file","filename":"/b.vmdk","read-only":true},"backing":null}}',
      '/t',
    ]);
    expect(() => convertArgs([{ path: '/a', format: 'raw' }], '/t', { threads: 99 })).toThrow(/1 to 16, got `99`/);
  });

  it('gives typed errors for unreadable input', async () => {
    const bad = path.join(dir, 'bad.qcow2');
    await writeFile(bad, (await readFile(path.join(dir, 'progress.qcow2'))).subarray(0, 300));
    await expect(convert(bad, path.join(dir, 'never.qcow2'))).rejects.toMatchObject({ code: 'EFORMAT' });
    expect((await readdir(dir)).filter((f) => f.includes('never'))).toEqual([]);
  });
});

describe('imageInfo', () => {
  it('gives a typed result of qemu-img info', async () => {
    const info = await imageInfo(path.join(dir, 'progress.qcow2'));
    expect(info).toMatchObject({ format: 'qcow2', virtualSize: 256 * 1024 * 1024, dirty: false, encrypted: false, clusterSize: 65536 });
    expect(info.formatSpecific?.type).toBe('qcow2');
    expect(info.chain).toHaveLength(1);
  });
});
