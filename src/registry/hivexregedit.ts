/**
 * hivexregedit, bounded. Every run gets an address-space limit (through
 * prlimit) and a time limit that grow with what it reads — the hive, and
 * the .reg text of a merge — so that whatever a hive makes hivex do, it
 * cannot take the host's memory or run on: a run stopped by a limit is
 * `EREGISTRY` naming the hive as the caller knows it (its guest path), and
 * the host path is never shown.
 *
 * Measured on a Windows 8.1 SOFTWARE hive of 62 MiB: its whole export needs
 * 112 MiB of address space (96 MiB is too little) and 6 s; a merge of 13 MB
 * of .reg text needs 75 MB and 3 s. The limits leave 3× and 8× of margin.
 */
import { VmcraftError } from '../core/errors.js';
import { toolMissingMessage } from '../core/tool-packages.js';
import type { Runner } from '../core/exec.js';
import { hiveSize } from './hive-check.js';

const MIB = 1024 * 1024;

/** The limits of one run. */
export interface HivexBounds {
  /** Address-space limit in bytes. */
  addressSpace: number;
  /** Time limit in milliseconds. */
  timeoutMs: number;
}

/** The limits of a run that reads `bytes` (the hive's size, plus the .reg text's for a merge): 256 MiB + 2 × bytes, 20 s + 0.5 s per MiB. */
export function hivexBounds(bytes: number): HivexBounds {
  return { addressSpace: 256 * MIB + 2 * bytes, timeoutMs: 20_000 + Math.ceil(bytes / MIB) * 500 };
}

/** prlimit's arguments that run hivexregedit `args` under `bounds` (no core file either: a process stopped by its memory limit may crash). */
export function boundedArgv(args: readonly string[], bounds: HivexBounds): string[] {
  return [`--as=${bounds.addressSpace}`, '--core=0', '--', 'hivexregedit', ...args];
}

/** The hive a run reads. */
export interface HivexRun {
  /** Its host path (never shown). */
  host: string;
  /** The name errors give it: its guest path. */
  shown: string;
  /** How many bytes the run reads: the hive's size, plus the .reg text's for a merge. */
  bytes: number;
}

/**
 * Runs `hivexregedit args…` under the bounds of `run.bytes` and returns its
 * standard output. A run stopped by a limit (killed by the time limit, out of
 * memory or crashed under the memory limit) is `EREGISTRY`; hivexregedit
 * missing is `ETOOLMISSING`; any other failure is the runner's `ECOMMAND`,
 * with the host path in its stderr replaced by the shown name.
 */
export async function runHivexregedit(runner: Runner, args: readonly string[], run: HivexRun): Promise<Buffer> {
  const bounds = hivexBounds(run.bytes);
  try {
    return (await runner.run('prlimit', boundedArgv(args, bounds), { binary: true, timeoutMs: bounds.timeoutMs })).stdout;
  } catch (err) {
    throw boundError(err, run, bounds);
  }
}

function boundError(err: unknown, run: HivexRun, bounds: HivexBounds): unknown {
  if (!(err instanceof VmcraftError) || !err.command) return err;
  const size = `reading ${hiveSize(run.bytes)}`;
  const stderr = err.command.stderr.split(run.host).join(run.shown);
  if (err.code === 'ETIMEOUT') return new VmcraftError('EREGISTRY', `${run.shown}: hivexregedit did not finish within the ${bounds.timeoutMs / 1000} s allowed for ${size}: the hive is corrupt or hostile`, { cause: err, path: run.shown });
  if (err.code !== 'ECOMMAND') return err;
  if (err.command.exitCode === 127 && /failed to execute hivexregedit/.test(stderr)) return new VmcraftError('ETOOLMISSING', toolMissingMessage('hivexregedit'), { cause: err });
  const memory = `${Math.round(bounds.addressSpace / MIB)} MiB of memory allowed for ${size}`;
  if (/Out of memory|Cannot allocate memory/.test(stderr)) return new VmcraftError('EREGISTRY', `${run.shown}: hivexregedit ran out of the ${memory}: the hive is corrupt or hostile`, { cause: err, path: run.shown });
  if (err.command.signal) return new VmcraftError('EREGISTRY', `${run.shown}: hivexregedit was killed by ${err.command.signal} within the ${memory}: the hive is corrupt or hostile`, { cause: err, path: run.shown });
  return new VmcraftError('ECOMMAND', `hivexregedit failed on ${run.shown}: ${stderr.split('\n')[0]}`, { cause: err, command: { ...err.command, stderr } });
}
