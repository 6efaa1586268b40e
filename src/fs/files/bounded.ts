/** Host tools that read guest content (file, grep) run under limits: a crafted file must not make one run away. */
import type { Runner, RunOptions, RunResult } from '../../core/exec.js';

/** The address space such a tool may use. */
export const BOUNDED_ADDRESS_SPACE = 1024 * 1024 * 1024;

/** Runs `tool args…` through prlimit (address space, no core file); `options.timeoutMs` bounds its time (default 30 s). */
export function runBounded(runner: Runner, tool: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult<string>> {
  return runner.run('prlimit', [`--as=${BOUNDED_ADDRESS_SPACE}`, '--core=0', '--', tool, ...args], { timeoutMs: 30_000, ...options });
}
