/**
 * Issue 13: names that are not UTF-8 (raw bytes in and out of every call),
 * a 10 001-level tree (no level dropped, linear lookups, the bottom file
 * readable) and checksumsOut as `find -type f | xargs sha256sum` prints it.
 * On a GuestFS session over a copy of the plain fixture grown to 256 MiB.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestFS } from '../../../src/index.js';
import { scratchDir } from '../../helpers/images.js';
import { closePlain, mountedPlain, plainImage } from '../../helpers/plain-guest.js';

let dir: string;
let remove: () => Promise<void>;
let g: GuestFS;
let root: string;
const warnings: string[] = [];
const DEPTH = 10_001;
const bad = Buffer.from('bad\xff\xfe.txt', 'latin1');
const badDir = Buffer.from('dir\x80', 'latin1');

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('fs-names'));
  ({ g, root } = await mountedPlain(await plainImage(dir, 'guest.raw', 256), { tmpDir: dir }));
  g.on('log', (e: { level: string; message: string }) => {
    if (e.level === 'warn') warnings.push(e.message);
  });
  await mkdir(path.join(root, 'raw'));
  await writeFile(Buffer.concat([Buffer.from(`${root}/raw/`), bad]), 'evidence');
  await mkdir(Buffer.concat([Buffer.from(`${root}/raw/`), badDir]));
  await writeFile(Buffer.concat([Buffer.from(`${root}/raw/`), badDir, Buffer.from('/inner')]), 'inside');
  await writeFile(path.join(root, 'raw', 'back\\slash'), 'b');
  await writeFile(path.join(root, 'raw', 'new\nline'), 'n');
  // The deep tree, built level by level from the current directory (no long paths).
  await execa('python3', ['-c', `import os\nos.chdir(${JSON.stringify(root)})\nos.mkdir('deep'); os.chdir('deep')\nfor i in range(${DEPTH}):\n    os.mkdir('d'); os.chdir('d')\nopen('bottom', 'w').write('found')`]);
}, 120_000);
afterAll(() => closePlain(g, dir, remove));

describe('names that are not UTF-8', () => {
  it('are listed as raw bytes and read, stat-ed and downloaded through them', async () => {
    const raw = (await g.ls('/raw', { encoding: 'buffer' })).map((n) => n.toString('latin1'));
    expect(raw).toEqual(['back\\slash', badDir.toString('latin1'), bad.toString('latin1'), 'new\nline'].sort());
    const found = await g.find('/raw', { encoding: 'buffer' });
    expect(found.map((n) => n.toString('latin1'))).toContain(`${badDir.toString('latin1')}/inner`);
    const path = Buffer.concat([Buffer.from('/raw/'), bad]);
    expect((await g.stat(path)).size).toBe(8);
    expect(await g.read(path, 'utf8')).toBe('evidence');
    expect(await g.read(Buffer.concat([Buffer.from('/raw/'), badDir, Buffer.from('/inner')]), 'utf8')).toBe('inside');
    const out = `${dir}/downloaded`;
    await g.download(path, out);
    expect(await readFile(out, 'utf8')).toBe('evidence');
  });

  it('come back as text that names the same file (surrogate escapes), never dropped', async () => {
    const names = await g.find('/raw');
    expect(names).toHaveLength(5);
    for (const name of names) {
      if (!(await g.isFile(`/raw/${name}`))) continue;
      expect((await g.read(`/raw/${name}`)).length).toBeGreaterThan(0);
    }
    expect(Buffer.compare(Buffer.from(await g.readlink(await linkTo(bad), { encoding: 'buffer' })), bad)).toBe(0);
  });
});

/** A symlink whose target text is raw bytes. */
async function linkTo(target: Buffer): Promise<string> {
  await g.lnS(target, '/raw-link');
  return '/raw-link';
}

describe('a tree 10 001 levels deep', () => {
  it('is walked to the bottom, looked up and read in linear time', async () => {
    const started = performance.now();
    const names = await g.find('/deep');
    expect(names).toHaveLength(DEPTH + 1);
    expect(names).toContain(`${'d/'.repeat(DEPTH)}bottom`);
    const bottom = `/deep/${'d/'.repeat(DEPTH)}bottom`;
    expect((await g.lstat(bottom)).type).toBe('file');
    expect(await g.read(bottom, 'utf8')).toBe('found');
    expect(await g.checksum('sha256', bottom)).toBe(createHash('sha256').update('found').digest('hex'));
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(warnings).toEqual([]);
  }, 120_000);
});

describe('checksumsOut', () => {
  it('writes what find -type f | xargs sha256sum prints, in-process', async () => {
    const out = `${dir}/sums`;
    await g.checksumsOut('sha256', '/raw', out);
    const theirs = await execa('sh', ['-c', 'cd "$1" && find -type f -print0 | xargs -0 sha256sum', 'sh', `${root}/raw`], { encoding: 'buffer' });
    const lines = (b: Uint8Array) => Buffer.from(b).toString('latin1').split('\n').filter(Boolean).sort();
    expect(lines(await readFile(out))).toEqual(lines(theirs.stdout));
    await g.checksumsOut('crc', '/raw', out);
    const cksum = await execa('sh', ['-c', 'cd "$1" && find -type f -print0 | xargs -0 cksum', 'sh', `${root}/raw`], { encoding: 'buffer' });
    expect(lines(await readFile(out))).toEqual(lines(cksum.stdout));
    const typed = await g.checksums('md5', '/raw');
    expect(typed.find((s) => s.path === 'back\\slash')?.checksum).toBe(createHash('md5').update('b').digest('hex'));
  });
});
