import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { runGuestCommand } from '../../../src/chroot/command.js';
import { Runner } from '../../../src/core/exec.js';
import { findLeftovers } from '../../helpers/leaks.js';
import { writableGuest, type WritableGuest } from '../../helpers/writable-guest.js';

let dir: string;
let g: GuestFS;
let session: WritableGuest;

/** Processes whose root directory is inside the scratch dir (a guest command that outlived its call). */
async function guestProcesses(): Promise<string[]> {
  const { stdout } = await execa('sh', ['-c', `for p in /proc/[0-9]*; do r=$(readlink $p/root 2>/dev/null) || continue; case "$r" in ${dir}*) echo $p ;; esac; done`]);
  return stdout.split('\n').filter(Boolean);
}

beforeAll(async () => {
  session = await writableGuest('guest', 'debian12');
  ({ g, dir } = session);
});
afterAll(async () => session.close());

describe('guest commands', () => {
  it('run the guest binaries in their own namespaces, without network by default', async () => {
    const r = await g.command(['/bin/sh', '-c', 'cat /etc/debian_version; echo $$; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "']);
    const [version, pid, ...nics] = r.stdout.trim().split('\n');
    expect(version).toMatch(/^12\.\d+$/);
    expect(Number(pid)).toBeLessThan(10);
    expect(nics).toEqual(['lo']);
    expect(r.exitCode).toBe(0);
    expect(await g.sh("dpkg-query -W -f '${Status}' dpkg")).toBe('install ok installed');
    expect(await g.shLines('printf "a\\nb\\n"')).toEqual(['a', 'b']);
    expect(await g.command(['pwd'], { cwd: '/etc' })).toMatchObject({ stdout: '/etc\n' });
    expect(await g.command(['cat'], { input: 'from stdin' })).toMatchObject({ stdout: 'from stdin' });
    expect((await g.command(['/bin/sh', '-c', 'echo $VMCRAFT_X'], { env: { VMCRAFT_X: 'set' } })).stdout).toBe('set\n');
  });

  it('blocks services for the command only (policy-rc.d), leaving the guest as it was', async () => {
    expect(await g.sh('cat /usr/sbin/policy-rc.d; /usr/sbin/policy-rc.d ssh start || echo "denied $?"')).toMatch(/exit 101\n(?:.|\n)*denied 101\n$/);
    expect(await g.exists('/usr/sbin/policy-rc.d')).toBe(false);
  });

  it('removes policy-rc.d on a close that stops waiting for the command', async () => {
    const other = await writableGuest('guest-close', 'debian12');
    const image = path.join(other.dir, path.basename((await loadFixtures()).debian12!.path));
    const stop = new AbortController();
    const running = other.g.command(['sleep', '60'], { signal: stop.signal }).catch((e: unknown) => e);
    while (!(await other.g.exists('/usr/sbin/policy-rc.d'))) await new Promise((r) => setTimeout(r, 50));
    // close() waits 10 s for the call, then releases, newest first: policy-rc.d (the session refuses calls by then), then the mounts.
    const timer = setTimeout(() => stop.abort(), 11_000);
    try {
      await other.g.close();
    } finally {
      clearTimeout(timer);
    }
    expect(await running).toMatchObject({ code: 'EABORTED' });
    const check = await GuestFS.open(image, { readonly: true, tmpDir: other.dir });
    await check.mountRoot((await check.inspectOs())[0]!);
    expect(await check.exists('/usr/sbin/policy-rc.d')).toBe(false);
    await check.close();
    await other.close();
  }, 120_000);

  it('a failing command is ECOMMAND with its stderr', async () => {
    await expect(g.sh('echo broken >&2; exit 3')).rejects.toMatchObject({ code: 'ECOMMAND', command: { exitCode: 3, stderr: 'broken' } });
  });

  it('a timed-out command leaves no process and no mount behind', async () => {
    await expect(g.sh('sleep 60 & sleep 60', { timeoutMs: 500 })).rejects.toMatchObject({ code: 'ETIMEOUT' });
    for (let i = 0; i < 50 && (await guestProcesses()).length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await guestProcesses()).toEqual([]);
    const mounts = (await findLeftovers(dir)).mounts;
    expect(mounts.filter((m) => /\/(proc|sys|dev|run)$/.test(m))).toEqual([]);
  });

  it('a foreign-architecture guest is EARCH without a binfmt handler', async () => {
    const root = path.join(dir, 'arm-root');
    await mkdir(path.join(root, 'bin'), { recursive: true });
    const elf = Buffer.alloc(64);
    elf.write('\x7fELF', 0, 'latin1');
    elf[4] = 2;
    elf[5] = 1;
    elf.writeUInt16LE(0xb7, 18);
    await writeFile(path.join(root, 'bin/sh'), elf);
    await expect(runGuestCommand(root, ['/bin/sh'], {}, new Runner())).rejects.toMatchObject({ code: 'EARCH', message: expect.stringContaining('aarch64') });
  });
});

describe('customisation', () => {
  it('sets the hostname idempotently', async () => {
    await g.write('/etc/hosts', '127.0.0.1\tlocalhost\n');
    expect(await g.setHostname('web01.example.com')).toBe(true);
    expect(await g.setHostname('web01.example.com')).toBe(false);
    expect(await g.cat('/etc/hostname')).toBe('web01.example.com\n');
    expect(await g.cat('/etc/hosts')).toBe('127.0.0.1\tlocalhost\n127.0.1.1\tweb01.example.com web01\n');
    await expect(g.setHostname('bad_name!')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('sets the timezone from the guest zoneinfo', async () => {
    expect(await g.setTimezone('Europe/Paris')).toBe(true);
    expect(await g.setTimezone('Europe/Paris')).toBe(false);
    expect(await g.readlink('/etc/localtime')).toBe('../usr/share/zoneinfo/Europe/Paris');
    expect((await g.command(['date', '+%Z'], { env: {} })).stdout).toMatch(/^CES?T\n$/);
    await expect(g.setTimezone('Mars/Olympus')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('sets a password as a SHA-512 hash that checks against the password', async () => {
    const traces: string[] = [];
    g.on('trace', (e) => traces.push(e.argv.join(' ')));
    await g.setPassword('root', { password: 'hunter2 with spaces' });
    const line = (await g.readLines('/etc/shadow')).find((l) => l.startsWith('root:'))!;
    const hash = line.split(':')[1]!;
    expect(hash).toMatch(/^\$6\$/);
    const salt = hash.split('$')[2]!;
    const { stdout } = await execa('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: 'hunter2 with spaces\n' });
    expect(stdout.trim()).toBe(hash);
    expect(traces.join('\n')).not.toContain('hunter2');
    await expect(g.setPassword('nobody-here', { hash: '$6$x$y' })).rejects.toMatchObject({ code: 'EINVAL' });
    // A spec of neither shape is refused (an empty one used to set the password 'undefined'), its values unshown.
    for (const bad of [{}, { password: '' }, { password: 42 }, { hash: ['$6$x$y'] }, []]) {
      await expect(g.setPassword('root', bad as never)).rejects.toMatchObject({ code: 'EINVAL' });
    }
    const err = (await g.setPassword('root', { password: 'hunter3', hash: 5 } as never).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'EINVAL' });
    expect(err.message).not.toContain('hunter3');
  });

  it('injects an SSH key with the user\u2019s owner and modes', async () => {
    await g.command(['useradd', '-m', '-u', '1500', 'alice']);
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0vmcraftTestKeyOnlyForTests0000000000000000 alice@laptop';
    expect(await g.injectSshKey('alice', key)).toBe(true);
    expect(await g.injectSshKey('alice', key)).toBe(false);
    expect(await g.cat('/home/alice/.ssh/authorized_keys')).toBe(`${key}\n`);
    expect(await g.stat('/home/alice/.ssh')).toMatchObject({ perms: 0o700, uid: 1500 });
    expect(await g.stat('/home/alice/.ssh/authorized_keys')).toMatchObject({ perms: 0o600, uid: 1500 });
    await expect(g.injectSshKey('alice', 'not a key')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('writes files and lines only when needed', async () => {
    expect(await g.writeFile('/etc/vmcraft.conf', 'a=1\n')).toBe(true);
    expect(await g.writeFile('/etc/vmcraft.conf', 'a=1\n')).toBe(false);
    expect(await g.appendLine('/etc/vmcraft.conf', 'b=2')).toBe(true);
    expect(await g.appendLine('/etc/vmcraft.conf', 'b=2')).toBe(false);
    expect(await g.cat('/etc/vmcraft.conf')).toBe('a=1\nb=2\n');
  });

  it('installs a first-boot script as an enabled systemd unit', async () => {
    const script = await g.runFirstBoot('echo hello > /root/firstboot.txt', 'hello');
    expect(script).toBe('/usr/local/lib/vmcraft/firstboot.d/hello');
    expect((await g.stat(script)).perms).toBe(0o755);
    expect(await g.readlink('/etc/systemd/system/multi-user.target.wants/vmcraft-firstboot.service')).toBe('/etc/systemd/system/vmcraft-firstboot.service');
    expect(await g.cat('/etc/systemd/system/vmcraft-firstboot.service')).toContain('ConditionPathExists=!/var/lib/vmcraft/firstboot-done');
  });

  it('installs packages with the guest\u2019s own apt, over the network', async () => {
    expect(await g.exists('/usr/bin/hello')).toBe(false);
    await g.installPackages(['hello']);
    expect(await g.sh('hello')).toBe('Hello, world!\n');
    // The sandbox maps every id to itself: what apt writes is owned in the image as it would be on the guest.
    expect(await g.stat('/usr/bin/hello')).toMatchObject({ uid: 0, gid: 0 });
    const apt = Number((await g.sh('id -u _apt')).trim());
    expect(apt).toBeGreaterThan(0);
    await g.sh('touch /root/owned && chown _apt:nogroup /root/owned');
    expect(await g.stat('/root/owned')).toMatchObject({ uid: apt, gid: 65534 });
    await expect(g.installPackages(['bad;name'])).rejects.toMatchObject({ code: 'EINVAL' });
  }, 300_000);

  it('sysprep removes machine state', async () => {
    await g.mkdirP('/etc/ssh');
    await g.write('/etc/ssh/ssh_host_ed25519_key', 'secret');
    await g.write('/etc/machine-id', '0123456789abcdef0123456789abcdef\n');
    await g.mkdirP('/var/log/app');
    await g.write('/var/log/app/app.log', 'lots of logs\n');
    const report = await g.sysprep();
    expect(report.removed).toContain('/etc/ssh/ssh_host_ed25519_key');
    expect(report.emptied).toEqual(expect.arrayContaining(['/etc/machine-id', '/var/log/app/app.log']));
    expect(await g.exists('/etc/ssh/ssh_host_ed25519_key')).toBe(false);
    expect((await g.stat('/etc/machine-id')).size).toBe(0);
    expect(await g.setMachineIdForFirstBoot()).toBe(false);
  });
});
