/**
 * Tiny Linux guests for pipeline tests that run many VMs: a whole-disk ext4
 * image (mkfs.ext4 -d) with what inspection needs to see a Debian 12 root
 * and an fstab naming the root by its kernel device name (so FIX has
 * something to change). `dataMiB` adds that much random data, for a CONVERT
 * that lasts long enough to be interrupted.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/** Builds `dir/name` (raw) and returns its path. */
export async function tinyLinuxImage(dir: string, name: string, { dataMiB = 0 }: { dataMiB?: number } = {}): Promise<string> {
  const root = await mkdtemp(path.join(dir, '.tree-'));
  try {
    await mkdir(path.join(root, 'etc'));
    await mkdir(path.join(root, 'usr/bin'), { recursive: true });
    await symlink('usr/bin', path.join(root, 'bin'));
    await writeFile(path.join(root, 'etc/os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n');
    await writeFile(path.join(root, 'etc/debian_version'), '12.5\n');
    await writeFile(path.join(root, 'etc/hostname'), `${name.replace(/\W/g, '')}\n`);
    await writeFile(path.join(root, 'etc/fstab'), '/dev/sda / ext4 defaults 0 1\n');
    if (dataMiB) {
      await mkdir(path.join(root, 'var'));
      // dd writes the file itself: execa's stdout to a file would pass (and buffer) every byte through this process.
      await execa('dd', ['if=/dev/urandom', `of=${path.join(root, 'var/blob')}`, 'bs=1M', `count=${dataMiB}`, 'iflag=fullblock', 'status=none']);
    }
    const image = path.join(dir, name);
    await execa('mkfs.ext4', ['-q', '-F', '-d', root, image, `${16 + Math.ceil(dataMiB * 1.1)}M`]);
    return image;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
