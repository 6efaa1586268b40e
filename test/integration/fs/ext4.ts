/**
 * A small ext4 filesystem on a loop device, mounted under a scratch directory,
 * for file-operation tests on a real kernel filesystem. `release()` unmounts
 * and detaches even when a test failed half-way.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/** A mounted test filesystem. */
export interface MountedExt4 {
  /** The image file. */
  image: string;
  /** The loop device. */
  device: string;
  /** Where it is mounted. */
  mountDir: string;
  /** Unmounts and detaches; safe to call twice. */
  release(): Promise<void>;
}

/** Options of {@link mountExt4}. */
export interface Ext4Options {
  /** Populate the new filesystem from this host directory (mkfs.ext4 -d). */
  populateFrom?: string;
  /** Mount read-only without journal replay (`ro,noload`). */
  readonly?: boolean;
  /** Size of the image. @default '64M' */
  size?: string;
}

/** Makes `<dir>/<name>.img`, attaches it and mounts it at `<dir>/<name>`. */
export async function mountExt4(dir: string, name: string, options: Ext4Options = {}): Promise<MountedExt4> {
  const image = path.join(dir, `${name}.img`);
  const mountDir = path.join(dir, name);
  await execa('truncate', ['-s', options.size ?? '64M', image]);
  await execa('mkfs.ext4', ['-q', ...(options.populateFrom ? ['-d', options.populateFrom] : []), image]);
  await mkdir(mountDir);
  const device = (await execa('losetup', ['--find', '--show', ...(options.readonly ? ['--read-only'] : []), image])).stdout.trim();
  let mounted = false;
  let attached = true;
  const release = async () => {
    if (mounted) await execa('umount', [mountDir]);
    mounted = false;
    if (attached) await execa('losetup', ['-d', device]);
    attached = false;
  };
  try {
    await execa('mount', ['-t', 'ext4', ...(options.readonly ? ['-o', 'ro,noload'] : []), device, mountDir]);
    mounted = true;
  } catch (err) {
    await release();
    throw err;
  }
  return { image, device, mountDir, release };
}
