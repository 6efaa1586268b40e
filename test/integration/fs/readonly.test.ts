/**
 * Read-only guests: the session's own check refuses writes before anything is
 * touched, and where it lets one through, the kernel's EROFS from the
 * read-only mount becomes EREADONLY too. The image stays byte-identical.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import { chmodPath, chownPath } from '../../../src/fs/files/attrs.js';
import type { FileContext } from '../../../src/fs/files/context.js';
import { cp, cpA, cpR, ln, lnS, mkdirPath, mv, rmdirPath, rmFile, rmRf } from '../../../src/fs/files/tree.js';
import { touch, truncatePath, upload, write, writeAppend } from '../../../src/fs/files/write.js';
import { API, type GuestFS } from '../../../src/index.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { closePlain, mountedPlain, plainImage } from '../../helpers/plain-guest.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;
let imageSum: string;
let g: GuestFS;
let root: string;
let hostFile: string;

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

/** Every write call of GuestFS's files group, on paths that exist in the image. */
function writes(): [string, () => Promise<unknown>][] {
  return [
    ['write', () => g.write('/etc/hostname', 'x')],
    ['writeAppend', () => g.writeAppend('/etc/hostname', 'x')],
    ['touch', () => g.touch('/etc/hostname')],
    ['truncate', () => g.truncate('/etc/hostname')],
    ['truncate', () => g.truncate('/etc/hostname', 100)],
    ['upload', () => g.upload(hostFile, '/etc/uploaded')],
    ['mkdir', () => g.mkdir('/newdir')],
    ['mkdirP', () => g.mkdirP('/etc/a/b')],
    ['rm', () => g.rm('/etc/hostname')],
    ['rmRf', () => g.rmRf('/etc')],
    ['rmdir', () => g.rmdir('/empty')],
    ['cp', () => g.cp('/etc/hostname', '/etc/copy')],
    ['cpA', () => g.cpA('/etc', '/etc2')],
    ['mv', () => g.mv('/etc/hostname', '/etc/moved')],
    ['chmod', () => g.chmod(0o600, '/etc/hostname')],
    ['chown', () => g.chown(1, 1, '/etc/hostname')],
    ['lnS', () => g.lnS('target', '/etc/newlink')],
    ['write_append', () => g.write_append('/etc/hostname', 'x')],
    ['tarIn', () => g.tarIn(hostFile, '/etc')],
    ['tgzIn', () => g.tgzIn(hostFile, '/etc')],
    ['txzIn', () => g.txzIn(hostFile, '/etc')],
    ['copyIn', () => g.copyIn(hostFile, '/etc')],
    ['uploadOffset', () => g.uploadOffset(hostFile, '/etc/hostname', 1)],
    ['pwrite', () => g.pwrite('/etc/hostname', 'x', 1)],
    ['setxattr', () => g.setxattr('user.x', 'y', 1, '/etc/hostname')],
    ['lsetxattr', () => g.lsetxattr('user.x', 'y', 1, '/etc/hostname')],
    ['removexattr', () => g.removexattr('user.x', '/etc/hostname')],
    ['lremovexattr', () => g.lremovexattr('user.x', '/etc/hostname')],
    ['setE2attrs', () => g.setE2attrs('/etc/hostname', 'A')],
    ['scrubFile', () => g.scrubFile('/etc/hostname')],
  ];
}

/** The same writes (and libguestfs' rm_f, cp_r, lchown, ln) as the fs functions on a context. */
function fsWrites(ctx: FileContext): [string, () => Promise<unknown>][] {
  return [
    ['write', () => write(ctx, '/etc/hostname', 'x')],
    ['writeAppend', () => writeAppend(ctx, '/etc/hostname', 'x')],
    ['touch', () => touch(ctx, '/etc/hostname')],
    ['truncate', () => truncatePath(ctx, '/etc/hostname', 0)],
    ['truncateSize', () => truncatePath(ctx, '/etc/hostname', 100)],
    ['upload', () => upload(ctx, hostFile, '/etc/uploaded')],
    ['mkdir', () => mkdirPath(ctx, '/newdir', false)],
    ['mkdirP', () => mkdirPath(ctx, '/etc/a/b', true)],
    ['rm', () => rmFile(ctx, '/etc/hostname')],
    ['rmF', () => rmFile(ctx, '/etc/hostname', true)],
    ['rmRf', () => rmRf(ctx, '/etc')],
    ['rmdir', () => rmdirPath(ctx, '/empty')],
    ['cp', () => cp(ctx, '/etc/hostname', '/etc/copy')],
    ['cpA', () => cpA(ctx, '/etc', '/etc2')],
    ['cpR', () => cpR(ctx, '/etc', '/etc3')],
    ['mv', () => mv(ctx, '/etc/hostname', '/etc/moved')],
    ['chmod', () => chmodPath(ctx, 0o600, '/etc/hostname')],
    ['chown', () => chownPath(ctx, 1, 1, '/etc/hostname')],
    ['lchown', () => chownPath(ctx, 1, 1, '/etc/link', false)],
    ['lnS', () => lnS(ctx, 'target', '/etc/newlink')],
    ['ln', () => ln(ctx, '/etc/hostname', '/etc/hard')],
  ];
}

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('fs-ro'));
  hostFile = path.join(dir, 'host-file');
  await writeFile(hostFile, 'data');
  image = await plainImage(dir, 'guest.raw');
  const rw = await mountedPlain(image, { tmpDir: dir });
  try {
    await rw.g.mkdirP('/etc');
    await rw.g.mkdir('/empty');
    await rw.g.write('/etc/hostname', 'evidence\n');
    await rw.g.lnS('hostname', '/etc/link');
  } finally {
    await rw.g.close();
  }
  imageSum = await sha256File(image);
  ({ g, root } = await mountedPlain(image, { tmpDir: dir, readonly: true }));
});
afterAll(() => closePlain(g, dir, remove, async () => expect(await sha256File(image)).toBe(imageSum)));

describe('a read-only guest', () => {
  it('reads normally', async () => {
    expect(await g.read('/etc/link', 'utf8')).toBe('evidence\n');
    expect(await g.find('/')).toEqual(['data', 'data/readme.txt', 'empty', 'etc', 'etc/hostname', 'etc/link', 'lost+found']);
  });

  it('refuses every write with the session check, before touching anything', async () => {
    const calls = writes();
    const tested = new Set(calls.map(([name]) => name));
    const writing = API.filter((e) => e.group === 'files' && e.writes).map((e) => e.name);
    expect(writing.filter((name) => !tested.has(name))).toEqual([]);
    for (const [name, call] of calls) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      expect([name, (err as VmcraftError)?.code]).toEqual([name, 'EREADONLY']);
      expect((err as VmcraftError).message).toMatch(/the session is read-only/);
    }
    // Below the calls, the session's file context refuses too (the mount table's check).
    for (const [name, call] of fsWrites(g.fileContext())) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      expect([name, (err as VmcraftError)?.code]).toEqual([name, 'EREADONLY']);
      expect((err as VmcraftError).message).toMatch(/read-only mount or session/);
    }
  });

  it('turns the kernel\'s EROFS into EREADONLY when the check lets a write through', async () => {
    const ctx: FileContext = { ...g.fileContext(), assertWritable: () => {} };
    for (const [name, call] of fsWrites(ctx)) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      expect([name, (err as VmcraftError)?.code]).toEqual([name, 'EREADONLY']);
      expect((err as VmcraftError).message).not.toContain(root);
    }
    expect(await g.read('/etc/hostname', 'utf8')).toBe('evidence\n');
    expect(await code(g.read('/etc/uploaded'))).toBe('ENOENT');
  });
});
