/**
 * Guest trees for the Augeas tests, in the style of augeas's own fake-root
 * fixtures: a few real config files (fstab, ifcfg, interfaces, sshd_config,
 * grub defaults, hosts) put into an ext4 image with `mkfs.ext4 -d`.
 */
import { chmod, chown, mkdir, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { processesWithPathUnder } from '../../src/core/processes.js';

/** The augtool processes with an argument below `dir` (a session's tmpDir). */
export async function augtoolsUnder(dir: string): Promise<number[]> {
  const pids = await processesWithPathUnder(dir);
  const exes = await Promise.all(pids.map((pid) => readlink(`/proc/${pid}/exe`).catch(() => '')));
  return pids.filter((_, i) => exes[i]!.endsWith('/augtool'));
}

/** The config files of the plain tree, by guest path. */
export const AUGEAS_FILES: Record<string, string> = {
  '/etc/fstab': '# static file system information\nUUID=1111-2222 / ext4 defaults,noatime 0 1\n/dev/sda2 /home ext4 defaults 0 2\ntmpfs /tmp tmpfs nosuid,nodev 0 0\n',
  '/etc/sysconfig/network-scripts/ifcfg-eth0': 'DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\n',
  '/etc/network/interfaces': 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet static\n    address 192.0.2.10\n    netmask 255.255.255.0\n',
  '/etc/ssh/sshd_config': 'Port 22\nPermitRootLogin no\nPasswordAuthentication yes\n',
  '/etc/default/grub': 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="console=ttyS0 quiet"\n',
  '/etc/hosts': '127.0.0.1 localhost\n192.0.2.10 web.example.org web\n',
};

/** What the hostile tree holds: links that would reach host files if followed on the host. */
export const HOSTILE = {
  /** Guest /etc/shadow's root password field: only the guest's file has it. */
  guestShadowHash: 'GUESTONLYHASH',
  /** Guest /etc/sshd_config (reached through the /etc/ssh -> /etc link). */
  guestSshdPort: '2222',
};

/** Writes `files` (guest path → content) below `tree`. */
async function writeTree(tree: string, files: Record<string, string>): Promise<void> {
  for (const [guestPath, content] of Object.entries(files)) {
    const file = path.join(tree, guestPath);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** An ext4 image of `tree` (raw, 64 MiB). */
async function ext4Of(tree: string, image: string): Promise<string> {
  await execa('truncate', ['-s', '64M', image]);
  await execa('mkfs.ext4', ['-q', '-F', '-d', tree, image]);
  return image;
}

/** The plain tree: {@link AUGEAS_FILES}, /etc/default/grub owned by 1000:1000 with mode 0600. */
export async function augeasImage(dir: string): Promise<string> {
  const tree = path.join(dir, 'tree');
  await writeTree(tree, AUGEAS_FILES);
  await chown(path.join(tree, 'etc/default/grub'), 1000, 1000);
  await chmod(path.join(tree, 'etc/default/grub'), 0o600);
  return ext4Of(tree, path.join(dir, 'augeas.img'));
}

/**
 * The hostile tree: /etc/fstab is a symlink to /etc/shadow (absolute), /etc/ssh
 * a symlink to /etc, and the guest has its own /etc/shadow and /etc/sshd_config;
 * /etc/sysconfig/network-scripts/ifcfg-big is over the size a staged file may have.
 */
export async function hostileAugeasImage(dir: string): Promise<string> {
  const tree = path.join(dir, 'hostile-tree');
  await writeTree(tree, {
    '/etc/shadow': `root:${HOSTILE.guestShadowHash}:19000:0:99999:7:::\n`,
    '/etc/sshd_config': `Port ${HOSTILE.guestSshdPort}\n`,
    '/etc/hosts': '127.0.0.1 localhost\n',
    '/etc/sysconfig/network-scripts/ifcfg-eth1': 'DEVICE=eth1\n',
  });
  // over the 16 MiB a staged file may have: left out, with a warning
  await writeFile(path.join(tree, 'etc/sysconfig/network-scripts/ifcfg-big'), Buffer.alloc(17 * 1024 * 1024, 'A=b\n'));
  await symlink('/etc/shadow', path.join(tree, 'etc/fstab'));
  await symlink('/etc', path.join(tree, 'etc/ssh'));
  return ext4Of(tree, path.join(dir, 'hostile.img'));
}
