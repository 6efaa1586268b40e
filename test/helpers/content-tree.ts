/**
 * The tree the content-call suites copy around: a hand-made host tree with
 * owners, modes, symlinks (relative, absolute, and aiming at the host), xattrs,
 * a FIFO, a device node and hard links, made into an ext4 image with
 * `mkfs.ext4 -d`; and a snapshot of a guest tree through the calls, to
 * compare two trees by name, type, mode, owner, link target, xattrs and content.
 */
import { chmod, chown, copyFile, link, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import type { GuestFS } from '../../src/index.js';
import { scratchDir } from './images.js';

/** What one name of a tree is. */
export interface TreeEntry {
  type: string;
  perms: number;
  uid: number;
  gid: number;
  nlink: number;
  target?: string;
  sha256?: string;
  xattrs: Record<string, string>;
}

/** Lines of /etc/lines.txt: `line 1` … `line 15`. */
export const LINES = Array.from({ length: 15 }, (_, i) => `line ${i + 1}`);

/**
 * Builds the tree under `tree` and an ext4 image of it at `image`. `host`
 * is a host directory the guest's attack symlinks aim at (its sentinel.txt too).
 */
export async function buildContentImage(tree: string, image: string, host: string): Promise<void> {
  const at = (p: string) => path.join(tree, p);
  for (const d of ['etc', 'bin', 'boot', 'data/sub/deeper', 'data/shared', 'attack', 'other/attack/evil', 'empty']) await mkdir(at(d), { recursive: true });
  await writeFile(at('etc/hostname'), 'content-test\n');
  await writeFile(at('etc/lines.txt'), `${LINES.join('\n')}\n`);
  await writeFile(at('etc/lines.gz'), gzipSync(`${LINES.join('\n')}\n`));
  await writeFile(at('etc/noeol.txt'), 'a\r\nb\n\nc');
  await copyFile('/bin/ls', at('bin/ls'));
  const kernel = (await readdir('/boot')).find((name) => name.startsWith('vmlinuz-'));
  if (!kernel) throw new Error('the host has no /boot/vmlinuz-* (scripts/setup.sh installs linux-image-amd64)');
  await copyFile(path.join('/boot', kernel), at('boot/vmlinuz'));
  await writeFile(at('data/owned'), 'owned by 1000\n');
  await chown(at('data/owned'), 1000, 1000);
  await chmod(at('data/owned'), 0o640);
  await chown(at('data/shared'), 1001, 100);
  await chmod(at('data/shared'), 0o2775);
  await writeFile(at('data/sub/deeper/bin.dat'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff)));
  await writeFile(at('data/hard1'), 'hard linked\n');
  await link(at('data/hard1'), at('data/sub/hard2'));
  await symlink('../etc/hostname', at('data/rel-link'));
  await symlink('/etc/hostname', at('data/abs-link'));
  await symlink('nowhere', at('data/dangling'));
  await execa('mkfifo', [at('data/fifo')]);
  await execa('mknod', [at('data/null'), 'c', '1', '3']);
  await writeFile(at('data/xattr-file'), 'with attributes\n');
  await execa('setfattr', ['-n', 'user.comment', '-v', 'hello', at('data/xattr-file')]);
  await execa('setfattr', ['-n', 'trusted.vmcraft', '-v', '0x00ff01', at('data/xattr-file')]);
  // Symlinks a hostile guest has: to /, to a host file and to a host directory.
  await symlink('/', at('attack/evil'));
  await symlink(path.join(host, 'sentinel.txt'), at('attack/file'));
  await symlink(host, at('attack/hostdir'));
  // A directory of the same name whose `evil` is a real directory aiming at the host's sentinel once `evil` is a link.
  await mkdir(at(path.join('other/attack/evil', host)), { recursive: true });
  await writeFile(at(path.join('other/attack/evil', host, 'sentinel.txt')), 'pwned\n');
  await writeFile(at('other/attack/file'), 'pwned\n');
  await execa('mkfs.ext4', ['-q', '-F', '-d', tree, image, '96M']);
}

/** A snapshot of the tree below `dir`: each name (relative) and what it is. */
export async function snapshot(g: GuestFS, dir: string): Promise<Record<string, TreeEntry>> {
  const out: Record<string, TreeEntry> = {};
  for (const name of (await g.find(dir)) as string[]) {
    const p = `${dir.replace(/\/$/, '')}/${name}`;
    const s = await g.lstat(p);
    const xattrs = Object.fromEntries((await g.lgetxattrs(p)).map((x) => [x.attrname, x.attrval.toString('hex')]));
    out[name] = {
      type: s.type, perms: s.perms, uid: s.uid, gid: s.gid, nlink: s.type === 'directory' ? 0 : s.nlink, xattrs,
      ...(s.type === 'symlink' ? { target: (await g.readlink(p)) as string } : {}),
      ...(s.type === 'file' ? { sha256: await g.checksum('sha256', p) } : {}),
    };
  }
  return out;
}

/** A scratch directory with the tree's image built in it, and the host directory and sentinel file its attack links aim at. */
export interface ContentScratch {
  dir: string;
  remove: () => Promise<void>;
  /** The host directory the guest's attack links aim at. */
  host: string;
  /** A host file in it that no call may change. */
  sentinel: string;
  /** The ext4 image of the tree (`dir/tree.img`; the tree itself is `dir/tree`). */
  image: string;
}

/** Makes a scratch directory for `label` with the host sentinel and the tree's image. */
export async function contentScratch(label: string): Promise<ContentScratch> {
  const { dir, remove } = await scratchDir(label);
  const host = path.join(dir, 'host');
  await mkdir(host);
  const sentinel = path.join(host, 'sentinel.txt');
  await writeFile(sentinel, 'the host file a guest must not reach\n');
  const image = path.join(dir, 'tree.img');
  await buildContentImage(path.join(dir, 'tree'), image, host);
  return { dir, remove, host, sentinel, image };
}
