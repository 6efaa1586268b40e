/**
 * Small Linux guests with a package database, each a whole-disk ext4 image
 * made with `mkfs.ext4 -d` from a tree built here: an rpm guest whose
 * database the host's rpm made (`rpm --initdb`, then tiny rpms built with
 * rpmbuild installed into it), and hand-made apk and pacman databases.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/** Where the rpm guest keeps its database (Fedora ≥ 36's place; /var/lib/rpm is a symlink to it). */
export const RPM_DBPATH = '/usr/lib/sysimage/rpm';

/** The files every tree needs for inspection to see a Linux root, plus its os-release. */
async function linuxTree(root: string, osRelease: string): Promise<void> {
  await mkdir(path.join(root, 'etc'), { recursive: true });
  await mkdir(path.join(root, 'usr/bin'), { recursive: true });
  await symlink('usr/bin', path.join(root, 'bin'));
  await writeFile(path.join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  await writeFile(path.join(root, 'etc/os-release'), osRelease);
}

/** A whole-disk ext4 image of `sizeMiB` holding `root`. */
export async function ext4Image(root: string, image: string, sizeMiB = 64): Promise<string> {
  await execa('mkfs.ext4', ['-q', '-F', '-d', root, image, `${sizeMiB}M`]);
  return image;
}

/** Spec files of the tiny rpms: an epoch, quotes and newlines in the text, no URL, an arch-specific one, a name sorting first. */
const SPECS = [
  {
    name: 'tiny-tool', header: 'Version: 1.2\nRelease: 3.el9\nEpoch: 2\nURL: https://example.org/tiny\nBuildArch: noarch',
    summary: "Tiny tool with 'quotes' and \"double\" ones", description: "First line.\nSecond line with it's \\ backslash and\ttab.\n\nAfter a blank line.",
  },
  { name: 'libtiny', header: 'Version: 0.9\nRelease: 1.el9\nBuildArch: x86_64', summary: 'Tiny library without a URL', description: 'One line.' },
  { name: 'Zz-upper', header: 'Version: 10\nRelease: 7\nBuildArch: noarch\nURL: https://example.org/z', summary: 'Sorts first by bytes', description: 'Upper case name.' },
];

/** Builds the tiny rpms in `dir` with rpmbuild and returns their paths. */
async function buildRpms(dir: string): Promise<string[]> {
  const top = path.join(dir, 'rpmbuild');
  const rpms: string[] = [];
  for (const spec of SPECS) {
    const file = path.join(dir, `${spec.name}.spec`);
    await writeFile(file, `Name: ${spec.name}\n${spec.header}\nSummary: ${spec.summary}\nLicense: MIT\n\n%description\n${spec.description}\n\n%install\nmkdir -p %{buildroot}/usr/share/${spec.name}\necho ${spec.name} > %{buildroot}/usr/share/${spec.name}/README\n\n%files\n/usr/share/${spec.name}/README\n`);
    await execa('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, file]);
    const arch = /BuildArch: (\S+)/.exec(spec.header)![1]!;
    rpms.push((await execa('find', [path.join(top, 'RPMS', arch), '-name', `${spec.name}-*.rpm`])).stdout.trim());
  }
  return rpms;
}

/** The rpm guest's tree (Rocky Linux 9) with its database made by the host's rpm; returns the tree. */
export async function rpmTree(dir: string): Promise<string> {
  const root = path.join(dir, 'rpm-root');
  await linuxTree(root, 'NAME="Rocky Linux"\nVERSION="9.4 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n');
  const rpm = (...args: string[]) => execa('rpm', ['--root', root, '--dbpath', RPM_DBPATH, ...args]);
  await rpm('--initdb');
  await rpm('-i', '--nodeps', '--noscripts', '--ignorearch', '--nosignature', ...(await buildRpms(dir)));
  await mkdir(path.join(root, 'var/lib'), { recursive: true });
  await symlink('../../usr/lib/sysimage/rpm', path.join(root, 'var/lib/rpm'));
  return root;
}

/** What `rpm --root tree -qa` says, one record a package: name, epoch, version, release, arch, url, summary, description. */
export async function rpmQuery(root: string): Promise<string[][]> {
  const format = ['NAME', 'EPOCHNUM', 'VERSION', 'RELEASE', 'ARCH', 'URL', 'SUMMARY', 'DESCRIPTION'].map((f) => `%{${f}}`).join('\x1f');
  const { stdout } = await execa('rpm', ['--root', root, '--dbpath', RPM_DBPATH, '-qa', '--qf', `${format}\x1e`]);
  return stdout.split('\x1e').filter(Boolean).map((r) => r.split('\x1f'));
}

/** The apk packages written to the database. */
export const APK_PACKAGES = [
  { P: 'musl', V: '1.2.4_git20230717-r4', A: 'x86_64', U: 'https://musl.libc.org/', T: 'the musl c library (libc) implementation' },
  { P: 'busybox', V: '1.36.1-r15', A: 'x86_64', U: 'https://busybox.net/', T: 'Size optimized toolbox of many common UNIX utilities' },
  { P: 'alpine-baselayout-data', V: '3.4.3-r2', A: 'x86_64', U: 'https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout', T: 'Alpine base dir structure and init scripts' },
];

/** An Alpine 3.19 tree with /lib/apk/db/installed holding {@link APK_PACKAGES} (with the other fields apk writes). */
export async function apkTree(dir: string): Promise<string> {
  const root = path.join(dir, 'apk-root');
  await linuxTree(root, 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n');
  await mkdir(path.join(root, 'lib/apk/db'), { recursive: true });
  const stanza = (p: (typeof APK_PACKAGES)[number]) => `C:Q1${p.P}=\nP:${p.P}\nV:${p.V}\nA:${p.A}\nS:1000\nI:2000\nT:${p.T}\nU:${p.U}\nL:MIT\no:${p.P}\nm:Someone <a@b>\nt:1700000000\nc:abcdef\nF:usr\nR:file\n\n`;
  await writeFile(path.join(root, 'lib/apk/db/installed'), APK_PACKAGES.map(stanza).join(''));
  return root;
}

/** pacman packages as written to their desc files. */
export const PACMAN_PACKAGES = [
  { NAME: 'bash', VERSION: '5.2.026-2', ARCH: 'x86_64', URL: 'https://www.gnu.org/software/bash/bash.html', DESC: 'The GNU Bourne Again shell' },
  { NAME: 'filesystem', VERSION: '2024.04.07-1', ARCH: 'any', URL: 'https://archlinux.org', DESC: 'Base Arch Linux files' },
  { NAME: 'iana-etc', VERSION: '1:20240305-1', ARCH: 'any', URL: 'https://www.iana.org/protocols', DESC: '/etc/protocols and /etc/services provided by IANA' },
];

/** An Arch Linux tree with /var/lib/pacman/local/<name-version>/desc for {@link PACMAN_PACKAGES}, plus ALPM_DB_VERSION. */
export async function pacmanTree(dir: string): Promise<string> {
  const root = path.join(dir, 'pacman-root');
  await linuxTree(root, 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n');
  const local = path.join(root, 'var/lib/pacman/local');
  await mkdir(local, { recursive: true });
  await writeFile(path.join(local, 'ALPM_DB_VERSION'), '9\n');
  for (const p of PACMAN_PACKAGES) {
    const pkg = path.join(local, `${p.NAME}-${p.VERSION.replace(/^\d+:/, '')}`);
    await mkdir(pkg);
    await writeFile(path.join(pkg, 'desc'), `%NAME%\n${p.NAME}\n\n%VERSION%\n${p.VERSION}\n\n%BASE%\n${p.NAME}\n\n%DESC%\n${p.DESC}\n\n%URL%\n${p.URL}\n\n%ARCH%\n${p.ARCH}\n\n%BUILDDATE%\n1700000000\n\n%SIZE%\n1000\n\n%LICENSE%\nGPL\n\n`);
    await writeFile(path.join(pkg, 'files'), '%FILES%\nusr/\n\n');
  }
  return root;
}
