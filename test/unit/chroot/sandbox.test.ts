import { describe, expect, it } from 'vitest';
import { GUEST_CAPABILITIES, sandboxArgs, sandboxFds } from '../../../src/chroot/sandbox.js';
import { guestSeccompFilter } from '../../../src/chroot/seccomp.js';

const spec = { root: '/tmp/s/root', argv: ['id', '-u'], env: { PATH: '/bin' }, cwd: '/etc', network: false, seccomp: true };
const allProc = () => true;

/** The value of every `flag VALUE` pair in argv. */
function pairs(argv: string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []));
}

describe('sandboxArgs', () => {
  const argv = sandboxArgs(spec, allProc);

  it('pivots into the guest root with a fresh /dev and /proc, never a host /dev or /sys', () => {
    expect(argv.slice(argv.indexOf('--bind'), argv.indexOf('--bind') + 3)).toEqual(['--bind', '/tmp/s/root', '/']);
    expect(pairs(argv, '--dev')).toEqual(['/dev']);
    expect(pairs(argv, '--proc')).toEqual(['/proc']);
    expect(argv).not.toContain('/sys');
    expect(argv.join(' ')).not.toMatch(/--bind \/dev|--dev-bind/);
  });

  it('covers the /proc knobs uid 0 could write and masks the leaky files', () => {
    expect(argv.join(' ')).toContain('--ro-bind /proc/sys /proc/sys');
    expect(argv.join(' ')).toContain('--ro-bind /proc/sysrq-trigger /proc/sysrq-trigger');
    expect(argv.join(' ')).toContain('--ro-bind /dev/null /proc/kcore');
    expect(argv.join(' ')).toContain('--tmpfs /proc/acpi --remount-ro /proc/acpi');
    // Entries this kernel lacks are left out (bwrap cannot mount on what /proc does not have).
    expect(sandboxArgs(spec, (name) => name !== 'kcore').join(' ')).not.toContain('/proc/kcore');
  });

  it('new namespaces, its own user namespace mapped by vmcraft, dies with its parent, no network unless asked', () => {
    for (const flag of ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--die-with-parent', '--new-session']) expect(argv).toContain(flag);
    expect(pairs(argv, '--userns-block-fd')).toEqual(['3']);
    expect(pairs(argv, '--info-fd')).toEqual(['4']);
    expect(sandboxArgs({ ...spec, network: true }, allProc)).not.toContain('--unshare-net');
  });

  it('drops every capability but the package scripts’ ones, loads the filter, clean environment, the command last', () => {
    expect(pairs(argv, '--cap-drop')).toEqual(['ALL']);
    expect(pairs(argv, '--cap-add')).toEqual(GUEST_CAPABILITIES);
    expect(GUEST_CAPABILITIES).not.toEqual(expect.arrayContaining(['CAP_SYS_ADMIN']));
    expect(pairs(argv, '--seccomp')).toEqual(['5']);
    expect(argv).toContain('--clearenv');
    expect(pairs(argv, '--chdir')).toEqual(['/etc']);
    expect(argv.slice(-3)).toEqual(['--', 'id', '-u']);
  });

  it('shows the host resolv.conf (readable by apt’s _apt user) where the guest looks, only with the network', () => {
    const withNet = sandboxArgs({ ...spec, network: true, resolvConf: '/run/systemd/resolve/stub-resolv.conf' }, allProc).join(' ');
    expect(withNet).toContain('--perms 0644 --ro-bind-data 6 /run/systemd/resolve/stub-resolv.conf');
    expect(sandboxArgs({ ...spec, resolvConf: '/etc/resolv.conf' }, allProc).join(' ')).not.toContain('resolv');
    expect(sandboxFds(Buffer.from('f'), Buffer.from('nameserver 10.0.0.1\n'))).toHaveLength(4);
  });
});

/** Runs a classic BPF seccomp program on one system call (struct seccomp_data fields). */
function decide(program: Buffer, call: { arch: number; nr: number; arg0?: number }): number {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(call.nr >>> 0, 0);
  data.writeUInt32LE(call.arch >>> 0, 4);
  data.writeUInt32LE((call.arg0 ?? 0) >>> 0, 16);
  let acc = 0;
  for (let pc = 0; pc < program.length / 8; pc++) {
    const [code, jt, jf, k] = [program.readUInt16LE(pc * 8), program[pc * 8 + 2]!, program[pc * 8 + 3]!, program.readUInt32LE(pc * 8 + 4)];
    if (code === 0x20) acc = data.readUInt32LE(k);
    else if (code === 0x15) pc += acc === k ? jt : jf;
    else if (code === 0x45) pc += (acc & k) !== 0 ? jt : jf;
    else if (code === 0x06) return k;
    else throw new Error(`unknown opcode ${code}`);
  }
  throw new Error('fell off the end');
}

describe('guestSeccompFilter', () => {
  const filter = guestSeccompFilter('x64')!;
  const X86_64 = 0xc000003e;
  const I386 = 0x40000003;
  const ALLOW = 0x7fff0000;
  const EPERM = 0x00050001;

  it('allows ordinary calls, refuses the keyring, bpf, mounts and module loading on both x86 ABIs', () => {
    expect(decide(filter, { arch: X86_64, nr: 0 })).toBe(ALLOW); // read
    expect(decide(filter, { arch: X86_64, nr: 59 })).toBe(ALLOW); // execve
    expect(decide(filter, { arch: X86_64, nr: 250 })).toBe(EPERM); // keyctl
    expect(decide(filter, { arch: X86_64, nr: 321 })).toBe(EPERM); // bpf
    expect(decide(filter, { arch: X86_64, nr: 165 })).toBe(EPERM); // mount
    expect(decide(filter, { arch: X86_64, nr: 313 })).toBe(EPERM); // finit_module
    expect(decide(filter, { arch: I386, nr: 288 })).toBe(EPERM); // keyctl
    expect(decide(filter, { arch: I386, nr: 3 })).toBe(ALLOW); // read
    expect(decide(filter, { arch: X86_64, nr: 0x40000000 })).toBe(EPERM); // any x32 call
  });

  it('refuses clone and unshare only with CLONE_NEWUSER; clone3 says ENOSYS so libc falls back to clone', () => {
    expect(decide(filter, { arch: X86_64, nr: 56, arg0: 0x01200011 })).toBe(ALLOW); // fork-like clone
    expect(decide(filter, { arch: X86_64, nr: 56, arg0: 0x10000000 })).toBe(EPERM);
    expect(decide(filter, { arch: X86_64, nr: 272, arg0: 0x00020000 })).toBe(ALLOW); // unshare(CLONE_NEWNS)
    expect(decide(filter, { arch: X86_64, nr: 272, arg0: 0x10000000 })).toBe(EPERM);
    expect(decide(filter, { arch: I386, nr: 310, arg0: 0x10000000 })).toBe(EPERM);
    expect(decide(filter, { arch: X86_64, nr: 435 })).toBe(0x00050026);
  });

  it('kills a process of any other ABI; no filter on hosts without a table', () => {
    expect(decide(filter, { arch: 0xc00000b7, nr: 0 })).toBe(0x80000000);
    expect(guestSeccompFilter('arm64')).toBeUndefined();
  });
});
