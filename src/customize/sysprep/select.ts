/**
 * Which operations run, as virt-sysprep's `--enable` and `--operations` choose them:
 * `--enable a,b` sets exactly those (once, before any `--operations`); `--operations`
 * changes the set so far (empty when none): `name` adds, `-name` removes, `defaults`
 * and `all` (and `-defaults`, `-all`) add or remove those. Nothing given: the defaults.
 */
import { VmcraftError } from '../../core/errors.js';
import { NOT_IMPLEMENTED, SYSPREP_OPERATIONS } from './operations.js';

/** One `--enable` or `--operations` argument, split at its commas. */
export type SelectionStep = { enable: string[] } | { operations: string[] };

const ALL = SYSPREP_OPERATIONS.map((o) => o.name);
/** The order they run in: virt-sysprep's `order` (customize last), then the name. */
const RUN_ORDER = [...SYSPREP_OPERATIONS].sort((a, b) => (a.order ?? 0) - (b.order ?? 0)).map((o) => o.name);
const DEFAULTS = RUN_ORDER.filter((n) => SYSPREP_OPERATIONS.find((o) => o.name === n)!.enabledByDefault);

/** `EINVAL` for a name that is no operation (saying why when it is virt-sysprep's but not vmcraft's). */
function unknown(option: string, name: string): VmcraftError {
  const why = NOT_IMPLEMENTED[name];
  return new VmcraftError('EINVAL', why ? `${option}: vmcraft does not implement the \`${name}\` operation: ${why}` : `${option}: \`${name}\` is not a known operation (see --list-operations)`);
}

/** The names of the operations the steps select, in the order they run; the defaults when there is no step. */
export function selectOperations(steps: readonly SelectionStep[]): string[] {
  if (!steps.length) return DEFAULTS;
  let set: Set<string> | undefined;
  for (const step of steps) {
    if ('enable' in step) {
      if (set) throw new VmcraftError('EINVAL', '--enable can only be given once, and not after --operations');
      if (!step.enable.length || step.enable.some((n) => n === '')) throw new VmcraftError('EINVAL', '--enable: you cannot pass an empty argument or name');
      for (const name of step.enable) if (!ALL.includes(name)) throw unknown('--enable', name);
      set = new Set(step.enable);
      continue;
    }
    set ??= new Set();
    for (const word of step.operations) {
      const remove = word.startsWith('-');
      const name = remove ? word.slice(1) : word;
      if (name === '') throw new VmcraftError('EINVAL', '--operations: empty operation name');
      const apply = (n: string) => (remove ? set!.delete(n) : set!.add(n));
      if (name === 'all') remove ? set.clear() : ALL.forEach(apply);
      else if (name === 'defaults') DEFAULTS.forEach(apply);
      else if (ALL.includes(name)) apply(name);
      // Removing an operation vmcraft does not have is fine: it would not run anyway.
      else if (!(remove && NOT_IMPLEMENTED[name])) throw unknown('--operations', name);
    }
  }
  return RUN_ORDER.filter((n) => set!.has(n));
}

