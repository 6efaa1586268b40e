/**
 * The VM's initramfs: busybox plus the modules that mount the host's root over
 * 9p, built once per kernel version and recipe, and cached.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Runner } from '../core/exec.js';

/** Where built initramfs images are cached. */
export const VM_CACHE = process.env.VMCRAFT_VM_CACHE ?? '/var/cache/vmcraft/vm';

const runner = new Runner();

/** Modules (with dependencies) the first stage needs before it can reach the host's root. */
const EARLY_MODULES = ['virtio_pci', 'virtio_blk', '9pnet_virtio', '9p', 'overlay'];

/** The first stage: load modules, overlay the host's root (9p, read-only) with tmpfs, switch into it. */
const INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.list); do insmod "/modules/$m" || echo "vmcraft-vm: insmod $m failed"; done
arg() { sed -n "s/.*$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
PROJECT=$(arg vmcraft.project)
opts=trans=virtio,version=9p2000.L,msize=512000
mkdir -p /ro /rw /newroot
mount -t 9p -o $opts,ro,cache=loose hostroot /ro || { echo "vmcraft-vm: cannot mount the host root"; poweroff -f; }
mount -t tmpfs -o size=4g tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work /newroot
mount -t 9p -o $opts,cache=loose project "/newroot$PROJECT"
mkdir -p /newroot/vmcraft-results /newroot/var/cache/vmcraft
mount -t 9p -o $opts results /newroot/vmcraft-results
mount -t 9p -o $opts cache /newroot/var/cache/vmcraft
for d in proc sys dev; do mount --move /$d /newroot/$d; done
exec switch_root /newroot /bin/sh /vmcraft-results/stage2.sh
`;

/** The modules to insmod, in dependency order (from modprobe --show-depends). */
async function moduleFiles(version: string): Promise<string[]> {
  const files: string[] = [];
  for (const mod of EARLY_MODULES) {
    const { stdout } = await runner.run('modprobe', ['-S', version, '--show-depends', mod]);
    for (const line of stdout.split('\n')) {
      const file = /^insmod (\S+)/.exec(line.trim())?.[1];
      if (file && !files.includes(file)) files.push(file);
    }
  }
  return files;
}

/** Where the initramfs for a kernel version is cached (whether or not it is built yet). */
export function initramfsPath(version: string): string {
  const recipe = createHash('sha256').update(INIT).update(EARLY_MODULES.join(',')).digest('hex').slice(0, 12);
  return path.join(VM_CACHE, `initramfs-${version}-${recipe}.cpio.gz`);
}

/**
 * Builds (or reuses) the initramfs for a kernel version; returns its path. The
 * name holds the kernel version and a hash of what goes in, so a new kernel or
 * a changed init script gets a new image.
 */
export async function ensureInitramfs(version: string): Promise<string> {
  const target = initramfsPath(version);
  if (existsSync(target)) return target;
  await mkdir(VM_CACHE, { recursive: true });
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-initramfs-'));
  // A temp name of our own: two runs may build the same image at once.
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    await mkdir(path.join(work, 'bin'), { recursive: true });
    await mkdir(path.join(work, 'modules'));
    await copyFile('/bin/busybox', path.join(work, 'bin/busybox'));
    const modules = await moduleFiles(version);
    for (const file of modules) await copyFile(file, path.join(work, 'modules', path.basename(file)));
    await writeFile(path.join(work, 'modules.list'), `${modules.map((m) => path.basename(m)).join('\n')}\n`);
    await writeFile(path.join(work, 'init'), INIT);
    await chmod(path.join(work, 'init'), 0o755);
    await runner.run('sh', ['-c', 'cd "$1" && find . | cpio -o -H newc --quiet | gzip -1 > "$2"', 'sh', work, tmp]);
    await rename(tmp, target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(tmp, { force: true });
  }
}
