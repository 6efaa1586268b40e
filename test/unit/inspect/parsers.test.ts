import { describe, expect, it } from 'vitest';
import { parseFstab } from '../../../src/inspect/parsers/fstab.js';
import { parseCrypttab } from '../../../src/inspect/parsers/crypttab.js';
import { parseKeyValue, parseMajorMinor, shellUnquote } from '../../../src/inspect/parsers/key-value.js';

describe('parseKeyValue (os-release, lsb-release, sysconfig)', () => {
  it('unquotes shell values and skips comments and blank lines', () => {
    const text = '# comment\n\nNAME="Fedora Linux"\r\nID=fedora\nVARIANT=\'Server Edition\'\nexport HOSTNAME=box\nQUOTED="say \\"hi\\" for \\$5"\n  SPACED = "x"\n';
    expect(parseKeyValue(text)).toEqual({ NAME: 'Fedora Linux', ID: 'fedora', VARIANT: 'Server Edition', HOSTNAME: 'box', QUOTED: 'say "hi" for $5', SPACED: 'x' });
  });

  it('ignores lines that are not assignments, and an empty file', () => {
    expect(parseKeyValue('garbage line\n=novalue\n1X=bad\n')).toEqual({});
    expect(parseKeyValue('')).toEqual({});
  });

  it('keeps the last value of a repeated key', () => {
    expect(parseKeyValue('A=1\nA=2\n')).toEqual({ A: '2' });
  });

  it('shellUnquote leaves unquoted text, drops backslashes', () => {
    expect(shellUnquote('plain')).toBe('plain');
    expect(shellUnquote('a\\ b')).toBe('a b');
    expect(shellUnquote('""')).toBe('');
  });
});

describe('parseMajorMinor', () => {
  it.each([
    ['12.5', { major: 12, minor: 5 }],
    ['22.04', { major: 22, minor: 4 }],
    ['7', { major: 7, minor: 0 }],
    ['release 3.19.1', { major: 3, minor: 19 }],
    ['bookworm/sid', undefined],
  ])('%s', (text, expected) => expect(parseMajorMinor(text)).toEqual(expected));
});

describe('parseFstab', () => {
  it('reads fields, escapes, defaults and comments', () => {
    const text = [
      '# /etc/fstab',
      'UUID=0f3c / ext4 errors=remount-ro 0 1',
      'LABEL=my\\040disk\t/mnt/my\\040disk  ext4  defaults,noatime # trailing comment',
      '/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0',
      'server:/export /nfs nfs',
      'too-short /x',
      '',
    ].join('\n');
    expect(parseFstab(text)).toEqual([
      { spec: 'UUID=0f3c', file: '/', vfstype: 'ext4', options: ['errors=remount-ro'], freq: 0, passno: 1 },
      { spec: 'LABEL=my disk', file: '/mnt/my disk', vfstype: 'ext4', options: ['defaults', 'noatime'], freq: 0, passno: 0 },
      { spec: '/dev/sr0', file: '/media/cdrom0', vfstype: 'udf,iso9660', options: ['user', 'noauto'], freq: 0, passno: 0 },
      { spec: 'server:/export', file: '/nfs', vfstype: 'nfs', options: ['defaults'], freq: 0, passno: 0 },
    ]);
  });

  it('handles CRLF and an empty file', () => {
    expect(parseFstab('/dev/sda1 / ext4 defaults 1 1\r\n')).toHaveLength(1);
    expect(parseFstab('')).toEqual([]);
  });
});

describe('parseCrypttab', () => {
  it('reads Debian installer entries, comments and missing fields', () => {
    expect(parseCrypttab('# <target name> <source device> <key file> <options>\nsda5_crypt UUID=6f0f none luks,discard\nswap /dev/sda6 /dev/urandom swap,cipher=aes-xts-plain64\nshort /dev/sdb\n\n')).toEqual([
      { name: 'sda5_crypt', source: 'UUID=6f0f', keyFile: 'none', options: ['luks', 'discard'] },
      { name: 'swap', source: '/dev/sda6', keyFile: '/dev/urandom', options: ['swap', 'cipher=aes-xts-plain64'] },
      { name: 'short', source: '/dev/sdb', keyFile: 'none', options: [] },
    ]);
  });
});
