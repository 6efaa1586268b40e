/**
 * The content calls in a VM-mode session give what they give in a host-mode
 * session on copies of the same image: tarOut's archive, tarIn's and
 * copyIn's trees (copyIn is composed: packed here, `tarIn` run in the VM),
 * copyOut's host tree, file's answers; and the guest's symlink attack on
 * tarIn changes nothing on the host in the VM either. Needs dist/ (`npm run build`).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { contentScratch, snapshot } from '../../helpers/content-tree.js';
import { sha256File } from '../../helpers/images.js';
import { closeSessions } from '../../helpers/close-sessions.js';

const MODES = ['host', 'vm'] as const;
type Mode = (typeof MODES)[number];

let dir: string;
let remove: () => Promise<void>;
let host: string;
let sentinel: string;
const sessions = {} as Record<Mode, GuestFS>;

/** A listing of a host tree: name, type, mode, owner, size and link target of each entry, and each file's checksum. */
async function hostTree(root: string): Promise<string> {
  const { stdout } = await execa('find', [root, '-mindepth', '1', '-printf', '%P %y %m %U %G %s %l\n']);
  const sums = (await execa('sh', ['-c', 'cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum', 'sh', root])).stdout;
  return `${stdout.split('\n').sort().join('\n')}\n${sums}`;
}

beforeAll(async () => {
  let image: string;
  ({ dir, remove, host, sentinel, image } = await contentScratch('vm-content'));
  for (const mode of MODES) {
    const copy = path.join(dir, `${mode}.img`);
    await copyFile(image, copy);
    const g = await GuestFS.open(copy, { format: 'raw', tmpDir: dir, mode });
    await g.mount('/dev/sda', '/');
    sessions[mode] = g;
  }
}, 240_000);

afterAll(() => closeSessions(sessions, dir, remove));

/** `fn` run in each mode, its answers by mode. */
async function both<T>(fn: (g: GuestFS, mode: Mode) => Promise<T>): Promise<Record<Mode, T>> {
  return { host: await fn(sessions.host, 'host'), vm: await fn(sessions.vm, 'vm') };
}

it('runs in a VM', () => {
  expect([sessions.host.mode, sessions.vm.mode]).toEqual(['host', 'vm']);
});

it('file answers the same', async () => {
  const got = await both((g) => Promise.all(['/etc/hostname', '/bin/ls', '/etc/lines.gz', '/data', '/data/rel-link', '/data/fifo', '/data/null'].map((p) => g.file(p))));
  expect(got.vm).toEqual(got.host);
  expect(got.host[0]).toBe('ASCII text');
});

it('tarOut makes the same archive, in each of two compressions', async () => {
  for (const compress of ['gzip', 'zstd'] as const) {
    const listed = await both(async (g, mode) => {
      const tarfile = path.join(dir, `${mode}-${compress}.tar`);
      await g.tarOut('/data', tarfile, { compress, xattrs: true, numericOwner: true });
      return (await execa('tar', ['-tvf', tarfile, '--numeric-owner', '--full-time'])).stdout.split('\n').sort();
    });
    expect(listed.vm).toEqual(listed.host);
    expect(listed.host).toContainEqual(expect.stringMatching(/^lrwxrwxrwx 0\/0 .* \.\/abs-link -> \/etc\/hostname$/));
  }
});

it('tarIn and copyIn make the same trees', async () => {
  const tarfile = path.join(dir, 'host-gzip.tar');
  const trees = await both(async (g) => {
    await g.mkdir('/t');
    await g.tarIn(tarfile, '/t', { compress: 'gzip', xattrs: true });
    await g.copyIn(path.join(dir, 'tree', 'data'), '/empty');
    return { tar: await snapshot(g, '/t'), copy: await snapshot(g, '/empty/data') };
  });
  expect(trees.vm).toEqual(trees.host);
  expect(trees.host.copy).toEqual(await snapshot(sessions.host, '/data'));
});

it('copyOut makes the same host trees', async () => {
  const trees = await both(async (g, mode) => {
    const into = path.join(dir, `out-${mode}`);
    await mkdir(into);
    await g.copyOut('/data', into);
    await g.copyOut('/etc/hostname', into);
    return hostTree(into);
  });
  expect(trees.vm).toEqual(trees.host);
  expect(trees.host).toMatch(/^data\/owned f 640 1000 1000 14 $/m);
});

it("the guest's link to / does not carry tarIn's members to the host in either mode", async () => {
  const before = await sha256File(sentinel);
  const src = path.join(dir, 'hostile');
  await mkdir(path.join(src, 'evil', host), { recursive: true });
  await writeFile(path.join(src, 'evil', sentinel), 'pwned\n');
  const tarfile = path.join(dir, 'hostile.tar');
  await execa('tar', ['-C', src, '-cf', tarfile, path.join('evil', sentinel)]);
  const landed = await both(async (g) => {
    await g.tarIn(tarfile, '/attack');
    return g.cat(`/attack/evil${sentinel}`);
  });
  expect(landed).toEqual({ host: 'pwned\n', vm: 'pwned\n' });
  expect(await sha256File(sentinel)).toBe(before);
});
