/** The shell-style KEY=value parser of os-release, lsb-release and sysconfig files (src/inspect/parsers/key-value.ts). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeyValue, parseMajorMinor, shellUnquote } from '../../../../src/inspect/parsers/key-value.js';
import { FIXTURE_ROOTS } from '../guest-root.js';

describe('parseKeyValue (os-release, lsb-release, sysconfig)', () => {
  it('unquotes shell values and skips comments and blank lines', () => {
    const text = '# comment\n\nNAME="Fedora Linux"\r\nID=fedora\nVARIANT=\'Server Edition\'\nexport HOSTNAME=box\nQUOTED="say \\"hi\\" for \\$5"\n  SPACED = "x"\n';
    expect(parseKeyValue(text)).toEqual({ NAME: 'Fedora Linux', ID: 'fedora', VARIANT: 'Server Edition', HOSTNAME: 'box', QUOTED: 'say "hi" for $5', SPACED: 'x' });
  });

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

  it('ignores lines that are not assignments, and an empty file', () => {
    expect(parseKeyValue('garbage line\n=novalue\n1X=bad\n')).toEqual({});
    expect(parseKeyValue('')).toEqual({});
  });

  it('lines that are not assignments are ignored; a later key wins', () => {
    expect(parseKeyValue('garbage\n=value\n1KEY=x\nKEY-DASH=y\nID=a\nID=b\n')).toEqual({ ID: 'b' });
  });

  it('keeps the last value of a repeated key', () => {
    expect(parseKeyValue('A=1\nA=2\n')).toEqual({ A: '2' });
  });

  it('a file without a trailing newline (which-distro kali/2019.4) keeps its last value', async () => {
    const kali = await readFile(path.join(FIXTURE_ROOTS, 'kali-2019.4', 'etc/os-release'), 'utf8');
    expect(kali.endsWith('\n')).toBe(false);
    expect(parseKeyValue(kali).BUG_REPORT_URL).toBe('https://bugs.kali.org/');
  });
});

describe('shellUnquote', () => {
  it('leaves unquoted text, drops backslashes', () => {
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
