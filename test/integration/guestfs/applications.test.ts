/**
 * inspectListApplications2 on real guests: the Debian fixture against
 * dpkg-query, an rpm guest (database made by the host's rpm) against
 * `rpm --root -qa`, hand-made apk and pacman databases, the built Windows
 * image; read-only sessions leave every image byte-identical. Hostile
 * databases (huge, binary, garbage, a symlink out of the guest) give a
 * warning or a typed error.
 */
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, type Application } from '../../../src/index.js';
import { application } from '../../../src/inspect/apps/application.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { APK_PACKAGES, apkTree, ext4Image, PACMAN_PACKAGES, pacmanTree, RPM_DBPATH, rpmQuery, rpmTree } from '../../helpers/package-images.js';
import { buildWindowsImage } from '../../helpers/windows-image.js';

let dir: string;
let remove: () => Promise<void>;
let rpmRoot: string;
const images: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('applications'));
  rpmRoot = await rpmTree(dir);
  images.rpm = await ext4Image(rpmRoot, path.join(dir, 'rocky.raw'));
  images.apk = await ext4Image(await apkTree(dir), path.join(dir, 'alpine.raw'));
  images.pacman = await ext4Image(await pacmanTree(dir), path.join(dir, 'arch.raw'));
}, 120_000);
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

/** Warnings the session logs from now on. */
function warnings(g: GuestFS): string[] {
  const seen: string[] = [];
  g.on('log', (e: { level: string; message: string }) => e.level === 'warn' && seen.push(e.message));
  return seen;
}

/** Opens `image` read-only, inspects and mounts its one root, lists its applications; checks the image is unchanged. */
async function listed(image: string, extra?: (g: GuestFS, root: string) => Promise<void>): Promise<{ apps: Application[]; root: string; warnings: string[] }> {
  const before = await sha256File(image);
  let result;
  {
    await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    const seen = warnings(g);
    const [root] = await g.inspectOs();
    await g.mountRoot(root!);
    result = { apps: await g.inspectListApplications2(root!), root: root!, warnings: seen };
    await extra?.(g, root!);
  }
  expect(await sha256File(image)).toBe(before);
  return result;
}

/** libguestfs' split of a deb version: epoch before the first `:`, release after the first `-` of the rest. */
function debVersion(text: string): { epoch: number; version: string; release: string } {
  const [, epoch, version, release] = /^(?:(\d+):)?([^-]*)(?:-(.*))?$/.exec(text)!;
  return { epoch: Number(epoch ?? 0), version: version!, release: release ?? '' };
}

describe('deb: the Debian fixture', () => {
  it("lists what dpkg-query says is installed, with libguestfs's fields", async () => {
    const image = (await loadFixtures()).debian12!.path;
    const admin = path.join(dir, 'dpkg-admin');
    await mkdir(admin);
    const { apps } = await listed(image, (g) => g.download('/var/lib/dpkg/status', path.join(admin, 'status')));
    const fields = ['db:Status-Status', 'Package', 'Version', 'Architecture', 'Homepage', 'Source', 'Description'];
    const { stdout } = await execa('dpkg-query', [`--admindir=${admin}`, '-W', '-f', `${fields.map((f) => `\${${f}}`).join('\x1f')}\x1e`]);
    const expected = stdout.split('\x1e').filter(Boolean).map((r) => r.split('\x1f'))
      .filter(([status]) => status === 'installed')
      .map(([, name, version, arch, url, source, description]) => {
        const [summary, ...rest] = description!.split('\n');
        return application({
          name: name!, ...debVersion(version!), arch: arch!, url: url!, sourcePackage: source!.split(' ')[0]!,
          summary: summary!, description: rest.map((l) => l.slice(1)).join('\n'),
        });
      })
      .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    expect(expected.length).toBeGreaterThan(80);
    expect(apps).toEqual(expected);
    expect(apps.find((a) => a.name === 'libc6')).toMatchObject({ sourcePackage: 'glibc', arch: 'amd64' });
  }, 60_000);
});

describe('rpm: a Rocky Linux tree whose database the host rpm made', () => {
  it('lists what `rpm --root -qa` says, and the image is unchanged', async () => {
    const { apps, root } = await listed(images.rpm!, async (g, r) => {
      expect(g.inspectOsInfo(r)).toMatchObject({ distro: 'rocky', packageFormat: 'rpm', packageManagement: 'dnf' });
    });
    expect(root).toBe('/dev/sda');
    const expected = (await rpmQuery(rpmRoot))
      .map(([name, epoch, version, release, arch, url, summary, description]) =>
        application({ name: name!, epoch: Number(epoch), version: version!, release: release!, arch: arch!, url: url!, summary: summary!, description: description! }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    expect(expected.map((a) => a.name)).toEqual(['Zz-upper', 'libtiny', 'tiny-tool']);
    expect(apps).toEqual(expected);
    expect(apps.find((a) => a.name === 'tiny-tool')).toMatchObject({ epoch: 2, version: '1.2', release: '3.el9', arch: 'noarch', description: expect.stringContaining("it's \\ backslash") });
    // libguestfs gives rpm's text for a missing tag.
    expect(apps.find((a) => a.name === 'libtiny')!.url).toBe('(none)');
  }, 60_000);

  it('gives EINSPECT for a database that is not one, and ENOENT for none, without writing the image', async () => {
    const broken = path.join(dir, 'rpm-broken');
    await execa('cp', ['-a', rpmRoot, broken]);
    await writeFile(path.join(broken, RPM_DBPATH, 'rpmdb.sqlite'), Buffer.alloc(65536, 0x5a));
    await execa('rm', ['-f', path.join(broken, RPM_DBPATH, 'rpmdb.sqlite-wal'), path.join(broken, RPM_DBPATH, 'rpmdb.sqlite-shm')]);
    const image = await ext4Image(broken, path.join(dir, 'rocky-broken.raw'));
    await expect(listed(image)).rejects.toMatchObject({ code: 'EINSPECT', message: expect.stringMatching(/^rpm reading the database in \/usr\/lib\/sysimage\/rpm failed: .*corrupt or hostile/) });
    await execa('rm', ['-rf', path.join(broken, 'usr/lib/sysimage/rpm'), path.join(broken, 'var/lib/rpm')]);
    // The database directory as a symlink out of the guest reads inside it: the host's own database is not read.
    await symlink('../../../../../../../../var/lib/dpkg', path.join(broken, 'var/lib/rpm'));
    const none = await ext4Image(broken, path.join(dir, 'rocky-none.raw'));
    await expect(listed(none)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it('refuses a database larger than its bound before copying it', async () => {
    const huge = path.join(dir, 'rpm-huge');
    await execa('cp', ['-a', rpmRoot, huge]);
    // Sparse: 600 MiB of size in a few blocks.
    await truncate(path.join(huge, RPM_DBPATH, 'rpmdb.sqlite'), 600 * 2 ** 20);
    const image = await ext4Image(huge, path.join(dir, 'rocky-huge.raw'));
    await expect(listed(image)).rejects.toMatchObject({ code: 'EINSPECT', message: 'the rpm database in /usr/lib/sysimage/rpm is larger than 512 MiB: not read' });
  }, 60_000);
});

describe('apk and pacman: hand-made databases', () => {
  it('apk: every package of /lib/apk/db/installed', async () => {
    const { apps } = await listed(images.apk!);
    const expected = APK_PACKAGES.map((p) => {
      const [, version, release] = /^(.*?)-r(\d+)$/.exec(p.V)!;
      return application({ name: p.P, version: version!, release: release!, arch: p.A, url: p.U, description: p.T });
    }).sort((a, b) => a.name.localeCompare(b.name));
    expect(apps).toEqual(expected);
  });

  it('pacman: every package directory with a desc, not ALPM_DB_VERSION', async () => {
    const { apps, warnings: seen } = await listed(images.pacman!);
    const expected = PACMAN_PACKAGES.map((p) => {
      const [, epoch, version, release] = /^(?:(\d+):)?(.*)-([^-]+)$/.exec(p.VERSION)!;
      return application({ name: p.NAME, epoch: Number(epoch ?? 0), version: version!, release: release!, arch: p.ARCH, url: p.URL, description: p.DESC });
    }).sort((a, b) => a.name.localeCompare(b.name));
    expect(apps).toEqual(expected);
    expect(seen).toEqual([]);
  });
});

describe('hostile databases', () => {
  it('dpkg status: binary is read as nothing; over 50 MB is EINSPECT; a symlink out of the guest reads inside it', async () => {
    const root = path.join(dir, 'deb-hostile');
    await execa('cp', ['-a', path.join(dir, 'apk-root'), root]);
    await writeFile(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
    await mkdir(path.join(root, 'var/lib/dpkg'), { recursive: true });
    const status = path.join(root, 'var/lib/dpkg/status');
    await writeFile(status, Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256)));
    expect((await listed(await ext4Image(root, path.join(dir, 'deb-binary.raw')))).apps).toEqual([]);

    await truncate(status, 50 * 1000 * 1000 + 1);
    await expect(listed(await ext4Image(root, path.join(dir, 'deb-huge.raw'), 128))).rejects.toMatchObject({ code: 'EINSPECT', message: '/var/lib/dpkg/status is larger than 50000000 bytes: not read' });

    // ../ beyond the root stays at the guest's /: this reads the guest's /etc/passwd, not the host's.
    await execa('rm', [status]);
    await symlink('../../../../../../../../../etc/passwd', status);
    await writeFile(path.join(root, 'etc/passwd'), 'Package: from-the-guest\nStatus: install ok installed\nVersion: 1.0-1\n\nPackage: no-version\nStatus: install ok installed\n\n');
    const { apps, warnings: seen } = await listed(await ext4Image(root, path.join(dir, 'deb-symlink.raw')));
    expect(apps).toEqual([application({ name: 'from-the-guest', version: '1.0', release: '1' })]);
    expect(seen).toEqual(['inspectListApplications2 /dev/sda: /var/lib/dpkg/status: 1 package entry left out (no name or version, or an epoch that is not a number)']);
  }, 60_000);

  it('pacman: a desc that is too big, a directory, or missing is left out with a warning', async () => {
    const root = path.join(dir, 'pacman-hostile');
    await execa('cp', ['-a', path.join(dir, 'pacman-root'), root]);
    const local = path.join(root, 'var/lib/pacman/local');
    await writeFile(path.join(local, 'bash-5.2.026-2/desc'), `%NAME%\nbash\n\n%DESC%\n${'x'.repeat(9000)}\n`);
    await mkdir(path.join(local, 'nodesc-1-1'));
    await mkdir(path.join(local, 'dirdesc-1-1/desc'), { recursive: true });
    const { apps, warnings: seen } = await listed(await ext4Image(root, path.join(dir, 'arch-hostile.raw')));
    expect(apps.map((a) => a.name)).toEqual(['filesystem', 'iana-etc']);
    const at = 'inspectListApplications2 /dev/sda: package left out:';
    expect(seen).toEqual([
      `${at} /var/lib/pacman/local/bash-5.2.026-2/desc is larger than 8192 bytes: not read`,
      `${at} read /var/lib/pacman/local/dirdesc-1-1/desc: the path is a directory`,
      `${at} read /var/lib/pacman/local/nodesc-1-1/desc: no such file, directory or device`,
    ]);
  }, 60_000);
});

/** Added to the built image's SOFTWARE hive with hivexregedit: an anti-virus with every value libguestfs reads, and Defender switched on. */
const MORE_SOFTWARE = `Windows Registry Editor Version 5.00

[\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{1F2E3D4C-0000-1111-2222-333344445555}]
"DisplayName"="Sophos Endpoint Agent"
"DisplayVersion"="2023.2.1.9"
"Publisher"="Sophos Limited"
"InstallLocation"="C:\\\\Program Files\\\\Sophos"
"URLInfoAbout"="https://www.sophos.com/"
"Comments"="Endpoint protection"

[\\Microsoft\\Windows Defender]
"DisableAntiVirus"=dword:00000000
`;

describe('Windows: the built Windows Server 2019 image', () => {
  it('lists the Uninstall keys and Defender with libguestfs fields, without mounting', async () => {
    const image = path.join(dir, 'windows.raw');
    await buildWindowsImage(dir, image, async (tree) => {
      await writeFile(path.join(dir, 'more.reg'), MORE_SOFTWARE);
      await execa('hivexregedit', ['--merge', path.join(tree, 'Windows/System32/config/SOFTWARE'), path.join(dir, 'more.reg')]);
    });
    const before = await sha256File(image);
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      const [root] = await g.inspectOs();
      expect(await g.inspect_list_applications2(root!)).toEqual([
        application({ name: '7-Zip', displayName: '7-Zip 23.01 (x64)', version: '23.01', publisher: 'Igor Pavlov' }),
        application({ name: 'Notepad++', displayName: 'Notepad++ (32-bit x86)', version: '8.6.2', publisher: 'Notepad++ Team' }),
        application({ name: 'WinDefend', displayName: 'Microsoft Defender Antivirus', publisher: 'Microsoft Corporation', class: 'antivirus' }),
        application({
          name: '{1F2E3D4C-0000-1111-2222-333344445555}', displayName: 'Sophos Endpoint Agent', version: '2023.2.1.9', publisher: 'Sophos Limited',
          installPath: 'C:\\Program Files\\Sophos', url: 'https://www.sophos.com/', description: 'Endpoint protection', class: 'antivirus',
        }),
      ]);
    }
    expect(await sha256File(image)).toBe(before);
  }, 60_000);
});

describe('arguments', () => {
  it('a root inspection did not find is EINVAL; a Linux root not mounted is ENOTMOUNTED', async () => {
    await using g = await GuestFS.open(images.apk!, { readonly: true, tmpDir: dir });
    await expect(g.inspectListApplications2('/dev/sda')).rejects.toMatchObject({ code: 'EINVAL' });
    await g.inspectOs();
    await expect(g.inspectListApplications2('/dev/sdz')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.inspectListApplications2('/dev/sda')).rejects.toMatchObject({ code: 'ENOTMOUNTED' });
  });
});
