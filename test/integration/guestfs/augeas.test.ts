/**
 * The Augeas calls on the real Augeas (augtool and Debian's lenses) over
 * small ext4 guests of real config files: each call's answer, a save that
 * changes exactly one line (read back in a fresh session), refusals in a
 * read-only session, Augeas's errors as typed errors, guest symlinks that
 * aim at host files (nothing of the host is read or written), and no augtool
 * left running.
 */
import { stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestFS } from '../../../src/index.js';
import { AUGEAS_FILES, augeasImage, augtoolsUnder, HOSTILE, hostileAugeasImage } from '../../helpers/augeas-guest.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { closePlain, mountedPlain } from '../../helpers/plain-guest.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;
let g: GuestFS; // read-write, then read-only after the save round trip

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('augeas'));
  image = await augeasImage(dir);
  ({ g } = await mountedPlain(image, { tmpDir: dir }));
  await g.augInit('/', 0);
}, 120_000);

afterAll(() => closePlain(g, dir, remove));

describe('reading', () => {
  it('augGet reads a value from each lens', async () => {
    expect(await g.augGet('/files/etc/fstab/1/spec')).toBe('UUID=1111-2222');
    expect(await g.augGet('/files/etc/fstab/*[file="/home"]/vfstype')).toBe('ext4');
    expect(await g.augGet('/files/etc/sysconfig/network-scripts/ifcfg-eth0/BOOTPROTO')).toBe('dhcp');
    expect(await g.augGet('/files/etc/network/interfaces/iface[.="eth0"]/address')).toBe('192.0.2.10');
    expect(await g.augGet('/files/etc/ssh/sshd_config/PermitRootLogin')).toBe('no');
    expect(await g.augGet('/files/etc/default/grub/GRUB_CMDLINE_LINUX')).toBe('"console=ttyS0 quiet"');
    expect(await g.aug_get('/files/etc/hosts/2/canonical')).toBe('web.example.org');
  });

  it('augMatch lists matches in tree order, [] for none', async () => {
    expect(await g.augMatch('/files/etc/fstab/*/file')).toEqual(['/files/etc/fstab/1/file', '/files/etc/fstab/2/file', '/files/etc/fstab/3/file']);
    expect(await g.augMatch('/files/etc/network/interfaces/iface')).toEqual(['/files/etc/network/interfaces/iface[1]', '/files/etc/network/interfaces/iface[2]']);
    expect(await g.augMatch('/files/etc/nothing/*')).toEqual([]);
  });

  it('augLs lists children sorted, as libguestfs does', async () => {
    expect(await g.augLs('/files/etc/default/grub')).toEqual([
      '/files/etc/default/grub/GRUB_CMDLINE_LINUX', '/files/etc/default/grub/GRUB_DEFAULT', '/files/etc/default/grub/GRUB_TIMEOUT',
    ]);
    expect(await g.augLs('/')).toEqual(['/augeas', '/files']);
    expect((await g.augMatch('/augeas/load/*/incl')).length).toBeGreaterThan(100);
  });
});

describe('changing the tree', () => {
  it('augSet, augInsert, augClear, augMv, augRm and augDefvar/augDefnode change the in-memory tree', async () => {
    // a value whose second line looks like a match cannot be told from one: an error, not a wrong answer
    await g.augSet('/files/etc/hosts/1/alias', 'x\n/files/etc/bogus = y');
    await expect(g.augMatch('/files/etc/hosts/*/alias')).rejects.toMatchObject({ code: 'EAUGEAS', message: expect.stringContaining('line break') });
    await g.augSet('/files/etc/hosts/1/alias', 'loopback');
    expect(await g.augGet('/files/etc/hosts/1/alias')).toBe('loopback');
    // quotes, backslashes, tabs, line breaks and UTF-8 pass through augtool's line parser unchanged
    const odd = `it's "quoted" \\ and\tspaced $x\non two lines, café 日本`;
    await g.augSet('/files/etc/hosts/1/alias', odd);
    expect(await g.augGet('/files/etc/hosts/1/alias')).toBe(odd);
    // augtool prints matches with their values: a value's second line is not taken for a match
    expect(await g.augMatch('/files/etc/hosts/*/alias')).toEqual(['/files/etc/hosts/1/alias', '/files/etc/hosts/2/alias']);
    await g.augSet('/files/etc/hosts/1/alias', 'loopback');

    await g.augInsert('/files/etc/hosts/1', '3', true);
    expect(await g.augMatch('/files/etc/hosts/*[label() != "#comment"]')).toEqual(['/files/etc/hosts/3', '/files/etc/hosts/1', '/files/etc/hosts/2']);
    await g.augSet('/files/etc/hosts/3/ipaddr', '192.0.2.99');
    await g.augClear('/files/etc/hosts/3/ipaddr');
    await expect(g.augGet('/files/etc/hosts/3/ipaddr')).rejects.toMatchObject({ code: 'EAUGEAS', message: expect.stringContaining('NULL') });
    // the entry and its cleared ipaddr
    expect(await g.augRm('/files/etc/hosts/3')).toBe(2);
    expect(await g.augRm('/files/etc/hosts/nothing')).toBe(0);

    await g.augMv('/files/etc/hosts/2', '/files/etc/hosts/7');
    expect(await g.augGet('/files/etc/hosts/7/canonical')).toBe('web.example.org');
    await g.augMv('/files/etc/hosts/7', '/files/etc/hosts/2');

    expect(await g.augDefvar('fs', '/files/etc/fstab/*[spec]')).toBe(3);
    expect(await g.augGet('$fs[file="/tmp"]/spec')).toBe('tmpfs');
    expect(await g.augDefvar('n', 'count(/files/etc/fstab/*)')).toBe(0);
    expect(await g.augDefvar('fs', null)).toBe(0);
    expect(await g.augMatch('$fs')).toEqual([]);
    expect(await g.augDefnode('ip', '/files/etc/hosts/2/ipaddr', 'x')).toEqual({ i: 1, b: 0 });
    expect(await g.augDefnode('new', '/files/etc/hosts/9/ipaddr', '10.0.0.9')).toEqual({ i: 1, b: 1 });
    expect(await g.augGet('$new')).toBe('10.0.0.9');
    await g.augRm('/files/etc/hosts/9');
  });

  it('augSetm sets a node below every base node; augLabel names a node', async () => {
    expect(await g.augSetm('/files/etc/fstab/*[spec]', 'passno', '0')).toBe(3);
    expect(await g.augMatch('/files/etc/fstab/*[passno="0"]')).toEqual(['/files/etc/fstab/1', '/files/etc/fstab/2', '/files/etc/fstab/3']);
    expect(await g.augSetm('/files/etc/hosts/*[ipaddr="127.0.0.1"]/alias', null, 'lo')).toBe(1);
    expect(await g.augGet('/files/etc/hosts/1/alias')).toBe('lo');
    expect(await g.augLabel('/files/etc/fstab/1/vfstype')).toBe('vfstype');
    expect(await g.aug_label('/files/etc/network/interfaces/iface[2]')).toBe('iface');
    await expect(g.augLabel('/files/etc/nothing')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.augLabel('/files/etc/fstab/*')).rejects.toMatchObject({ code: 'EAUGEAS' });
    await g.augLoad(); // drops these unsaved changes
    expect(await g.augGet('/files/etc/fstab/1/passno')).toBe('1');
  });

  it('augLoad reads a guest file changed since, even with its mtime unchanged', async () => {
    const host = path.join(g.mountTable.rootDir(), 'etc/hosts');
    const { mtime } = await stat(host);
    await g.write('/etc/hosts', '127.0.0.1 localhost\n192.0.2.11 db.example.org db\n');
    await utimes(host, mtime, mtime);
    await g.augLoad();
    expect(await g.augGet('/files/etc/hosts/2/canonical')).toBe('db.example.org');
    await g.write('/etc/hosts', AUGEAS_FILES['/etc/hosts']!);
    await g.augLoad();
    expect(await g.augGet('/files/etc/hosts/2/canonical')).toBe('web.example.org');
  });

  it('augTransform + augLoad load a file no lens includes by default', async () => {
    await g.write('/etc/myhosts', '10.1.1.1 db\n');
    expect(await g.augMatch('/files/etc/myhosts')).toEqual([]);
    await g.augTransform('Hosts.lns', '/etc/myhosts');
    await g.augLoad();
    expect(await g.augGet('/files/etc/myhosts/1/canonical')).toBe('db');
    await g.augTransform('Hosts.lns', '/etc/myhosts', { remove: true });
    await g.augLoad();
    expect(await g.augMatch('/files/etc/myhosts')).toEqual([]);
  });

  it('AUG_SAVE_NEWFILE writes a .augnew file beside the original; AUG_SAVE_BACKUP keeps a .augsave copy', async () => {
    await g.augInit('/', 2);
    await g.augSet('/files/etc/ssh/sshd_config/Port', '2022');
    expect(await g.augSave()).toEqual({ written: ['/etc/ssh/sshd_config.augnew'], removed: [] });
    expect(await g.cat('/etc/ssh/sshd_config')).toBe(AUGEAS_FILES['/etc/ssh/sshd_config']);
    expect(await g.cat('/etc/ssh/sshd_config.augnew')).toBe(AUGEAS_FILES['/etc/ssh/sshd_config']!.replace('Port 22', 'Port 2022'));
    await g.rm('/etc/ssh/sshd_config.augnew');

    await g.augInit('/', 1);
    await g.augSet('/files/etc/ssh/sshd_config/Port', '2022');
    expect(await g.augSave()).toEqual({ written: ['/etc/ssh/sshd_config', '/etc/ssh/sshd_config.augsave'], removed: [] });
    expect(await g.cat('/etc/ssh/sshd_config.augsave')).toBe(AUGEAS_FILES['/etc/ssh/sshd_config']);
    await g.mv('/etc/ssh/sshd_config.augsave', '/etc/ssh/sshd_config');

    // a copy Augeas makes has the mode and owner of the file it copies (grub: 0600, 1000:1000)
    await g.augSet('/files/etc/default/grub/GRUB_DEFAULT', '1');
    expect(await g.augSave()).toEqual({ written: ['/etc/default/grub', '/etc/default/grub.augsave'], removed: [] });
    const backup = await g.stat('/etc/default/grub.augsave');
    expect([backup.mode & 0o7777, backup.uid, backup.gid]).toEqual([0o600, 1000, 1000]);
    await g.mv('/etc/default/grub.augsave', '/etc/default/grub');

    // removing a file's whole tree deletes the file
    await g.write('/etc/sysconfig/network-scripts/ifcfg-eth9', 'DEVICE=eth9\n');
    await g.augInit('/', 0);
    expect(await g.augRm('/files/etc/sysconfig/network-scripts/ifcfg-eth9')).toBe(2);
    expect(await g.augSave()).toEqual({ written: [], removed: ['/etc/sysconfig/network-scripts/ifcfg-eth9'] });
    expect(await g.exists('/etc/sysconfig/network-scripts/ifcfg-eth9')).toBe(false);
  });

  it('augSave writes exactly the changed line into the guest, keeping mode and owner; a fresh session reads it back', async () => {
    await g.augSet('/files/etc/default/grub/GRUB_TIMEOUT', '10');
    expect(await g.augSave()).toEqual({ written: ['/etc/default/grub'], removed: [] });
    expect(await g.augSave()).toEqual({ written: [], removed: [] });
    await g.close();
    expect(await augtoolsUnder(dir)).toEqual([]);

    ({ g } = await mountedPlain(image, { tmpDir: dir, readonly: true }));
    const before = AUGEAS_FILES['/etc/default/grub']!.split('\n');
    const after = (await g.cat('/etc/default/grub')).split('\n');
    expect(after.length).toBe(before.length);
    expect(after.filter((line, i) => line !== before[i])).toEqual(['GRUB_TIMEOUT=10']);
    const info = await g.stat('/etc/default/grub');
    expect([info.mode & 0o7777, info.uid, info.gid]).toEqual([0o600, 1000, 1000]);
    for (const file of ['/etc/fstab', '/etc/ssh/sshd_config', '/etc/network/interfaces']) expect(await g.cat(file)).toBe(AUGEAS_FILES[file]);
  });

  it('a read-only session may change the tree but augSave is EREADONLY, and the image stays byte-identical', async () => {
    const hash = await sha256File(image);
    await g.augInit('/', 0);
    expect(await g.augGet('/files/etc/default/grub/GRUB_TIMEOUT')).toBe('10');
    await g.augSet('/files/etc/default/grub/GRUB_TIMEOUT', '3');
    await expect(g.augSave()).rejects.toMatchObject({ code: 'EREADONLY' });
    await expect(g.aug_save()).rejects.toMatchObject({ code: 'EREADONLY' });
    expect(await g.cat('/etc/default/grub')).toContain('GRUB_TIMEOUT=10');
    await g.close();
    expect(await sha256File(image)).toBe(hash);
    ({ g } = await mountedPlain(image, { tmpDir: dir, readonly: true }));
  });
});

describe('errors', () => {
  it('calls before augInit, bad flags and bad roots are typed errors', async () => {
    await expect(g.augGet('/files/etc/fstab/1/spec')).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('augInit') });
    await expect(g.augClose()).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.augInit('/', 1024)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.augInit('/', -1)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.augInit('etc', 0)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.augInit('/no/such/dir', 0)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.augInit('/etc/fstab', 0)).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await augtoolsUnder(dir)).toEqual([]);
  });

  it('Augeas errors carry its message', async () => {
    await g.augInit('/', 0);
    await expect(g.augGet('/files/etc/fstab/[')).rejects.toMatchObject({ code: 'EAUGEAS', message: expect.stringMatching(/^augGet \/files\/etc\/fstab\/\[: .*unmatched \[/) });
    await expect(g.augGet('/files/etc/fstab/*')).rejects.toMatchObject({ code: 'EAUGEAS', message: expect.stringContaining('Too many matches') });
    await expect(g.augGet('/files/etc/nothing')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.augMatch('/files/etc/fstab/*[')).rejects.toMatchObject({ code: 'EAUGEAS' });
    await expect(g.augSet('/files/etc/fstab/*/spec', 'x')).rejects.toMatchObject({ code: 'EAUGEAS' });
    await expect(g.augMv('/files/etc/fstab/1', '/files/etc/fstab/1/spec')).rejects.toMatchObject({ code: 'EAUGEAS' });
    await expect(g.augInsert('/files/etc/fstab/*', '9', false)).rejects.toMatchObject({ code: 'EAUGEAS' });
    // as aug_load, a lens that cannot be found is an error in the tree, not a failed load
    await g.augTransform('No_such_lens.lns', '/etc/x');
    await g.augLoad();
    expect(await g.augGet('/augeas/load/No_such_lens/error')).toBe('Can not find lens No_such_lens.lns');
    await expect(g.augLs('/files/etc/')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.augSet('/files/etc/hosts/1/alias', 'bell\u0007')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.augGet('/files/etc/hosts/1/alias\r')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.augSet('/files/etc/hosts/1/alias', 42 as never)).rejects.toMatchObject({ code: 'EINVAL' });
    // the handle still works after its errors
    expect(await g.augGet('/files/etc/hosts/1/ipaddr')).toBe('127.0.0.1');
  });

  it('augClose ends augtool; a session closed with a handle open leaves nothing', async () => {
    expect((await augtoolsUnder(dir)).length).toBe(1);
    await g.augClose();
    expect(await augtoolsUnder(dir)).toEqual([]);
    // root /etc: Augeas sees the guest's /etc/fstab as /fstab, which no lens includes until a transform does
    await g.augInit('/etc', 32);
    expect(await g.augMatch('/files/*')).toEqual([]);
    await g.augLoad();
    expect(await g.augMatch('/files/fstab')).toEqual([]);
    await g.augTransform('Fstab.lns', '/fstab');
    await g.augLoad();
    expect(await g.augGet('/files/fstab/1/spec')).toBe('UUID=1111-2222');
    expect((await augtoolsUnder(dir)).length).toBe(1);
  });
});

describe('guest symlinks that aim at host files', () => {
  const HOST_FILES = ['/etc/shadow', '/etc/fstab', '/etc/hosts', '/etc/ssh/sshd_config', '/etc/sshd_config'];
  let hostile: GuestFS;
  let hashes: Record<string, string>;
  const warnings: string[] = [];

  /** sha256 of each host file, or 'absent'. */
  async function hostHashes(): Promise<Record<string, string>> {
    return Object.fromEntries(await Promise.all(HOST_FILES.map(async (f) => [f, await sha256File(f).catch(() => 'absent')])));
  }

  beforeAll(async () => {
    hashes = await hostHashes();
    ({ g: hostile } = await mountedPlain(await hostileAugeasImage(dir), { tmpDir: dir }));
    hostile.on('log', (e: { message: string }) => warnings.push(e.message));
    await hostile.augInit('/', 0);
  }, 60_000);
  afterAll(async () => {
    await hostile.close();
    expect(await hostHashes()).toEqual(hashes);
  });

  it('control: augtool given the guest mount as its root would read the host\'s /etc/shadow through the guest\'s /etc/fstab', async () => {
    const root = hostile.mountTable.rootDir();
    const { stdout } = await execa('augtool', ['--root', root, '--noautoload', '--transform', 'Shadow.lns incl /etc/fstab', 'match', '/files/etc/fstab/*']);
    // booleans only: a failure must not print the host's password hashes
    expect(stdout.includes('/files/etc/fstab/root')).toBe(true);
    expect(stdout.includes(HOSTILE.guestShadowHash)).toBe(false);
  });

  it('an absolute link (/etc/fstab -> /etc/shadow) and a directory link (/etc/ssh -> /etc) resolve inside the guest', async () => {
    expect(await hostile.augGet('/files/etc/shadow/root/password')).toBe(HOSTILE.guestShadowHash);
    // /etc/fstab is the guest's shadow file: the fstab lens cannot parse it, and nothing of the host's fstab shows
    expect(await hostile.augMatch('/files/etc/fstab/*')).toEqual([]);
    expect(await hostile.augMatch('/augeas/files/etc/fstab/error')).toEqual(['/augeas/files/etc/fstab/error']);
    expect(await hostile.augGet('/files/etc/ssh/sshd_config/Port')).toBe(HOSTILE.guestSshdPort);
    // only the guest's files: the host's /etc has many more that the lenses include
    expect(await hostile.augLs('/files')).toEqual(['/files/etc']);
    expect(await hostile.augLs('/files/etc')).toEqual(['/files/etc/hosts', '/files/etc/shadow', '/files/etc/ssh', '/files/etc/sysconfig']);
    expect(await hostile.augLs('/files/etc/sysconfig/network-scripts')).toEqual(['/files/etc/sysconfig/network-scripts/ifcfg-eth1']);
    expect(warnings.filter((w) => w.includes('ifcfg-big is left out'))).toHaveLength(1);
    expect(await hostile.augLs('/files/etc/ssh')).toEqual(['/files/etc/ssh/sshd_config']);
  });

  it('augSave writes through the links inside the guest, never on the host', async () => {
    await hostile.augSet('/files/etc/shadow/root/password', 'CHANGED');
    await hostile.augSet('/files/etc/ssh/sshd_config/Port', '2200');
    expect((await hostile.augSave()).written.sort()).toEqual(['/etc/shadow', '/etc/ssh/sshd_config']);
    expect(await hostile.cat('/etc/shadow')).toBe('root:CHANGED:19000:0:99999:7:::\n');
    expect(await hostile.cat('/etc/sshd_config')).toBe('Port 2200\n');
    expect(await hostile.readlink('/etc/ssh')).toBe('/etc');
    expect(await hostile.readlink('/etc/fstab')).toBe('/etc/shadow');
    expect(await hostHashes()).toEqual(hashes);
  });

  it('an augtool that dies fails the calls with a typed error, and the handle can be closed and opened again', async () => {
    const pids = await augtoolsUnder(hostile.workDir);
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');
    await expect(hostile.augGet('/files/etc/hosts/1/ipaddr')).rejects.toMatchObject({ code: 'EAUGEAS', message: expect.stringContaining('augtool stopped (SIGKILL)') });
    await expect(hostile.augMatch('/files/*')).rejects.toMatchObject({ code: 'EAUGEAS' });
    await hostile.augClose();
    expect(await augtoolsUnder(hostile.workDir)).toEqual([]);
    await hostile.augInit('/', 0);
    expect(await hostile.augGet('/files/etc/hosts/1/ipaddr')).toBe('127.0.0.1');
  });
});
