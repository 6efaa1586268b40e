/**
 * Inspection of hostile Linux roots: release files and hostname are read up to
 * 64 KiB, fstab up to 1 MiB, a product name is at most 256 characters, a
 * hostname at most 253 (RFC 1123); a file that cannot be read is absent, with
 * a warning.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirGuestReader } from '../../../src/fs/reader.js';
import { inspectLinuxRoot } from '../../../src/inspect/linux/index.js';

let base: string;
let count = 0;
beforeAll(async () => (base = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-test-bounds-'))));
afterAll(async () => rm(base, { recursive: true, force: true }));

/** The bounds inspection promises (src/inspect/guest-files.ts, linux/release.ts, linux/hostname.ts). */
const SMALL_FILE_LIMIT = 64 * 1024;
const TABLE_FILE_LIMIT = 1024 * 1024;
const PRODUCT_NAME_MAX = 256;
const HOSTNAME_MAX = 253;

const DEBIAN_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';

/** A minimal Debian-like root with `files` (guest path → content) written over it. */
async function makeRoot(files: Record<string, string> = {}): Promise<string> {
  const root = path.join(base, `root${count++}`);
  const tree = { 'etc/fstab': '', 'etc/debian_version': '12.8\n', 'usr/lib/os-release': DEBIAN_OS_RELEASE, 'etc/hostname': 'guest\n', ...files };
  for (const [file, content] of Object.entries(tree)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  await mkdir(path.join(root, 'bin'), { recursive: true });
  return root;
}

async function inspect(root: string) {
  const warnings: string[] = [];
  const facts = await inspectLinuxRoot(dirGuestReader(root), (m) => warnings.push(m));
  return { facts: facts!, warnings };
}

describe('inspectLinuxRoot on hostile files', () => {
  it('cuts a product name to its bound', async () => {
    const osRelease = DEBIAN_OS_RELEASE.replace('Debian GNU', 'D'.repeat(60_000));
    const { facts, warnings } = await inspect(await makeRoot({ 'etc/os-release': osRelease, 'usr/lib/os-release': osRelease }));
    expect(facts.prettyName).toBe('D'.repeat(PRODUCT_NAME_MAX));
    expect(facts).toMatchObject({ distro: 'debian', productName: '12.8', majorVersion: 12, minorVersion: 8 });
    const fedora = await inspect(await makeRoot({ 'etc/os-release': `PRETTY_NAME="${'F'.repeat(60_000)}"\nID=fedora\nVERSION_ID=39\n` }));
    expect(fedora.facts).toMatchObject({ distro: 'fedora', productName: 'F'.repeat(PRODUCT_NAME_MAX), prettyName: 'F'.repeat(PRODUCT_NAME_MAX) });
    expect(warnings).toEqual([]);
  });

  it('ignores a 10 MB os-release and reads the next release file', async () => {
    const root = await makeRoot({ 'etc/os-release': `PRETTY_NAME="${'x'.repeat(10_000_000)}"\n` });
    const { facts, warnings } = await inspect(root);
    expect(facts).toMatchObject({ distro: 'debian', productName: '12.8', prettyName: 'Debian GNU/Linux 12 (bookworm)', majorVersion: 12, minorVersion: 8 });
    expect(warnings).toEqual([`/etc/os-release ignored: larger than ${SMALL_FILE_LIMIT} bytes`]);
  });

  it('goes on past an os-release symlink loop', async () => {
    const root = await makeRoot();
    await symlink('os-release', path.join(root, 'etc/os-release'));
    const { facts, warnings } = await inspect(root);
    expect(facts).toMatchObject({ distro: 'debian', productName: '12.8', prettyName: 'Debian GNU/Linux 12 (bookworm)', hostname: 'guest' });
    expect(warnings).toEqual([expect.stringMatching(/^\/etc\/os-release ignored: ELOOP: /)]);
  });

  it('drops a hostname longer than RFC 1123 allows, for the next file that has one', async () => {
    const long = 'h'.repeat(HOSTNAME_MAX + 1);
    const { facts, warnings } = await inspect(await makeRoot({ 'etc/hostname': `${long}\n`, 'etc/sysconfig/network': 'HOSTNAME=fallback\n' }));
    expect(facts.hostname).toBe('fallback');
    expect(warnings).toEqual([`/etc/hostname ignored: its hostname is longer than ${HOSTNAME_MAX} characters`]);
    expect((await inspect(await makeRoot({ 'etc/hostname': `${'h'.repeat(HOSTNAME_MAX)}\n` }))).facts.hostname).toHaveLength(HOSTNAME_MAX);
  });

  it('reads an fstab of up to 1 MiB, and ignores a larger one with a warning', async () => {
    const line = 'UUID=0f3c / ext4 defaults 0 1\n';
    const big = line.repeat(Math.floor(TABLE_FILE_LIMIT / line.length));
    expect((await inspect(await makeRoot({ 'etc/fstab': big }))).facts.fstab).toHaveLength(Math.floor(TABLE_FILE_LIMIT / line.length));
    const { facts, warnings } = await inspect(await makeRoot({ 'etc/fstab': `${big}${line}` }));
    expect(facts).toMatchObject({ type: 'linux', distro: 'debian', fstab: [] });
    expect(warnings).toEqual([`/etc/fstab ignored: larger than ${TABLE_FILE_LIMIT} bytes`]);
  });
});
