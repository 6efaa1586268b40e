/**
 * The shell's guestfish commands, through the built CLI on a scratch ext4 image: with several
 * sources, `copy-in LOCALPATH… REMOTEDIR` and `copy-out REMOTEPATH… LOCALDIR` (the trees
 * round-trip, every source is checked before the first copy so a typo copies nothing, a
 * read-only session refuses copy-in before anything is written); and `statvfs` as guestfish
 * prints libguestfs's struct.
 */
import { mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { assertBuiltCliFresh, BUILT_CLI } from '../../helpers/cli.js';

let dir: string;
let remove: () => Promise<void>;
let img: string;
let src: string;
const UUID = '0b9e3c52-7d41-4c8e-9a63-5f2d1e0c4b7a';

beforeAll(async () => {
  await assertBuiltCliFresh(['src/cli', 'src/api']);
  ({ dir, remove } = await scratchDir('cli-guestfish-copy'));
  img = path.join(dir, 'disk.raw');
  await execa('truncate', ['-s', '64M', img]);
  await execa('mkfs.ext4', ['-q', '-U', UUID, img]);
  // Host sources: two files and a tree with a symlink.
  src = path.join(dir, 'src');
  await mkdir(path.join(src, 'tree/sub'), { recursive: true });
  await writeFile(path.join(src, 'one.txt'), 'one\n');
  await writeFile(path.join(src, 'two.bin'), Buffer.from([0, 1, 2, 255]));
  await writeFile(path.join(src, 'tree/sub/deep.txt'), 'deep\n');
  await symlink('sub/deep.txt', path.join(src, 'tree/link'));
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

/** The built CLI on the scratch image with its filesystem mounted at / (-m), each line a --run. */
async function shell(lines: string[], extra: string[] = []) {
  const r = await execa('node', [BUILT_CLI, '-a', img, '-m', '/dev/sda', ...extra, ...lines.flatMap((l) => ['--run', l])], { reject: false, env: { TMPDIR: dir }, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('copy-in and copy-out with several sources', () => {
  it('copy-in LOCAL LOCAL LOCAL REMOTEDIR puts each under the directory; copy-out REMOTE REMOTE LOCALDIR brings them back', async () => {
    const local = (n: string) => path.join(src, n);
    const r = await shell(['mkdir /in', `copy-in ${local('one.txt')} ${local('two.bin')} ${local('tree')} /in`, 'ls /in', 'cat /in/tree/sub/deep.txt', 'readlink /in/tree/link']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['one.txt', 'tree', 'two.bin', 'deep', 'sub/deep.txt']);
    const out = path.join(dir, 'out');
    await mkdir(out);
    const back = await shell([`copy-out /in/one.txt /in/two.bin /in/tree ${out}`], ['--ro']);
    expect(back.stderr).toBe('');
    expect(back.exitCode).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['one.txt', 'tree', 'two.bin']);
    expect(await readFile(path.join(out, 'two.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(await readFile(path.join(out, 'tree/sub/deep.txt'), 'utf8')).toBe('deep\n');
    expect(await readlink(path.join(out, 'tree/link'))).toBe('sub/deep.txt');
  });

  it('a missing source or a target that is not a directory copies nothing: exit 1 with the reason', async () => {
    const missing = await shell(['mkdir /typo', `copy-in ${path.join(src, 'one.txt')} ${path.join(src, 'nope')} /typo`]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.split('\n')[0]).toMatch(/ENOENT: copy-in: .*nope: no such file or directory/);
    expect((await shell(['ls /typo'])).stdout).toBe('');
    const notDir = await shell([`copy-in ${path.join(src, 'one.txt')} /in/one.txt`]);
    expect(notDir.stderr.split('\n')[0]).toMatch(/copy-in: target '\/in\/one.txt' is not a directory/);
    const outFile = path.join(dir, 'plain-file');
    await writeFile(outFile, 'x');
    const outNotDir = await shell([`copy-out /in/one.txt ${outFile}`], ['--ro']);
    expect(outNotDir.exitCode).toBe(1);
    expect(outNotDir.stderr.split('\n')[0]).toMatch(/copy-out: target '.*plain-file' is not a directory/);
    const outMissing = await shell([`copy-out /in/one.txt /in/nope ${dir}`], ['--ro']);
    expect(outMissing.stderr.split('\n')[0]).toMatch(/copy-out: \/in\/nope: no such file or directory in the guest/);
    expect(await readdir(dir)).not.toContain('one.txt');
    expect((await shell(['copy-in /in'])).stderr.split('\n')[0]).toMatch(/copy-in: expected LOCALPATH… REMOTEDIR/);
  });

  it('copy-in is refused in a read-only session, and the image stays byte-identical', async () => {
    const before = await sha256File(img);
    const r = await shell([`copy-in ${path.join(src, 'one.txt')} ${path.join(src, 'two.bin')} /`], ['--ro']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/EREADONLY/);
    expect(await sha256File(img)).toBe(before);
  });
});

describe('statvfs', () => {
  it("prints libguestfs's fields in its order, with ext4's fsid (its UUID's two halves xor-ed) and the mount's flags", async () => {
    const uuid = Buffer.from(UUID.replace(/-/g, ''), 'hex');
    const fsid = BigInt.asIntN(64, uuid.readBigUInt64LE(0) ^ uuid.readBigUInt64LE(8)).toString();
    const parse = (stdout: string) => Object.fromEntries(stdout.split('\n').map((l) => l.split(': ') as [string, string]));
    const ro = await shell(['statvfs /'], ['--ro']);
    expect(ro.stderr).toBe('');
    const fields = parse(ro.stdout);
    expect(Object.keys(fields)).toEqual(['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'fsid', 'flag', 'namemax']);
    expect(fields.fsid).toBe(fsid);
    expect(fields.namemax).toBe('255');
    expect(fields.favail).toBe(fields.ffree);
    // 64 MiB of filesystem, counted in fragments.
    expect(Number(fields.blocks) * Number(fields.frsize)).toBeGreaterThan(50 * 2 ** 20);
    expect(Number(fields.blocks) * Number(fields.frsize)).toBeLessThanOrEqual(64 * 2 ** 20);
    // ST_RDONLY on the read-only mount, not on the read-write one.
    expect(Number(fields.flag) & 1).toBe(1);
    expect(Number(parse((await shell(['statvfs /'])).stdout).flag) & 1).toBe(0);
  });
});
