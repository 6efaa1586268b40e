/** inspectFiles: the reader inspection uses, reads bounded and a failing path absent with a warning. */
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirGuestReader } from '../../../src/fs/reader.js';
import { inspectFiles, SMALL_FILE_LIMIT } from '../../../src/inspect/guest-files.js';

let base: string;
let count = 0;
beforeAll(async () => (base = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-test-guest-files-'))));
afterAll(async () => rm(base, { recursive: true, force: true }));

/** A guest tree with `files` (guest path → content). */
async function makeRoot(files: Record<string, string> = {}): Promise<string> {
  const root = path.join(base, `root${count++}`);
  await mkdir(path.join(root, 'etc'), { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(root, file), content);
  return root;
}

describe('inspectFiles', () => {
  it('reads a file of up to its bound, and ignores a larger one with a warning', async () => {
    const root = await makeRoot({ 'etc/fits': 'x'.repeat(SMALL_FILE_LIMIT), 'etc/over': 'x'.repeat(SMALL_FILE_LIMIT + 1) });
    const warnings: string[] = [];
    const files = inspectFiles(dirGuestReader(root), (m) => warnings.push(m));
    expect((await files.readText('/etc/fits'))?.length).toBe(SMALL_FILE_LIMIT);
    expect(await files.readText('/etc/over')).toBeUndefined();
    expect(await files.readText('/etc/over', SMALL_FILE_LIMIT + 1)).toHaveLength(SMALL_FILE_LIMIT + 1);
    expect(await files.readText('/etc/absent')).toBeUndefined();
    expect(warnings).toEqual([`/etc/over ignored: larger than ${SMALL_FILE_LIMIT} bytes`]);
  });

  it('reads at most its bound of a 3 GiB sparse file', async () => {
    const root = await makeRoot({ 'etc/hostname': '' });
    await truncate(path.join(root, 'etc/hostname'), 3 * 2 ** 30);
    const warnings: string[] = [];
    expect(await inspectFiles(dirGuestReader(root), (m) => warnings.push(m)).readText('/etc/hostname')).toBeUndefined();
    expect(warnings).toEqual([`/etc/hostname ignored: larger than ${SMALL_FILE_LIMIT} bytes`]);
  });

  it('treats a path whose lookup fails (a symlink loop) as absent, with a warning', async () => {
    const root = await makeRoot();
    await symlink('loop-b', path.join(root, 'etc/loop-a'));
    await symlink('loop-a', path.join(root, 'etc/loop-b'));
    const warnings: string[] = [];
    const files = inspectFiles(dirGuestReader(root), (m) => warnings.push(m));
    expect(await files.readText('/etc/loop-a')).toBeUndefined();
    expect(await files.readHead('/etc/loop-a', 4)).toBeUndefined();
    expect(await files.exists('/etc/loop-a/x')).toBe(false);
    expect(await files.isDir('/etc/loop-a')).toBe(false);
    expect(await files.list('/etc/loop-a')).toEqual([]);
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toMatch(/^\/etc\/loop-a ignored: ELOOP: /);
  });
});
