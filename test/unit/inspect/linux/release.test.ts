/** The release file parsers of src/inspect/linux/release.ts on odd inputs (real files from test/fixtures/distro-roots where there is one). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeyValue } from '../../../../src/inspect/parsers/key-value.js';
import { parseLsbRelease, parseOsRelease, type ReleaseData } from '../../../../src/inspect/linux/release.js';
import { FIXTURE_ROOTS } from '../guest-root.js';

const fixture = (root: string, file: string) => readFile(path.join(FIXTURE_ROOTS, root, file), 'utf8');

function osRelease(text: string): { ok: boolean; data: ReleaseData } {
  const data: ReleaseData = {};
  return { ok: parseOsRelease(text, data), data };
}

describe('parseOsRelease on odd inputs', () => {
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

describe('parseLsbRelease on odd inputs', () => {
  it('an unterminated quote is kept as written, like libguestfs (ansible ubuntu_10.04_guess)', async () => {
    const data: ReleaseData = {};
    expect(parseLsbRelease(await fixture('ubuntu-10.04-unclosed-quote', 'etc/lsb-release'), data)).toBe(true);
    expect(data).toEqual({ distro: 'ubuntu', productName: '"Ubuntu 10.04.4 LTS', version: { major: 10, minor: 4 } });
  });
});
