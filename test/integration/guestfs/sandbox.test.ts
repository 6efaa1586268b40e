/**
 * A guest command is the image's own code: it must reach nothing of the host
 * but what the call hands it. Each attack runs through a writable and a
 * read-only session of the Debian fixture: the classic chroot escape (a static
 * C program put into the image), writing a host loop device, mounting, the
 * host's /sys, a host sysctl, capabilities, new user namespaces, the kernel
 * keyring, host processes. Killing the session's process kills the command.
 */
import { copyFile, mkdtemp, readFile, readlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { launchReaping } from '../../helpers/reap.js';

/** The classic escape: chroot into a subdirectory keeping a handle on /, climb out with `..`, chroot there. */
const ESCAPE_C = String.raw`
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int root = open("/", O_RDONLY);
  if (chroot("/usr") != 0) perror("chroot /usr");
  if (fchdir(root) != 0) perror("fchdir");
  for (int i = 0; i < 64; i++) chdir("..");
  if (chroot(".") != 0) perror("chroot .");
  char buf[256];
  int canary = open(argv[1], O_RDONLY);
  if (canary >= 0) { ssize_t n = read(canary, buf, sizeof buf); if (n > 0) fwrite(buf, 1, n, stdout); }
  else perror("open canary");
  int marker = open(argv[2], O_WRONLY | O_CREAT, 0644);
  if (marker >= 0) { write(marker, "escaped\n", 8); puts("WROTE"); } else perror("create marker");
  return 0;
}
`;

/** Capabilities no guest command may hold (bit numbers of linux/capability.h). */
const FORBIDDEN_CAPS = { SYS_ADMIN: 21, SYS_MODULE: 16, SYS_RAWIO: 17, SYS_PTRACE: 19, MKNOD: 27, NET_ADMIN: 12, SYS_TIME: 25, SYS_BOOT: 22, SYSLOG: 34, MAC_ADMIN: 33, PERFMON: 38, BPF: 39 };

let dir: string;
let remove: () => Promise<void>;
let image: string;
let canary: string;
let secret: string;
let loopFile: string;
let loopDevice: string;
let loopSha: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('sandbox'));
  image = path.join(dir, 'debian12.qcow2');
  await copyFile((await loadFixtures()).debian12!.path, image);
  secret = `vmcraft-canary-${randomBytes(8).toString('hex')}`;
  canary = path.join(dir, 'canary');
  await writeFile(canary, `${secret}\n`);
  // A host block device a guest command must not reach.
  loopFile = path.join(dir, 'host-disk.raw');
  await writeFile(loopFile, randomBytes(1 << 20));
  loopSha = await sha256File(loopFile);
  loopDevice = (await execa('losetup', ['--find', '--show', loopFile])).stdout.trim();
  // The escape program goes into the image, so that the read-only session has it too.
  await writeFile(path.join(dir, 'escape.c'), ESCAPE_C);
  await execa('gcc', ['-static', '-O1', '-o', path.join(dir, 'escape'), path.join(dir, 'escape.c')]);
  const g = await GuestFS.open(image, { tmpDir: dir });
  try {
    await g.mountRoot((await g.inspectOs())[0]!);
    await g.upload(path.join(dir, 'escape'), '/usr/local/bin/escape');
    await g.chmod(0o755, '/usr/local/bin/escape');
  } finally {
    await g.close();
  }
}, 120_000);

afterAll(async () => {
  if (loopDevice) await execa('losetup', ['-d', loopDevice]);
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe.each([
  ['a writable session', false],
  ['a read-only session', true],
])('guest commands in %s reach nothing of the host', (_label, readonly) => {
  let g: GuestFS;
  beforeAll(async () => {
    g = await GuestFS.open(image, { tmpDir: dir, readonly });
    await g.mountRoot((await g.inspectOs())[0]!);
  }, 60_000);
  afterAll(async () => g.close());

  /** Runs a script in the guest; its output and exit status, whether it failed or not. */
  async function run(script: string): Promise<{ out: string; code: number }> {
    try {
      const r = await g.command(['/bin/sh', '-c', `exec 2>&1\n${script}`]);
      return { out: r.stdout, code: r.exitCode };
    } catch (err) {
      const e = err as { code?: string; command?: { exitCode?: number; stderr?: string } };
      if (e.code !== 'ECOMMAND') throw err;
      return { out: e.command?.stderr ?? '', code: e.command?.exitCode ?? -1 };
    }
  }

  it('a chroot escape ends at the guest root: the host canary is not read, no host file is written', async () => {
    const marker = path.join(dir, `escaped-${readonly ? 'ro' : 'rw'}`);
    const { out } = await run(`/usr/local/bin/escape ${canary} ${marker}`);
    expect(out).not.toContain(secret);
    expect(out).toContain('open canary: No such file or directory');
    expect(existsSync(marker)).toBe(false);
  });

  it('sees no host block device: a write to the host loop device changes nothing, /dev is minimal', async () => {
    const name = path.basename(loopDevice);
    const { out } = await run(`ls /dev; dd if=/dev/zero of=/dev/${name} bs=4096 count=16 conv=notrunc; ls -l /dev/${name}`);
    expect(out.split('\n')).not.toContain(name);
    expect(out).not.toMatch(/\bsda\b|\bvda\b|\bnvme|\bmapper\b|\bkmsg\b|\bmem\b/);
    expect(await sha256File(loopFile)).toBe(loopSha);
    // Not even a device node of its own.
    expect((await run(`mknod /tmp/vmcraft-node b 7 0 && echo MADE`)).out).not.toContain('MADE');
  });

  it('cannot mount anything, the host loop device least of all', async () => {
    const attempts = await run(`mount /dev/${path.basename(loopDevice)} /mnt && echo MOUNTED; mount -t tmpfs none /mnt && echo MOUNTED; mount -t proc proc /mnt && echo MOUNTED; true`);
    expect(attempts.out).not.toContain('MOUNTED');
  });

  it('sees no /sys: the host disks are not listed', async () => {
    const { out } = await run('ls /sys/block /sys/class/block');
    expect(out).not.toMatch(/\bloop\d|\bvda\b|\bsda\b/);
  });

  it('cannot write a host sysctl: /proc/sys is read-only, the host value stays', async () => {
    const file = '/proc/sys/kernel/printk_ratelimit';
    const before = (await readFile(file, 'utf8')).trim();
    try {
      const { out } = await run(`echo ${Number(before) + 1} > ${file}; test -w /proc/sys/kernel/core_pattern && echo CORE_PATTERN_WRITABLE; cat /proc/sysrq-trigger 2>/dev/null; true`);
      expect(out).toContain('Read-only file system');
      expect(out).not.toContain('CORE_PATTERN_WRITABLE');
      expect((await readFile(file, 'utf8')).trim()).toBe(before);
    } finally {
      await writeFile(file, `${before}\n`); // on a failure, give the host its value back
    }
  });

  it('holds no capability that reaches the kernel, in a user namespace of its own', async () => {
    const { out } = await run('grep CapEff /proc/self/status; readlink /proc/self/ns/user');
    const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(out)![1]}`);
    const held = Object.entries(FORBIDDEN_CAPS).filter(([, bit]) => (capEff >> BigInt(bit)) & 1n).map(([name]) => name);
    expect(held).toEqual([]);
    expect(out).not.toContain(await readlink('/proc/self/ns/user'));
  });

  it('cannot make a user namespace of its own (where it would hold every capability) nor use the kernel keyring', async () => {
    expect((await run('unshare -U true && echo NESTED')).out).not.toContain('NESTED');
    // keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING): refused by the sandbox's filter with EPERM.
    expect((await run(`perl -e 'syscall(250, 0, -3, 0) == -1 and print "errno=", $!+0'`)).out).toBe('errno=1');
  });

  it('sees only its own processes', async () => {
    const { out } = await run('ls /proc | grep -c "^[0-9]"');
    expect(Number(out.trim())).toBeLessThan(8);
    expect((await run(`test -e /proc/${process.pid}/cmdline && echo SEEN`)).out).not.toContain('SEEN');
  });
});

describe('a guest command dies with the process that started it', () => {
  it('SIGKILL of the session process leaves no guest process behind', async () => {
    const registry = path.join(dir, 'sessions');
    const tmpDir = await mkdtemp(path.join(dir, 'killed-'));
    const holder = path.join(import.meta.dirname, '../../helpers/hold-guest-command.ts');
    const child = execa('node', ['--import', 'tsx', holder, image, tmpDir], { reject: false, env: { VMCRAFT_SESSION_DIR: registry } });
    // The sleep itself (bwrap's own command line names it too).
    const sleepers = async () => (await execa('pgrep', ['-f', '^sleep 3141$'], { reject: false })).stdout.split('\n').filter(Boolean);
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.on('exit', () => reject(new Error('the holder exited before its command ran')));
      });
      expect(await sleepers()).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
    for (let i = 0; i < 50 && (await sleepers()).length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await sleepers()).toEqual([]);
    // The next launch releases what the killed session left (mounts, loop device, export).
    await (await launchReaping(image, tmpDir, registry)).g.close();
    expect(await findLeftovers(tmpDir)).toEqual(NOTHING_LEFT);
  }, 60_000);
});
