/**
 * virt-customize's operations, as a table: each has its option name, its argument syntax, a parse
 * step (syntax and host files, before any image is opened), a check on the guest (before the first
 * write) and a run step, a thin mapping onto the API table's calls.
 */
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { GuestFS } from '../guestfs.js';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { checkPackages, installCommandLine } from '../customize/packages.js';
import { checkHostname, checkTimezone } from '../customize/system.js';
import { checkPasswordUser, checkSshKey, guestUser } from '../customize/users.js';
import { readCliFile } from './read.js';

/** What every operation's run step may use besides the session. */
export interface OpContext {
  /** Guest commands get the host's network (`--network`). */
  network: boolean;
  /** The guest's package manager (from its inspection). */
  manager: string;
  /** How many first-boot scripts were installed so far (they run in that order). */
  firstboot: number;
}

/** One operation of the table. `P` is its parsed argument. */
export interface OpSpec<P = unknown> {
  /** The option name without `--`. */
  name: string;
  /** The argument syntax as virt-customize's man page writes it; none for a flag. */
  arg?: string;
  help: string;
  /** Syntax and host files (`runner` for host tools): `EINVAL` for a bad argument. */
  parse(arg: string, runner: Runner): P | Promise<P>;
  /** On the guest, before anything is written. */
  check?(g: GuestFS, p: P, ctx: OpContext): Promise<void>;
  /** virt-customize's message for it, printed before it runs (and by a dry run). */
  describe(p: P): string;
  /** Does it; may return a line to print after (the random password it set). */
  run(g: GuestFS, p: P, ctx: OpContext): Promise<string | void>;
}

const op = <P>(spec: OpSpec<P>): OpSpec => spec as OpSpec;

const bad = (name: string, why: string) => new VmcraftError('EINVAL', `--${name}: ${why}`);

/** `A:B` split at the first colon (B may hold colons); both parts non-empty unless `emptyB`. */
function pair(name: string, syntax: string, arg: string, emptyB = false): [string, string] {
  const i = arg.indexOf(':');
  if (i <= 0 || (!emptyB && i === arg.length - 1)) throw bad(name, `expected ${syntax}, got \`${arg}\``);
  return [arg.slice(0, i), arg.slice(i + 1)];
}

/** A guest path argument: absolute, as the table's guest paths are. */
function guestPath(name: string, p: string): string {
  if (!p.startsWith('/')) throw bad(name, `\`${p}\` is not an absolute guest path`);
  return p;
}

/** A comma-separated package list. */
function packageList(name: string, arg: string): string[] {
  const pkgs = arg.split(',').map((s) => s.trim()).filter(Boolean);
  if (!pkgs.length) throw bad(name, 'no package named');
  checkPackages('apt', pkgs);
  return pkgs;
}

/**
 * A password selector (virt-builder's USERS AND PASSWORDS): the plain password, or a hash for
 * `disabled`; `locked` for a `locked:` (or `lock:`) prefix, `locked` alone being locked and disabled.
 */
type Password = ({ password: string; random?: boolean } | { hash: string }) & { locked?: boolean };

const SELECTORS = 'password:PASSWORD, file:FILENAME, random, disabled, or one of them after locked:';

async function passwordSelector(name: string, sel: string): Promise<Password> {
  const lock = /^lock(?:ed)?(?::|$)/.exec(sel);
  if (lock) return { ...(lock[0].endsWith(':') ? await passwordSelector(name, sel.slice(lock[0].length)) : { hash: '*' }), locked: true };
  if (sel === 'random') return { password: randomBytes(12).toString('base64url').slice(0, 16), random: true };
  if (sel === 'disabled' || sel === 'disable') return { hash: '*' };
  if (sel.startsWith('password:') && sel.length > 9) return { password: sel.slice(9) };
  if (sel.startsWith('file:') && sel.length > 5) {
    const text = (await readCliFile(sel.slice(5), 'the password file')).split('\n')[0]!;
    if (!text) throw bad(name, `${sel.slice(5)}: the password file's first line is empty`);
    return { password: text };
  }
  throw bad(name, `the selector is ${SELECTORS} (values not shown)`);
}

async function setPassword(g: GuestFS, user: string, p: Password): Promise<string | void> {
  const locked = p.locked ? { locked: true } : {};
  await g.setPassword(user, 'hash' in p ? { hash: p.hash, ...locked } : { password: p.password, ...locked });
  // virt-customize prints the random password: it is the only way the user learns it.
  if ('random' in p && p.random) return `Setting random password of ${user} to ${p.password}`;
}

/** The newest ~/.ssh/id*.pub of the host user (virt-builder's default SSH key). */
async function defaultSshKey(): Promise<string> {
  const dir = path.join(homedir(), '.ssh');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^id.*\.pub$/.test(n));
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(dir, n))).mtimeMs })));
  const newest = dated.sort((x, y) => y.t - x.t)[0];
  if (!newest) throw new VmcraftError('ENOENT', `--ssh-inject: no public key in ${dir} (give USER:string:KEY or USER:file:FILE)`);
  return readCliFile(path.join(dir, newest.n), 'the SSH key');
}

async function sshSelector(arg: string): Promise<{ user: string; key: string }> {
  const i = arg.indexOf(':');
  const user = i < 0 ? arg : arg.slice(0, i);
  const sel = i < 0 ? '' : arg.slice(i + 1);
  if (!user) throw bad('ssh-inject', `expected USER[:SELECTOR], got \`${arg}\``);
  let key: string;
  if (i < 0) key = await defaultSshKey();
  else if (sel.startsWith('string:')) key = sel.slice(7);
  else if (sel.startsWith('file:')) key = await readCliFile(sel.slice(5), 'the SSH key');
  else throw bad('ssh-inject', 'the selector is string:KEY or file:FILENAME');
  key = key.trim();
  checkSshKey(key);
  return { user, key };
}

/** A script file on the host, read now (a missing one fails before anything is written). */
const script = (what: string) => async (file: string) => ({ file, text: await readCliFile(file, what) });

/** The next first-boot script's name: they run in the order installed. */
const firstbootName = (ctx: OpContext, label: string) => `${String(ctx.firstboot++).padStart(4, '0')}-${label}`;

/** The line virt-customize's --append-line adds: a newline first unless the file ends with one, in the file's own newline. */
export function appendLineText(current: string, line: string): string {
  const nl = current.includes('\r\n') ? '\r\n' : '\n';
  return `${current}${current === '' || current.endsWith('\n') ? '' : nl}${line}${nl}`;
}

/** `0700` octal, `700` decimal: virt-customize's rule. */
function chmodMode(perms: string): number {
  const mode = perms.startsWith('0') ? Number.parseInt(perms, 8) : Number(perms);
  if (!/^\d+$/.test(perms) || !Number.isInteger(mode) || mode > 0o7777 || (perms.startsWith('0') && /[89]/.test(perms))) throw bad('chmod', `\`${perms}\` is not a mode (0755 is octal, 755 decimal)`);
  return mode;
}

/** The guest's SELinux policy type, from /etc/selinux/config; undefined when it has no SELinux. */
async function selinuxType(g: GuestFS): Promise<string | undefined> {
  if (!(await g.isFile('/etc/selinux/config', { followSymlinks: true }))) return undefined;
  return /^SELINUXTYPE=(\S+)/m.exec(await g.read('/etc/selinux/config', 'utf8'))?.[1] ?? 'targeted';
}

const none = () => undefined;

/** The operations, in virt-customize's man page order (vmcraft's --sysprep last). */
export const CUSTOMIZE_OPS: OpSpec[] = [
  op({
    name: 'append-line', arg: 'FILE:LINE', help: 'append a line to FILE (a newline is added before it if the file does not end with one)',
    parse: (s) => { const [f, line] = pair('append-line', 'FILE:LINE', s, true); return { f: guestPath('append-line', f), line }; },
    describe: (p) => `Appending line to ${p.f}`,
    run: async (g, p) => {
      const current = (await g.isFile(p.f, { followSymlinks: true })) ? await g.read(p.f, 'utf8') : '';
      await g.write(p.f, appendLineText(current, p.line));
    },
  }),
  op({
    name: 'chmod', arg: 'PERMISSIONS:FILE', help: 'change the permissions of FILE (0700 is octal, 700 decimal)',
    parse: (s) => { const [m, f] = pair('chmod', 'PERMISSIONS:FILE', s); return { perms: m, mode: chmodMode(m), f: guestPath('chmod', f) }; },
    describe: (p) => `Changing permissions of ${p.f} to ${p.perms}`,
    run: async (g, p) => { await g.chmod(p.mode, p.f); },
  }),
  op({
    name: 'copy', arg: 'SOURCE:DEST', help: 'copy files or directories recursively inside the guest',
    parse: (s) => { const [src, dest] = pair('copy', 'SOURCE:DEST', s); return { src: guestPath('copy', src), dest: guestPath('copy', dest) }; },
    describe: (p) => `Copying (in image): ${p.src} to ${p.dest}`,
    run: async (g, p) => { await g.cpA(p.src, p.dest); },
  }),
  op({
    name: 'copy-in', arg: 'LOCALPATH:REMOTEDIR', help: 'copy local files or directories recursively into REMOTEDIR (which must exist)',
    parse: async (s) => {
      const i = s.lastIndexOf(':');
      if (i <= 0 || i === s.length - 1) throw bad('copy-in', `expected LOCALPATH:REMOTEDIR, got \`${s}\``);
      const local = s.slice(0, i);
      await stat(local).catch(() => { throw new VmcraftError('ENOENT', `--copy-in: ${local}: no such file or directory`); });
      return { local, dir: guestPath('copy-in', s.slice(i + 1)) };
    },
    describe: (p) => `Copying: ${p.local} to ${p.dir}`,
    run: async (g, p) => { await g.copyIn(p.local, p.dir); },
  }),
  op({
    name: 'delete', arg: 'PATH', help: 'delete a file or a directory recursively (glob characters allowed)',
    parse: (s) => guestPath('delete', s),
    describe: (p) => `Deleting: ${p}`,
    run: async (g, p) => {
      for (const hit of await g.globExpand(p, { directorySlash: false })) await g.rmRf(hit);
    },
  }),
  op({
    name: 'edit', arg: 'FILE:EXPR', help: "edit FILE with the Perl expression EXPR, line by line (the host's perl -p, on a copy of the content)",
    parse: async (s, runner) => {
      const [f, expr] = pair('edit', 'FILE:EXPR', s);
      // The expression is compiled (run on no content) before any image is opened: a typo is bad usage.
      await runner.run('perl', ['-pe', expr], { input: '' }).catch((err: Error) => {
        throw bad('edit', `the Perl expression does not compile: ${err.message.replace(/^[^:]*failed with exit code \d+: /, '').split('\n')[0]}`);
      });
      return { f: guestPath('edit', f), expr };
    },
    describe: (p) => `Editing: ${p.f}`,
    run: async (g, p) => {
      // binary: the output byte for byte (a text result would lose the final newline).
      const { stdout } = await g.runner.run('perl', ['-pe', p.expr], { input: await g.read(p.f, 'utf8'), binary: true });
      await g.write(p.f, stdout as unknown as Buffer);
    },
  }),
  op({
    name: 'firstboot', arg: 'SCRIPT', help: 'install SCRIPT (a host file) to run once at the next boot', parse: script('the first-boot script'),
    describe: (p) => `Installing firstboot script: ${p.file}`,
    run: async (g, p, ctx) => { await g.runFirstBoot(p.text, firstbootName(ctx, 'script')); },
  }),
  op({
    name: 'firstboot-command', arg: "'CMD+ARGS'", help: 'run a command once at the next boot', parse: (s) => s,
    describe: (p) => `Installing firstboot command: ${p}`,
    run: async (g, p, ctx) => { await g.runFirstBoot(`${p}\n`, firstbootName(ctx, 'command')); },
  }),
  op({
    name: 'firstboot-install', arg: 'PKG,PKG..', help: "install packages at the next boot (with the guest's network)", parse: (s) => packageList('firstboot-install', s),
    check: async (_g, p, ctx) => checkPackages(ctx.manager, p),
    describe: (p) => `Installing firstboot packages: ${p.join(' ')}`,
    run: async (g, p, ctx) => { await g.runFirstBoot(`${installCommandLine(ctx.manager, p)}\n`, firstbootName(ctx, 'install')); },
  }),
  op({
    name: 'hostname', arg: 'HOSTNAME', help: 'set the hostname (a FQDN is fine)', parse: (s) => { checkHostname(s); return s; },
    describe: (p) => `Setting the hostname: ${p}`,
    run: async (g, p) => { await g.setHostname(p); },
  }),
  op({
    name: 'install', arg: 'PKG,PKG..', help: "install packages now (with the host's network)", parse: (s) => packageList('install', s),
    check: async (_g, p, ctx) => checkPackages(ctx.manager, p),
    describe: (p) => `Installing packages: ${p.join(' ')}`,
    run: async (g, p) => { await g.installPackages(p); },
  }),
  op({
    name: 'link', arg: 'TARGET:LINK[:LINK..]', help: 'make symbolic links LINK… pointing at TARGET',
    parse: (s) => {
      const [target, ...links] = s.split(':');
      if (!target || !links.length || links.some((l) => !l)) throw bad('link', `expected TARGET:LINK[:LINK..], got \`${s}\``);
      return { target, links: links.map((l) => guestPath('link', l)) };
    },
    describe: (p) => p.links.map((l) => `Linking: ${l} -> ${p.target}`).join('\n'),
    run: async (g, p) => { for (const l of p.links) await g.lnS(p.target, l); },
  }),
  op({
    name: 'mkdir', arg: 'DIR', help: 'make a directory (and its parents; fine if it exists)', parse: (s) => guestPath('mkdir', s),
    describe: (p) => `Making directory: ${p}`,
    run: async (g, p) => { await g.mkdirP(p); },
  }),
  op({
    name: 'move', arg: 'SOURCE:DEST', help: 'move files or directories inside the guest',
    parse: (s) => { const [src, dest] = pair('move', 'SOURCE:DEST', s); return { src: guestPath('move', src), dest: guestPath('move', dest) }; },
    describe: (p) => `Moving: ${p.src} -> ${p.dest}`,
    run: async (g, p) => { await g.mv(p.src, p.dest); },
  }),
  op({
    name: 'password', arg: 'USER:SELECTOR', help: 'set the password of USER (password:PW, file:FILE, random, disabled; locked:… locks the account)',
    parse: async (s) => { const [user, sel] = pair('password', 'USER:SELECTOR', s); return { user, pw: await passwordSelector('password', sel) }; },
    check: (g, p) => checkPasswordUser(g, p.user),
    describe: (p) => `Setting password of ${p.user}`,
    run: (g, p) => setPassword(g, p.user, p.pw),
  }),
  op({
    name: 'root-password', arg: 'SELECTOR', help: 'set the root password (password:PW, file:FILE, random, disabled; locked:… locks the account)',
    parse: (s) => passwordSelector('root-password', s),
    check: (g) => checkPasswordUser(g, 'root'),
    describe: () => 'Setting password of root',
    run: (g, p) => setPassword(g, 'root', p),
  }),
  op({
    name: 'run', arg: 'SCRIPT', help: 'run a host script (any program) in the guest, chrooted', parse: script('the script'),
    describe: (p) => `Running: ${p.file}`,
    run: async (g, p, ctx) => {
      // Like virt-customize: the script is uploaded to a temporary guest file, made executable, run and removed.
      const tmp = `/tmp/vmcraft-run-${randomBytes(6).toString('hex')}`;
      await g.mkdirP('/tmp');
      await g.write(tmp, p.text);
      await g.chmod(0o755, tmp);
      try {
        await g.command([tmp], { network: ctx.network });
      } finally {
        await g.rmRf(tmp);
      }
    },
  }),
  op({
    name: 'run-command', arg: "'CMD+ARGS'", help: "run a command in the guest, chrooted (the guest's /bin/sh)", parse: (s) => s,
    describe: (p) => `Running: ${p}`,
    run: async (g, p, ctx) => { await g.sh(p, { network: ctx.network }); },
  }),
  op({
    name: 'selinux-relabel', help: 'relabel the files for SELinux (or touch /.autorelabel); nothing on a guest without SELinux', parse: none,
    describe: () => 'SELinux relabelling',
    run: async (g) => {
      const type = await selinuxType(g);
      if (type === undefined) return 'The guest has no SELinux: nothing relabelled';
      await g.selinuxRelabel(`/etc/selinux/${type}/contexts/files/file_contexts`, '/');
    },
  }),
  op({
    name: 'scrub', arg: 'FILE', help: 'scrub a file: overwrite its content in place, then remove it (regular files only)',
    parse: (s) => guestPath('scrub', s),
    describe: (p) => `Scrubbing: ${p}`,
    run: async (g, p) => { await g.scrubFile(p); },
  }),
  op({
    name: 'ssh-inject', arg: 'USER[:SELECTOR]', help: "add an SSH key to USER's authorized_keys (string:KEY, file:FILE, or the newest ~/.ssh/id*.pub)",
    parse: sshSelector,
    check: async (g, p) => { await guestUser(g, p.user); },
    describe: (p) => `SSH key inject: ${p.user}`,
    run: async (g, p) => { await g.injectSshKey(p.user, p.key); },
  }),
  op({
    name: 'timezone', arg: 'TIMEZONE', help: 'set the timezone, e.g. Europe/London', parse: (s) => s,
    check: (g, p) => checkTimezone(g, p),
    describe: (p) => `Setting the timezone: ${p}`,
    run: async (g, p) => { await g.setTimezone(p); },
  }),
  op({
    name: 'touch', arg: 'FILE', help: 'touch(1) FILE', parse: (s) => guestPath('touch', s),
    describe: (p) => `Running touch: ${p}`,
    run: async (g, p) => { await g.touch(p); },
  }),
  op({
    name: 'truncate', arg: 'FILE', help: 'truncate FILE (which must exist) to zero length', parse: (s) => guestPath('truncate', s),
    describe: (p) => `Truncating: ${p}`,
    run: async (g, p) => { await g.truncate(p); },
  }),
  op({
    name: 'truncate-recursive', arg: 'PATH', help: 'truncate every regular file under PATH to zero length (directories and symlinks stay as they are)',
    parse: (s) => guestPath('truncate-recursive', s),
    describe: (p) => `Recursively truncating: ${p}`,
    run: async (g, p) => {
      // As virt-customize: find's entries that are regular files (not following symlinks), each truncated.
      for (const name of await g.find(p)) {
        const file = `${p.replace(/\/+$/, '')}/${name}`;
        if (await g.isFile(file)) await g.truncate(file);
      }
    },
  }),
  op({
    name: 'uninstall', arg: 'PKG,PKG..', help: 'remove packages', parse: (s) => packageList('uninstall', s),
    check: async (_g, p, ctx) => checkPackages(ctx.manager, p),
    describe: (p) => `Uninstalling packages: ${p.join(' ')}`,
    run: async (g, p) => { await g.uninstallPackages(p); },
  }),
  op({
    name: 'update', help: "update every package (with the host's network)", parse: none,
    check: async (_g, _p, ctx) => checkPackages(ctx.manager, []),
    describe: () => 'Updating packages',
    run: async (g) => { await g.updatePackages(); },
  }),
  op({
    name: 'upload', arg: 'FILE:DEST', help: 'upload a host file to DEST (a file name, or a guest directory to keep its name)',
    parse: async (s) => {
      const i = s.lastIndexOf(':');
      if (i <= 0 || i === s.length - 1) throw bad('upload', `expected FILE:DEST, got \`${s}\``);
      const file = s.slice(0, i);
      if (!(await stat(file).catch(() => undefined))?.isFile()) throw new VmcraftError('ENOENT', `--upload: ${file}: no such regular file`);
      return { file, dest: guestPath('upload', s.slice(i + 1)) };
    },
    describe: (p) => `Uploading: ${p.file} to ${p.dest}`,
    run: async (g, p) => {
      const dest = (await g.isDir(p.dest)) ? `${p.dest.replace(/\/$/, '')}/${path.basename(p.file)}` : p.dest;
      await g.upload(p.file, dest);
    },
  }),
  op({
    name: 'write', arg: 'FILE:CONTENT', help: 'write CONTENT to FILE',
    parse: (s) => { const [f, content] = pair('write', 'FILE:CONTENT', s, true); return { f: guestPath('write', f), content }; },
    describe: (p) => `Writing: ${p.f}`,
    run: async (g, p) => { await g.write(p.f, p.content); },
  }),
  op({
    name: 'sysprep', help: "vmcraft's own: virt-sysprep's default operations, here in the order (put it first: it removes users' ~/.ssh); see vmcraft sysprep", parse: none,
    describe: () => 'Removing machine-specific state',
    run: async (g) => { const r = await g.sysprep(); return `Removed ${r.removed.length} paths, emptied ${r.emptied.length} files`; },
  }),
];
