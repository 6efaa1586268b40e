/**
 * Sysprep: virt-sysprep's named operations over a mounted guest, chosen as its
 * `--operations`/`--enable` choose them, run in its order, each reporting what it
 * removed, emptied or changed; a dry run reports the same and writes nothing.
 */
import { VmcraftError } from '../../core/errors.js';
import { GuestEdits, isDebian, isRedhat, type SysprepOperationOptions, type SysprepOs, type SysprepReport, type SysprepTarget } from './operation.js';
import { SYSPREP_OPERATIONS } from './operations.js';
import { selectOperations, type SelectionStep } from './select.js';

export type { SysprepOperationOptions, SysprepOperationReport, SysprepReport, SysprepOs, SysprepTarget } from './operation.js';
export { selectOperations, type SelectionStep } from './select.js';
export { NOT_IMPLEMENTED } from './operations.js';

/** Options of `GuestFS.sysprep` and `GuestFS.sysprepPlan`. */
export interface SysprepOptions extends SysprepOperationOptions {
  /** virt-sysprep's `--operations` words: `name`, `-name`, `defaults`, `all`, applied in order (after `enable`). */
  operations?: string[];
  /** virt-sysprep's `--enable`: exactly these operations (then changed by `operations`). */
  enable?: string[];
}

/** One operation as `--list-operations` shows it. */
export interface SysprepOperationInfo {
  name: string;
  /** Run when no operation is chosen. */
  enabledByDefault: boolean;
  /** virt-sysprep's heading. */
  description: string;
}

/** The operations vmcraft implements, sorted by name. */
export function sysprepOperations(): SysprepOperationInfo[] {
  return SYSPREP_OPERATIONS.map((o) => ({ name: o.name, enabledByDefault: o.enabledByDefault, description: o.heading }));
}

/** virt-sysprep's `--list-operations` lines: `name * heading`, the `*` for those enabled by default. */
export function listOperationsLines(): string[] {
  return SYSPREP_OPERATIONS.map((o) => `${o.name} ${o.enabledByDefault ? '*' : ' '} ${o.heading}`);
}

/**
 * The names `options` select (`enable`, then `operations`; or `steps` in the order given on a
 * command line); `EINVAL` for an unknown name or a user-account option without user-account.
 */
export function selectedOperations(options: SysprepOptions = {}, steps?: readonly SelectionStep[]): string[] {
  const names = selectOperations(steps ?? [...(options.enable ? [{ enable: options.enable }] : []), ...(options.operations ? [{ operations: options.operations }] : [])]);
  for (const [key, flag] of [['removeUserAccounts', '--remove-user-accounts'], ['keepUserAccounts', '--keep-user-accounts']] as const) {
    const users = options[key];
    if (users?.some((u) => u === '')) throw new VmcraftError('EINVAL', `user-accounts: empty user name in ${flag}`);
    if (users?.length && !names.includes('user-account')) throw new VmcraftError('EINVAL', `user-accounts: ${flag} was used, but the "user-account" operation is not enabled`);
  }
  return names;
}

/** The command that rebuilds the guest's CA store, by distribution (virt-sysprep's). */
function caStoreCommand(os: SysprepOs): string[] | undefined {
  if (isRedhat(os)) return ['update-ca-trust', 'extract'];
  return isDebian(os) ? ['update-ca-certificates'] : undefined;
}

/** Rebuilds the CA store in the guest's sandbox; where it cannot run here, at the guest's first boot (as virt-sysprep). */
async function updateCaStore(t: SysprepTarget, os: SysprepOs, report: SysprepReport): Promise<void> {
  const argv = caStoreCommand(os);
  if (!argv) return void report.warnings.push(`updating the system CA store on this guest ${os.type}/${os.distro} is not supported`);
  try {
    await t.command(argv);
  } catch (err) {
    const script = await t.runFirstBoot(`${argv.join(' ')}\n`, 'vmcraft-update-ca-store');
    report.changed.push(script);
    report.warnings.push(`${argv.join(' ')} failed here (${(err as Error).message.split('\n')[0]}): it runs at the guest's first boot`);
  }
}

/**
 * Runs the selected operations on the guest mounted at `/` (in name order, `customize`
 * last), recording what each did; with `dryRun` nothing is written.
 */
export async function sysprep(t: SysprepTarget, os: SysprepOs, options: SysprepOptions = {}, dryRun = false): Promise<SysprepReport> {
  const names = selectedOperations(options);
  const ops = names.map((n) => SYSPREP_OPERATIONS.find((o) => o.name === n)!);
  const report: SysprepReport = { dryRun, operations: [], removed: [], emptied: [], changed: [], warnings: [] };
  let caStoreChanged = false;
  const gone = new Set<string>();
  for (const op of ops) {
    const edit = new GuestEdits(t, dryRun, op.name, gone);
    await op.run(t, { os, edit, options: { removeUserAccounts: options.removeUserAccounts ?? [], keepUserAccounts: options.keepUserAccounts ?? [] } });
    caStoreChanged ||= edit.caStoreChanged;
    report.operations.push(edit.report);
    report.removed.push(...edit.report.removed);
    report.emptied.push(...edit.report.emptied);
    report.changed.push(...edit.report.changed);
  }
  if (caStoreChanged && !dryRun) await updateCaStore(t, os, report);
  return report;
}
