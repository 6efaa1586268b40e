import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFstab } from '../../../src/inspect/parsers/fstab.js';
import { parseKeyValue } from '../../../src/inspect/parsers/key-value.js';
import { parseLsbRelease, parseOsRelease, type ReleaseData } from '../../../src/inspect/linux/release.js';
import { FIXTURE_ROOTS } from './guest-root.js';

const fixture = (root: string, file: string) => readFile(path.join(FIXTURE_ROOTS, root, file), 'utf8');

function osRelease(text: string): { ok: boolean; data: ReleaseData } {
  const data: ReleaseData = {};
  return { ok: parseOsRelease(text, data), data };
}

describe('os-release on odd inputs', () => {
  it('single-quoted values', () => {
    expect(parseKeyValue("NAME='Foo Linux'\nID='debian'\nEMPTY=''\n")).toEqual({ NAME: 'Foo Linux', ID: 'debian', EMPTY: '' });
  });

  it('escaped quotes, backslashes, dollars and backquotes inside double quotes', () => {
    const text = 'PRETTY_NAME="Foo \\"Bar\\" 1.0"\nPATH_LIKE="C:\\\\dir"\nPRICE="\\$5 \\`cmd\\`"\n';
    expect(parseKeyValue(text)).toEqual({ PRETTY_NAME: 'Foo "Bar" 1.0', PATH_LIKE: 'C:\\dir', PRICE: '$5 `cmd`' });
  });

  it('comment lines, indented comments and blank lines are skipped', () => {
    const text = '# os-release\n\n   # indented comment\nID=arch\n#ID=debian\n\t\nPRETTY_NAME="Arch Linux"\n';
    expect(parseKeyValue(text)).toEqual({ ID: 'arch', PRETTY_NAME: 'Arch Linux' });
  });

  it('CRLF line ends give the same facts as LF (the real Debian 12 file, converted)', async () => {
    const lf = await fixture('debian-12', 'etc/os-release');
    const crlf = lf.replace(/\n/g, '\r\n');
    expect(crlf).toContain('\r\n');
    expect(parseKeyValue(crlf)).toEqual(parseKeyValue(lf));
    expect(Object.values(parseKeyValue(crlf)).some((v) => v.includes('\r'))).toBe(false);
    expect(osRelease(crlf)).toEqual(osRelease(lf));
    expect(osRelease(crlf).data).toEqual({ distro: 'debian', productName: 'Debian GNU/Linux 12 (bookworm)', prettyName: 'Debian GNU/Linux 12 (bookworm)', version: { major: 12, minor: 0 } });
  });

  it('`export KEY=` lines, as sourced shell files write them', () => {
    expect(parseKeyValue('export ID=fedora\nexport VERSION_ID=39\nexport PRETTY_NAME="Fedora Linux 39"\n')).toEqual({
      ID: 'fedora',
      VERSION_ID: '39',
      PRETTY_NAME: 'Fedora Linux 39',
    });
    expect(osRelease('export ID=fedora\nexport VERSION_ID=39\nexport PRETTY_NAME="Fedora Linux 39"\n')).toEqual({
      ok: true,
      data: { distro: 'fedora', productName: 'Fedora Linux 39', prettyName: 'Fedora Linux 39', version: { major: 39, minor: 0 } },
    });
  });

  it('an empty file parses to nothing and does not identify a distro', () => {
    expect(parseKeyValue('')).toEqual({});
    expect(osRelease('')).toEqual({ ok: false, data: {} });
    expect(osRelease('\n\n# nothing\n')).toEqual({ ok: false, data: {} });
  });

  it('lines that are not assignments are ignored; a later key wins', () => {
    expect(parseKeyValue('garbage\n=value\n1KEY=x\nKEY-DASH=y\nID=a\nID=b\n')).toEqual({ ID: 'b' });
  });

  it('a file without a trailing newline (which-distro kali/2019.4) keeps its last value', async () => {
    const kali = await fixture('kali-2019.4', 'etc/os-release');
    expect(kali.endsWith('\n')).toBe(false);
    expect(parseKeyValue(kali).BUG_REPORT_URL).toBe('https://bugs.kali.org/');
  });

  it('an unterminated quote is kept as written, like libguestfs (ansible ubuntu_10.04_guess)', async () => {
    const data: ReleaseData = {};
    expect(parseLsbRelease(await fixture('ubuntu-10.04-unclosed-quote', 'etc/lsb-release'), data)).toBe(true);
    expect(data).toEqual({ distro: 'ubuntu', productName: '"Ubuntu 10.04.4 LTS', version: { major: 10, minor: 4 } });
  });

  it('an empty or unparseable VERSION_ID of a rolling distro reads as 0.0 (archlinux docker image: TEMPLATE_VERSION_ID)', async () => {
    expect(osRelease('ID=arch\nPRETTY_NAME="Arch Linux"\nVERSION_ID=\n')).toEqual({
      ok: true,
      data: { distro: 'archlinux', productName: 'Arch Linux', prettyName: 'Arch Linux', version: { major: 0, minor: 0 } },
    });
    expect(osRelease(await fixture('archlinux-docker', 'etc/os-release')).data).toMatchObject({ version: { major: 0, minor: 0 }, buildId: 'rolling' });
  });

  it('an unknown ID is not a match, but PRETTY_NAME and the version stay for the next file (libguestfs behaviour)', () => {
    expect(osRelease('ID=someos\nPRETTY_NAME="Some OS 3.1"\nVERSION_ID=3.1\n')).toEqual({
      ok: false,
      data: { productName: 'Some OS 3.1', prettyName: 'Some OS 3.1', version: { major: 3, minor: 1 } },
    });
  });

  it('NeoKylin VERSION_ID=V7Update6 means 7.6 (RHBZ#1476081)', () => {
    expect(osRelease('ID=neokylin\nPRETTY_NAME="NeoKylin Linux Server 7"\nVERSION_ID=V7Update6\n').data.version).toEqual({ major: 7, minor: 6 });
  });
});

describe('fstab on odd inputs', () => {
  it('decodes \\040 (space), \\011 (tab) and \\134 (backslash) escapes in every field', () => {
    expect(parseFstab('LABEL=My\\040Disk /mnt/my\\040disk\\011x ext4 defaults 0 2\n//srv/a\\134b /mnt/s cifs guest\n')).toEqual([
      { spec: 'LABEL=My Disk', file: '/mnt/my disk\tx', vfstype: 'ext4', options: ['defaults'], freq: 0, passno: 2 },
      { spec: '//srv/a\\b', file: '/mnt/s', vfstype: 'cifs', options: ['guest'], freq: 0, passno: 0 },
    ]);
  });

  it('tabs and runs of blanks separate fields; leading blanks are allowed', () => {
    expect(parseFstab('\t/dev/vda1\t\t/\t xfs \t defaults\t1\t1\n   /dev/vdb  /srv   ext4   noatime,nodev   0   2\n')).toEqual([
      { spec: '/dev/vda1', file: '/', vfstype: 'xfs', options: ['defaults'], freq: 1, passno: 1 },
      { spec: '/dev/vdb', file: '/srv', vfstype: 'ext4', options: ['noatime', 'nodev'], freq: 0, passno: 2 },
    ]);
  });

  it('missing trailing fields default (options defaults, dump and pass 0); fewer than three fields drop the line', () => {
    expect(parseFstab('/dev/a /a ext4\n/dev/b /b ext4 ro\n/dev/c /c ext4 ro 1\n/dev/d /d\n/dev/e\n')).toEqual([
      { spec: '/dev/a', file: '/a', vfstype: 'ext4', options: ['defaults'], freq: 0, passno: 0 },
      { spec: '/dev/b', file: '/b', vfstype: 'ext4', options: ['ro'], freq: 0, passno: 0 },
      { spec: '/dev/c', file: '/c', vfstype: 'ext4', options: ['ro'], freq: 1, passno: 0 },
    ]);
  });

  it('a comment at the end of a line is ignored', () => {
    expect(parseFstab('/dev/sdb1\t/srv\txfs\tnoatime\t0\t0\t# data disk\nUUID=1 / ext4 defaults 0 1 #root\n')).toEqual([
      { spec: '/dev/sdb1', file: '/srv', vfstype: 'xfs', options: ['noatime'], freq: 0, passno: 0 },
      { spec: 'UUID=1', file: '/', vfstype: 'ext4', options: ['defaults'], freq: 0, passno: 1 },
    ]);
  });

  it('[vmcraft bug] a # inside a field is data, not a comment (util-linux keeps "LABEL=disk#2 /mnt/c#")', () => {
    // `findmnt --fstab -F` on this line reports source LABEL=disk#2, target /mnt/c#.
    expect(parseFstab('LABEL=disk#2 /mnt/c# ext4 defaults 0 2\n')).toEqual([
      { spec: 'LABEL=disk#2', file: '/mnt/c#', vfstype: 'ext4', options: ['defaults'], freq: 0, passno: 2 },
    ]);
  });

  it('CRLF line ends, comment-only and empty files', () => {
    expect(parseFstab('# comment\r\n/dev/sda1 / ext4 defaults 1 1\r\n\r\n')).toEqual([
      { spec: '/dev/sda1', file: '/', vfstype: 'ext4', options: ['defaults'], freq: 1, passno: 1 },
    ]);
    expect(parseFstab('# nothing\n   # but comments\n')).toEqual([]);
    expect(parseFstab('')).toEqual([]);
  });

  it('non-numeric dump/pass read as 0', () => {
    expect(parseFstab('/dev/x /x ext4 defaults x y\n')).toEqual([
      { spec: '/dev/x', file: '/x', vfstype: 'ext4', options: ['defaults'], freq: 0, passno: 0 },
    ]);
  });
});
