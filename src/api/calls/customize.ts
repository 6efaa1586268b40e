/**
 * The customisation calls (the virt-customize jobs): each is idempotent and
 * says whether it changed anything. They need the guest mounted read-write
 * (`mountRoot`); the package calls also need it inspected (for its manager).
 */
import { VmcraftError } from '../../core/errors.js';
import { lazy } from '../../core/lazy.js';
import type { PasswordSpec } from '../../customize/users.js';
import type { OsInfo } from '../../inspect/types.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';

const v = '0.1.0';

// Loaded by the first customisation: most sessions never customise.
const context = lazy(() => import('../../customize/context.js'));
const packages = lazy(() => import('../../customize/packages.js'));
const system = lazy(() => import('../../customize/system.js'));
const sysprep = lazy(() => import('../../customize/sysprep/index.js'));
const users = lazy(() => import('../../customize/users.js'));

/** The inspection of the guest mounted at `/`. */
function guestOs(g: Guest): OsInfo {
  const root = g.mountTable.rootDevice();
  if (!root) throw new VmcraftError('ENOTMOUNTED', 'mount the guest first (mountRoot)');
  return g.inspectOsInfo(root);
}

/** The package manager of the guest mounted at `/` (from its inspection). */
const manager = (g: Guest): string => guestOs(g).packageManagement;

/**
 * The password spec, checked by shape only: `{ hash }`, or `{ password }`
 * non-empty. Its values never show in the error.
 */
function passwordSpec(spec: PasswordSpec): PasswordSpec {
  const { hash, password, locked } = spec as { hash?: unknown; password?: unknown; locked?: unknown };
  if (locked !== undefined && typeof locked !== 'boolean') throw new VmcraftError('EINVAL', 'setPassword: expected spec.locked to be a boolean');
  const lock = locked ? { locked: true } : {};
  if (typeof hash === 'string') return { hash, ...lock };
  if (hash === undefined && typeof password === 'string' && password !== '') return { password, ...lock };
  throw new VmcraftError('EINVAL', 'setPassword: expected spec to be { hash: string } or { password: string } with a non-empty password (values not shown)');
}

const user = a.string('user', { doc: "a user of the guest's /etc/passwd" });
const guestFile = a.guestPath('path', { ts: 'string' });
const sysprepOptions = a.options('options', [
  a.stringList('operations', { doc: "virt-sysprep's `--operations` words: `name`, `-name`, `defaults`, `all`" }),
  a.stringList('enable', { doc: 'exactly these operations' }),
  a.stringList('removeUserAccounts', { doc: 'user-account: only these users' }),
  a.stringList('keepUserAccounts', { doc: 'user-account: not these users' }),
], { ts: 'SysprepOptions' });

/** The calls of this module, in table order. */
export const CUSTOMIZE_CALLS = [
  defineCall({
    name: 'setHostname', group: 'customize', since: v, writes: true,
    summary: 'set the hostname of the guest', doc: 'Sets /etc/hostname and the 127.0.1.1 line of /etc/hosts.\n@returns whether anything changed',
    args: [a.string('name', { doc: 'a hostname, short or fully qualified' })], returns: 'bool', ts: 'Promise<boolean>',
    impl: async (g, name) => (await system()).setHostname(g, name),
  }),
  defineCall({
    name: 'setTimezone', group: 'customize', since: v, writes: true,
    summary: 'set the timezone of the guest', doc: "From the guest's own zoneinfo.\n@returns whether anything changed",
    args: [a.string('zone', { doc: '`Europe/Paris`' })], returns: 'bool', ts: 'Promise<boolean>',
    impl: async (g, zone) => (await system()).setTimezone(g, zone),
  }),
  defineCall({
    name: 'setPassword', group: 'customize', since: v, writes: true,
    summary: 'set the password of a guest user',
    doc: 'From a crypt(3) hash, or a plain password hashed here (SHA-512); never logged, never in an error or a trace.',
    args: [user, a.struct('spec', { ts: 'PasswordSpec', doc: '`{ hash: \'$6$…\' }` or `{ password: \'…\' }`; `locked: true` locks the account (`!!` before the hash)' })], returns: 'void', ts: 'Promise<void>',
    impl: async (g, name, spec) => (await users()).setPassword(g, name, passwordSpec(spec), g.runner),
  }),
  defineCall({
    name: 'injectSshKey', group: 'customize', since: v, writes: true,
    summary: 'add an ssh public key to a guest user',
    doc: "To the user's authorized_keys; ~/.ssh is made with the user's owner and modes.\n@returns whether anything changed",
    args: [user, a.string('key', { doc: 'an OpenSSH public key line' })], returns: 'bool', ts: 'Promise<boolean>',
    impl: async (g, name, key) => (await users()).injectSshKey(g, name, key),
  }),
  defineCall({
    name: 'writeFile', group: 'customize', since: v, writes: true,
    summary: 'write a file only when its content differs', doc: '@returns whether it wrote',
    args: [guestFile, a.string('content')], returns: 'bool', ts: 'Promise<boolean>',
    impl: async (g, path, content) => (await context()).writeIfChanged(g, path, content),
  }),
  defineCall({
    name: 'appendLine', group: 'customize', since: v, writes: true,
    summary: 'append a line to a file unless it has it', doc: '@returns whether it wrote',
    args: [guestFile, a.string('line')], returns: 'bool', ts: 'Promise<boolean>',
    impl: async (g, path, line) => (await context()).appendLineOnce(g, path, line),
  }),
  defineCall({
    name: 'installPackages', group: 'customize', since: v, writes: true,
    summary: 'install packages with the guest package manager',
    doc: "apt, dnf, yum, zypper, apk or pacman, with the host's network; the guest must be inspected.\n@returns the package manager's output",
    args: [a.stringList('packages')], returns: 'string', ts: 'Promise<string>',
    impl: async (g, names) => (await packages()).installPackages(g, manager(g), names),
  }),
  defineCall({
    name: 'uninstallPackages', group: 'customize', since: '0.2.0', writes: true,
    summary: 'remove packages with the guest package manager',
    doc: "apt, dnf, yum, zypper, apk or pacman, without network; the guest must be inspected.\n@returns the package manager's output",
    args: [a.stringList('packages')], returns: 'string', ts: 'Promise<string>',
    impl: async (g, names) => (await packages()).uninstallPackages(g, manager(g), names),
  }),
  defineCall({
    name: 'updatePackages', group: 'customize', since: v, writes: true,
    summary: 'update all packages with the guest package manager',
    doc: "With the host's network; the guest must be inspected.\n@returns the package manager's output",
    args: [], returns: 'string', ts: 'Promise<string>',
    impl: async (g) => (await packages()).updatePackages(g, manager(g)),
  }),
  defineCall({
    name: 'runFirstBoot', group: 'customize', since: v, writes: true,
    summary: 'run a script once at the next boot of the guest',
    doc: 'A systemd unit runs the scripts once.\n@returns the guest path of the script',
    args: [a.string('script', { doc: 'shell script; `#!/bin/sh` is added unless it has a `#!` line' }), a.string('name', { optional: true, defaultText: 'vmcraft-firstboot', doc: 'script file name' })],
    returns: 'string', ts: 'Promise<string>',
    impl: async (g, text, name = 'vmcraft-firstboot') => (await system()).addFirstBootScript(g, name, text),
  }),
  defineCall({
    name: 'setMachineIdForFirstBoot', group: 'customize', since: v, writes: true,
    summary: 'empty the machine id so that the next boot makes a new one', doc: 'Empties /etc/machine-id; systemd makes a new one at the next boot.\n@returns whether it wrote',
    args: [], returns: 'bool', ts: 'Promise<boolean>',
    impl: (g) => g.writeFile('/etc/machine-id', ''),
  }),
  defineCall({
    name: 'sysprep', group: 'customize', since: v, writes: true,
    summary: 'remove machine-specific state from the guest, as virt-sysprep',
    doc: [
      "virt-sysprep's operations (`sysprepListOperations()`) on the inspected guest mounted at `/`, in name order. Without options, those",
      'enabled by default. `enable`: exactly these; `operations`: virt-sysprep\'s `--operations` words, applied after `enable`',
      '(`name`, `-name`, `defaults`, `all`). `removeUserAccounts`/`keepUserAccounts` are for `user-account`. The `customize`',
      'operation does nothing here (call the customisation calls); the CLI runs its options.',
      '@returns what each operation removed, emptied or changed, and every path of them all (`removed`, `emptied`, `changed`)',
    ].join('\n'),
    args: [sysprepOptions], returns: 'struct', ts: 'Promise<SysprepReport>',
    impl: async (g, options = {}) => (await sysprep()).sysprep(g, guestOs(g), options),
  }),
  defineCall({
    name: 'sysprepPlan', group: 'customize', since: '0.2.0',
    summary: 'what sysprep would remove or change, without writing',
    doc: 'As `sysprep(options)` (its report, with `dryRun: true`), reading only: works in a read-only session.',
    args: [sysprepOptions], returns: 'struct', ts: 'Promise<SysprepReport>',
    impl: async (g, options = {}) => (await sysprep()).sysprep(g, guestOs(g), options, true),
  }),
  defineCall({
    name: 'sysprepListOperations', group: 'customize', since: '0.2.0', anytime: true,
    summary: 'list the sysprep operations',
    doc: "Sorted by name, with whether each runs by default and virt-sysprep's description (as `virt-sysprep --list-operations`).",
    args: [], returns: 'structList', ts: 'Promise<SysprepOperationInfo[]>',
    impl: async () => (await sysprep()).sysprepOperations(),
  }),
];
