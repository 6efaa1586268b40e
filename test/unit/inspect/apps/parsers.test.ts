/** The package database parsers and the Windows mapping, on hand-written input (the real tools are compared in test/integration/guestfs/applications.test.ts). */
import { describe, expect, it } from 'vitest';
import { application, sortApplications, splitVersion } from '../../../../src/inspect/apps/application.js';
import { parseApkInstalled } from '../../../../src/inspect/apps/apk.js';
import { parseDpkgStatus } from '../../../../src/inspect/apps/deb.js';
import { parsePacmanDesc } from '../../../../src/inspect/apps/pacman.js';
import { parseRpmQuery } from '../../../../src/inspect/apps/rpm.js';
import { windowsApplication } from '../../../../src/inspect/apps/windows.js';

describe('splitVersion', () => {
  it('splits at the first colon and the first dash, as libguestfs', () => {
    expect(splitVersion('1:2.36-9+deb12u4')).toEqual({ epoch: 1, version: '2.36', release: '9+deb12u4' });
    expect(splitVersion('2.0-rc1-3')).toEqual({ epoch: 0, version: '2.0', release: 'rc1-3' });
    expect(splitVersion('7.4')).toEqual({ epoch: 0, version: '7.4', release: '' });
  });
  it('refuses an epoch that is not an unsigned number', () => {
    expect(splitVersion('x:1.0-1')).toBeUndefined();
    expect(splitVersion(':1.0-1')).toBeUndefined();
    expect(splitVersion('-1:1.0')).toBeUndefined();
  });
});

describe('parseDpkgStatus', () => {
  const status = [
    'Package: libc6', 'Status: install ok installed', 'Priority: optional', 'Architecture: amd64', 'Multi-Arch: same',
    'Source: glibc (2.36-9)', 'Version: 2.36-9+deb12u4', 'Homepage: https://www.gnu.org/software/libc/libc.html',
    'Conffiles:', ' /etc/ld.so.conf abc', 'Description: GNU C Library: Shared libraries', ' Contains the standard libraries.', ' .', ' More.', '',
    'Package: gone', 'Status: deinstall ok config-files', 'Version: 1.0-1', 'Architecture: all', '',
    'Package: half', 'Status: install reinstreq half-installed', 'Version: 1.0-1', '',
    'Package: noversion', 'Status: install ok installed', '',
    'Package: badepoch', 'Status: install ok installed', 'Version: a:1.0', '',
    'Package: last', 'Status: install ok installed', 'Version: 3:1.0', 'Description: no newline at the end',
  ].join('\n');

  it('lists installed packages with libguestfs fields, leaving out the others', () => {
    const { apps, skipped } = parseDpkgStatus(status);
    expect(apps).toEqual([
      application({
        name: 'libc6', version: '2.36', release: '9+deb12u4', arch: 'amd64', url: 'https://www.gnu.org/software/libc/libc.html', sourcePackage: 'glibc',
        summary: 'GNU C Library: Shared libraries', description: 'Contains the standard libraries.\n.\nMore.',
      }),
      application({ name: 'last', epoch: 3, version: '1.0', summary: 'no newline at the end' }),
    ]);
    expect(skipped).toBe(2);
  });

  it('reads nothing from binary or empty text, without throwing', () => {
    expect(parseDpkgStatus('\0\xff\u0001garbage: \n\n\n')).toEqual({ apps: [], skipped: 0 });
    expect(parseDpkgStatus('')).toEqual({ apps: [], skipped: 0 });
  });
});

describe('parseApkInstalled', () => {
  it('reads P, V (release without its r), A, U and T', () => {
    const text = 'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nT:the musl c library\nU:https://musl.libc.org/\n\nP:noversion\n\nP:epoch\nV:2:3.0\n';
    expect(parseApkInstalled(text)).toEqual({
      apps: [
        application({ name: 'musl', version: '1.2.4', release: '2', arch: 'x86_64', url: 'https://musl.libc.org/', description: 'the musl c library' }),
        application({ name: 'epoch', epoch: 2, version: '3.0' }),
      ],
      skipped: 1,
    });
  });
});

describe('parsePacmanDesc', () => {
  it('reads %NAME%, %VERSION%, %ARCH%, %URL% and %DESC%', () => {
    const text = '%NAME%\nbash\n\n%VERSION%\n1:5.2.026-2\n\n%BASE%\nbash\n\n%DESC%\nThe GNU Bourne Again shell\n\n%URL%\nhttps://www.gnu.org/software/bash/\n\n%ARCH%\nx86_64\n\n';
    expect(parsePacmanDesc(text)).toEqual(application({ name: 'bash', epoch: 1, version: '5.2.026', release: '2', arch: 'x86_64', url: 'https://www.gnu.org/software/bash/', description: 'The GNU Bourne Again shell' }));
  });
  it('gives nothing without a name, arch, or a version with a release', () => {
    expect(parsePacmanDesc('%NAME%\nx\n\n%VERSION%\n1.0\n\n%ARCH%\nany\n')).toBeUndefined();
    expect(parsePacmanDesc('%NAME%\nx\n\n%VERSION%\n1.0-1\n')).toBeUndefined();
    expect(parsePacmanDesc('\0\0\0')).toBeUndefined();
  });
});

describe('parseRpmQuery', () => {
  it("splits shell-quoted words, with '\\'' for a quote and newlines inside quotes", () => {
    expect(parseRpmQuery("'a' 0 'it'\\''s' (none) 'two\nlines'\n'b' 2 '' (none) ''\n")).toEqual([
      ['a', '0', "it's", '(none)', 'two\nlines'],
      ['b', '2', '', '(none)', ''],
    ]);
    expect(parseRpmQuery('')).toEqual([]);
  });
  it('refuses text in another form', () => {
    expect(parseRpmQuery("'a' 'b'")).toBeUndefined();
    expect(parseRpmQuery("'unterminated\n")).toBeUndefined();
    expect(parseRpmQuery("'a''b'\n")).toBeUndefined();
  });
});

describe('windowsApplication', () => {
  const base = { key: '{GUID}', name: 'Thing', version: '1.0', publisher: 'Acme', installDate: '20240101', installLocation: 'C:\\Thing', url: 'https://acme.example', comments: 'a thing' };
  it('maps the Uninstall values to libguestfs fields', () => {
    expect(windowsApplication(base)).toEqual(application({
      name: '{GUID}', displayName: 'Thing', version: '1.0', publisher: 'Acme', installPath: 'C:\\Thing', url: 'https://acme.example', description: 'a thing',
    }));
  });
  it('classes anti-virus software as libguestfs does', () => {
    expect(windowsApplication({ ...base, publisher: 'Kaspersky Lab' }).class).toBe('antivirus');
    expect(windowsApplication({ ...base, key: 'ApexOneNT' }).class).toBe('antivirus');
    expect(windowsApplication({ ...base, name: 'Norton Security' }).class).toBe('antivirus');
  });
});

describe('sortApplications', () => {
  it('sorts by the bytes of the name, as strcmp', () => {
    const names = ['b', 'Z', 'a', 'é', '_'];
    expect(sortApplications(names.map((name) => application({ name }))).map((a) => a.name)).toEqual(['Z', '_', 'a', 'b', 'é']);
  });
});
