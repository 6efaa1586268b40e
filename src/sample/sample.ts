/**
 * The embedded sample guest: a small MBR disk with a Linux-like tree (Debian
 * release files, fstab by UUID= and LABEL=, a real ELF binary from the host),
 * for trying vmcraft without an image of one's own.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultRunner, type Runner } from '../core/exec.js';
import { buildDiskImage } from './disk-builder.js';

/** Facts of the sample guest, for checking what inspection reports. */
export interface SampleImage {
  path: string;
  hostname: string;
  rootUuid: string;
  bootUuid: string;
}

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
}

/** Builds the sample qcow2 at `output` (about 100 MiB virtual, a few MiB on disk). */
export async function buildSampleImage(output: string, runner: Runner = defaultRunner): Promise<SampleImage> {
  const hostname = 'vmcraft-sample';
  const rootUuid = randomUUID();
  const bootUuid = randomUUID();
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-sample-'));
  try {
    const rootTree = path.join(work, 'root');
    const bootTree = path.join(work, 'boot');
    await writeTree(rootTree, {
      'etc/os-release': OS_RELEASE,
      'etc/debian_version': '12.5\n',
      'etc/hostname': `${hostname}\n`,
      'etc/fstab': `# <file system> <mount point> <type> <options> <dump> <pass>\nUUID=${rootUuid} / ext4 errors=remount-ro 0 1\nLABEL=boot /boot ext4 defaults 0 2\n`,
      'etc/motd': 'Built by vmcraft as a sample guest.\n',
      'var/lib/dpkg/status': '',
      'root/.profile': '# ~/.profile\n',
    });
    await mkdir(path.join(rootTree, 'usr/bin'), { recursive: true });
    await mkdir(path.join(rootTree, 'boot'));
    await copyFile('/usr/bin/true', path.join(rootTree, 'usr/bin/true'));
    await symlink('usr/bin', path.join(rootTree, 'bin'));
    await writeTree(bootTree, { 'vmlinuz-6.1.0-sample-amd64': 'not a real kernel\n' });
    await buildDiskImage(
      {
        table: 'dos',
        format: 'qcow2',
        output,
        partitions: [
          { sizeMiB: 32, fs: 'ext4', tree: bootTree, label: 'boot', uuid: bootUuid, bootable: true },
          { sizeMiB: 64, fs: 'ext4', tree: rootTree, label: 'rootfs', uuid: rootUuid },
        ],
      },
      runner,
    );
    return { path: output, hostname, rootUuid, bootUuid };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
