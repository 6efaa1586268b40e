/** The guest calls: run guest binaries in the mounted root, inside the sandbox of src/chroot/. */
import type { GuestCommandOptions } from '../../chroot/command.js';
import { VmcraftError } from '../../core/errors.js';
import { lazy } from '../../core/lazy.js';
import { rmFile } from '../../fs/files/write.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';
import type { GuestCommandResult } from '../types.js';

const v = '0.1.0';
const POLICY = '/usr/sbin/policy-rc.d';
// Loaded by the first guest command (the sandbox and its seccomp filter).
const sandboxed = lazy(() => import('../../chroot/command.js'));

/**
 * Debian-style guests start services from package scripts through
 * invoke-rc.d unless /usr/sbin/policy-rc.d says no: put one there for the
 * command (removed after it, or on shutdown if the process dies first).
 */
async function blockServices(g: Guest): Promise<() => Promise<void>> {
  // /usr/sbin may be a link to bin (Arch, Fedora 42's merged sbin): follow it.
  if (g.mountTable.isReadonlyPath(POLICY) || !(await g.isDir('/usr/sbin', { followSymlinks: true })) || (await g.exists(POLICY)) || (await g.isSymlink(POLICY))) return async () => {};
  await g.write(POLICY, '#!/bin/sh\n# vmcraft: no services start while vmcraft runs commands in this guest\nexit 101\n');
  await g.chmod(0o755, POLICY);
  // Removed below the calls: on shutdown the session is already closed to calls, while its mounts are still there.
  const root = g.mountTable.rootDir();
  const ctx = { ...g.fileContext(), rootDir: () => root };
  const entry = g.cleanup.push(`${POLICY} in the guest`, () => rmFile(ctx, POLICY));
  return () => g.cleanup.releaseOne(entry);
}

async function command(g: Guest, argv: string[], options: GuestCommandOptions = {}): Promise<GuestCommandResult> {
  const root = g.mountTable.rootDir();
  const release = await blockServices(g);
  try {
    const { stdout, stderr, exitCode, durationMs } = await g.timings.time('command', async () => (await sandboxed()).runGuestCommand(root, argv, options, g.runner));
    return { stdout, stderr, exitCode, durationMs };
  } finally {
    await release();
  }
}

/** A guest path given as bytes, as text for a guest command's argv. */
const guestText = (p: string | Uint8Array): string => (typeof p === 'string' ? p : Buffer.from(p).toString());

/** Where guests keep setfiles (policycoreutils); /usr/sbin first, /sbin for unmerged guests. */
const SETFILES = ['/usr/sbin/setfiles', '/sbin/setfiles'];
/** Trees setfiles must not walk: the sandbox's own /proc, /sys and /dev, and old guests' /selinux. */
const NOT_RELABELLED = ['/dev', '/proc', '/selinux', '/sys'];

/**
 * virt-customize --selinux-relabel: the guest's setfiles relabels `dir` with
 * `specfile`, and a pending /.autorelabel is dropped; when the guest has no
 * setfiles, or it fails (a host kernel without SELinux refuses
 * security.selinux labels), /.autorelabel makes the guest relabel itself at
 * its next boot.
 */
async function selinuxRelabel(g: Guest, specfile: string, dir: string, force: boolean): Promise<void> {
  let setfiles: string | undefined;
  for (const candidate of SETFILES) if (!setfiles && (await g.isFile(candidate, { followSymlinks: true }))) setfiles = candidate;
  if (setfiles) {
    if (!(await g.isFile(specfile, { followSymlinks: true }))) throw new VmcraftError('ENOENT', `the SELinux spec file ${specfile} is not in the guest`, { path: specfile });
    const excludes = NOT_RELABELLED.flatMap((d) => ['-e', d]);
    try {
      // -m: no /proc/mounts check of seclabel support (the sandbox's mounts are not the guest's); -C: exit 1 only for files it could not label.
      await command(g, [setfiles, ...(force ? ['-F'] : []), ...excludes, '-m', '-C', specfile, dir]);
      await rmFile(g.fileContext(), '/.autorelabel', true);
      return;
    } catch (err) {
      if (!(err instanceof VmcraftError && err.code === 'ECOMMAND')) throw err;
      g.warn(`the guest's setfiles failed (${err.message}): /.autorelabel makes the guest relabel at its next boot`);
    }
  }
  await g.touch('/.autorelabel');
}

const commandOptions = a.options(
  'options',
  [
    a.struct('env', { ts: 'Record<string, string>', doc: 'extra environment variables (the guest gets a clean environment plus these)' }),
    a.string('input', { doc: 'standard input' }),
    a.int('timeoutMs', { doc: 'time limit in milliseconds', defaultText: '600000' }),
    a.string('cwd', { doc: 'working directory inside the guest', defaultText: '/' }),
    a.bool('network', { doc: "give the command the host's network (and a working resolv.conf)", defaultText: 'false' }),
    a.struct('signal', { ts: 'AbortSignal', doc: 'aborts the command', noShell: true }),
  ],
  { ts: 'GuestCommandOptions' },
);
const script = a.string('script', { doc: "run with the guest's /bin/sh -c" });

/** The calls of this module, in table order. */
export const GUEST_CALLS = [
  defineCall({
    name: 'command', libguestfs: 'command', group: 'guest', since: v,
    summary: 'run a command inside the guest',
    doc: [
      'Runs `argv` inside the mounted guest (mount with {@link GuestFS.mountRoot} first), with',
      "/proc, /sys, /dev and /run, the guest's own PATH, services blocked",
      '(`SYSTEMD_OFFLINE=1`), and no network unless `network: true`. In its own',
      'pid and mount namespaces: nothing it starts or mounts outlives it.',
      '@throws VmcraftError `ECOMMAND` (with stderr) on a non-zero exit, `ETIMEOUT`, `EARCH` for a foreign-architecture guest',
    ].join('\n'),
    args: [a.stringList('argv', { doc: 'the program and its arguments' }), commandOptions],
    returns: 'struct', ts: 'Promise<GuestCommandResult>',
    impl: (g, argv, options) => command(g, argv, options),
  }),
  defineCall({
    name: 'sh', libguestfs: 'sh', group: 'guest', since: v,
    summary: 'run a shell script inside the guest',
    doc: "With the guest's /bin/sh; returns its standard output. As {@link GuestFS.command} otherwise.",
    args: [script, commandOptions],
    returns: 'string', ts: 'Promise<string>',
    impl: async (g, text, options) => (await g.command(['/bin/sh', '-c', text], options)).stdout,
  }),
  defineCall({
    name: 'selinuxRelabel', libguestfs: 'selinux_relabel', group: 'guest', since: '0.2.0', writes: true,
    summary: 'relabel parts of the filesystem',
    doc: [
      "As virt-customize `--selinux-relabel` does: the guest's own `setfiles` (in the sandbox of {@link GuestFS.command})",
      'labels `path` and below with the spec file `specfile`, usually `/etc/selinux/<SELINUXTYPE>/contexts/files/file_contexts`;',
      '/dev, /proc, /selinux and /sys are left alone. When the guest has no setfiles, or it fails (a host kernel without SELinux',
      'refuses the labels: a `log` warning says so), `/.autorelabel` is created instead, so the guest relabels itself at its next boot.',
      '@throws VmcraftError `ENOENT` when the guest has setfiles and no `specfile`',
    ].join('\n'),
    args: [
      a.guestPath('specfile', { doc: 'the policy spec file, a guest path', ts: 'string' }),
      a.guestPath('path', { doc: 'where relabelling starts, usually `/`', ts: 'string' }),
      a.options('options', [a.bool('force', { doc: 'also reset customizable files, and the user, role and range of every label (setfiles -F)', defaultText: 'false' })], { ts: 'SelinuxRelabelOptions' }),
    ],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, specfile, dir, options) => selinuxRelabel(g, guestText(specfile), guestText(dir), options?.force ?? false),
  }),
  defineCall({
    name: 'shLines', libguestfs: 'sh_lines', group: 'guest', since: v,
    summary: 'run a shell script inside the guest and split its output into lines',
    doc: 'Like {@link GuestFS.sh}, split into lines (without a trailing empty one).',
    args: [script, commandOptions],
    returns: 'stringList', ts: 'Promise<string[]>',
    impl: async (g, text, options) => {
      const out = await g.sh(text, options);
      return out === '' ? [] : out.replace(/\n$/, '').split('\n');
    },
  }),
];
