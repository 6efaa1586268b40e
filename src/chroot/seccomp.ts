/**
 * The seccomp filter of guest commands: a classic BPF program (what bwrap's
 * `--seccomp FD` loads) that refuses the system calls a package script never
 * needs and that give a guest binary kernel attack surface beyond its
 * sandbox: new user namespaces (where it would hold every capability again),
 * the kernel keyring (not namespaced), mounts, bpf, perf, userfaultfd,
 * io_uring, file handles, module and kexec loading. Everything else is
 * allowed; the sandbox's namespaces and dropped capabilities do the rest.
 */

const EPERM = 1;
const ENOSYS = 38;
const CLONE_NEWUSER = 0x10000000;
/** x32 system calls are x86_64 calls with this bit set: all refused. */
const X32_SYSCALL_BIT = 0x40000000;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const AUDIT_ARCH_I386 = 0x40000003;

/** Refused (EPERM), with their numbers on x86_64 and on i386 (undefined where the ABI has no such call). */
const REFUSED: Record<string, [number | undefined, number | undefined]> = {
  keyctl: [250, 288], add_key: [248, 286], request_key: [249, 287],
  setns: [308, 346], bpf: [321, 357], perf_event_open: [298, 336], userfaultfd: [323, 374],
  io_uring_setup: [425, 425], io_uring_enter: [426, 426], io_uring_register: [427, 427],
  mount: [165, 21], umount: [undefined, 22], umount2: [166, 52], pivot_root: [155, 217],
  open_tree: [428, 428], move_mount: [429, 429], fsopen: [430, 430], fsconfig: [431, 431],
  fsmount: [432, 432], fspick: [433, 433], mount_setattr: [442, 442],
  open_by_handle_at: [304, 342], name_to_handle_at: [303, 341],
  kexec_load: [246, 283], kexec_file_load: [320, undefined],
  init_module: [175, 128], finit_module: [313, 350], delete_module: [176, 129],
  acct: [163, 51], swapon: [167, 87], swapoff: [168, 115], reboot: [169, 88],
  settimeofday: [164, 79], clock_settime: [227, 264], clock_adjtime: [305, 343], adjtimex: [159, 124],
  quotactl: [179, 131], fanotify_init: [300, 338], syslog: [103, 103], iopl: [172, 110], ioperm: [173, 101],
  lookup_dcookie: [212, 253],
};
/** clone and unshare: refused only with CLONE_NEWUSER (flags are their first argument on both ABIs). */
const NAMESPACE_CALLS: Record<string, [number, number]> = { clone: [56, 120], unshare: [272, 310] };
/** clone3 passes its flags in memory a filter cannot read: ENOSYS makes the C library fall back to clone. */
const CLONE3 = 435;

// Classic BPF opcodes and seccomp return values (linux/filter.h, linux/seccomp.h).
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JSET_K = 0x45;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
// Offsets in struct seccomp_data: nr, arch, then args[] of 8 bytes each (the low half first on x86).
const NR = 0;
const ARCH = 4;
const ARG0 = 16;

/** One instruction; jumps name labels, resolved by {@link assemble}. */
type Insn = { code: number; k: number; jt?: string; jf?: string } | { label: string };

function ld(offset: number): Insn {
  return { code: LD_W_ABS, k: offset };
}
function ret(value: number): Insn {
  return { code: RET_K, k: value };
}
function jeq(value: number, jt: string, jf?: string): Insn {
  return { code: JEQ_K, k: value, jt, ...(jf ? { jf } : {}) };
}

/** Resolves labels into relative jumps and encodes `struct sock_filter` entries (little-endian). */
function assemble(program: Insn[]): Buffer {
  const code = program.filter((i): i is Exclude<Insn, { label: string }> => !('label' in i));
  const at = new Map<string, number>();
  let index = 0;
  for (const insn of program) {
    if ('label' in insn) at.set(insn.label, index);
    else index++;
  }
  const out = Buffer.alloc(code.length * 8);
  code.forEach((insn, i) => {
    const jump = (label?: string): number => {
      if (label === undefined) return 0;
      const offset = at.get(label)! - (i + 1);
      if (offset < 0 || offset > 255) throw new Error(`seccomp jump to ${label} out of range`);
      return offset;
    };
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(jump(insn.jt), i * 8 + 2);
    out.writeUInt8(jump(insn.jf), i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}

/** The checks of one ABI (`abi` 0 = x86_64, 1 = i386), starting at label `name`. */
function abiSection(name: string, abi: 0 | 1): Insn[] {
  const refused = Object.values(REFUSED)
    .map((nrs) => nrs[abi])
    .filter((nr): nr is number => nr !== undefined);
  return [
    { label: name },
    ld(NR),
    ...(abi === 0 ? [{ code: JSET_K, k: X32_SYSCALL_BIT, jt: 'eperm' } as Insn] : []),
    ...refused.map((nr) => jeq(nr, 'eperm')),
    jeq(CLONE3, 'enosys'),
    ...Object.values(NAMESPACE_CALLS).map((nrs) => jeq(nrs[abi], 'flags')),
    ret(RET_ALLOW),
  ];
}

/**
 * The filter as bytes for bwrap's `--seccomp FD`, or undefined on hosts other
 * than x86_64 (where vmcraft has no system call table: the sandbox then runs
 * without a filter, its namespaces and dropped capabilities unchanged).
 */
export function guestSeccompFilter(arch: string = process.arch): Buffer | undefined {
  if (arch !== 'x64') return undefined;
  return assemble([
    ld(ARCH),
    jeq(AUDIT_ARCH_X86_64, 'x86_64'),
    jeq(AUDIT_ARCH_I386, 'i386'),
    ret(RET_KILL_PROCESS),
    ...abiSection('x86_64', 0),
    ...abiSection('i386', 1),
    { label: 'flags' },
    ld(ARG0),
    { code: JSET_K, k: CLONE_NEWUSER, jt: 'eperm' },
    ret(RET_ALLOW),
    { label: 'eperm' },
    ret(RET_ERRNO | EPERM),
    { label: 'enosys' },
    ret(RET_ERRNO | ENOSYS),
  ]);
}
