/**
 * Read-only guests: the session's own check refuses writes before anything is
 * touched, and where it lets one through, the kernel's EROFS from a
 * `ro,noload` mount becomes EREADONLY too. The image stays byte-identical.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import { GuestFiles } from '../../../src/fs/files/guest-files.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { mountExt4, type MountedExt4 } from './ext4.js';

let dir: string;
let remove: () => Promise<void>;
let fsys: MountedExt4;
let imageSum: string;
const asked: string[] = [];

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

/** Every write-type call of GuestFiles, on paths that exist in the image. */
function writes(g: GuestFiles, hostFile: string): [string, () => Promise<unknown>][] {
  return [
    ['write', () => g.write('/etc/hostname', 'x')],
    ['writeAppend', () => g.writeAppend('/etc/hostname', 'x')],
    ['touch', () => g.touch('/etc/hostname')],
    ['truncate', () => g.truncate('/etc/hostname')],
    ['truncateSize', () => g.truncateSize('/etc/hostname', 100)],
    ['upload', () => g.upload(hostFile, '/etc/uploaded')],
    ['mkdir', () => g.mkdir('/newdir')],
    ['mkdirP', () => g.mkdirP('/etc/a/b')],
    ['rm', () => g.rm('/etc/hostname')],
    ['rmF', () => g.rmF('/etc/hostname')],
    ['rmRf', () => g.rmRf('/etc')],
    ['rmdir', () => g.rmdir('/empty')],
    ['cp', () => g.cp('/etc/hostname', '/etc/copy')],
    ['cpA', () => g.cpA('/etc', '/etc2')],
    ['cpR', () => g.cpR('/etc', '/etc3')],
    ['mv', () => g.mv('/etc/hostname', '/etc/moved')],
    ['chmod', () => g.chmod(0o600, '/etc/hostname')],
    ['chown', () => g.chown(1, 1, '/etc/hostname')],
    ['lchown', () => g.lchown(1, 1, '/etc/link')],
    ['lnS', () => g.lnS('target', '/etc/newlink')],
    ['ln', () => g.ln('/etc/hostname', '/etc/hard')],
  ];
}

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('fs-ro'));
  const tree = path.join(dir, 'tree');
  await mkdir(path.join(tree, 'etc'), { recursive: true });
  await mkdir(path.join(tree, 'empty'));
  await writeFile(path.join(tree, 'etc', 'hostname'), 'evidence\n');
  await symlink('hostname', path.join(tree, 'etc', 'link'));
  fsys = await mountExt4(dir, 'guest', { populateFrom: tree, readonly: true });
  imageSum = await sha256File(fsys.image);
});
afterAll(async () => {
  try {
    await fsys?.release();
    expect(await sha256File(fsys.image)).toBe(imageSum);
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  } finally {
    await remove();
  }
});

describe('a read-only guest', () => {
  it('reads normally', async () => {
    const g = new GuestFiles({ rootDir: () => fsys.mountDir, assertWritable: () => {} });
    expect(await g.read('/etc/link', 'utf8')).toBe('evidence\n');
    expect(await g.find('/')).toEqual(['empty', 'etc', 'etc/hostname', 'etc/link', 'lost+found']);
  });

  it('refuses every write with the session check, before touching anything', async () => {
    const g = new GuestFiles({
      rootDir: () => fsys.mountDir,
      assertWritable: (p) => {
        asked.push(p);
        throw new VmcraftError('EREADONLY', `cannot write ${p}: read-only session`, { path: p });
      },
    });
    const hostFile = path.join(dir, 'host-file');
    await writeFile(hostFile, 'data');
    for (const [name, call] of writes(g, hostFile)) expect([name, await code(call())]).toEqual([name, 'EREADONLY']);
    expect(asked).toContain('/etc/hostname');
  });

  it('turns the kernel\'s EROFS into EREADONLY when the check lets a write through', async () => {
    const g = new GuestFiles({ rootDir: () => fsys.mountDir, assertWritable: () => {} });
    const hostFile = path.join(dir, 'host-file');
    for (const [name, call] of writes(g, hostFile)) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      expect([name, (err as VmcraftError)?.code]).toEqual([name, 'EREADONLY']);
      expect((err as VmcraftError).message).not.toContain(fsys.mountDir);
    }
    expect(await g.read('/etc/hostname', 'utf8')).toBe('evidence\n');
  });
});
