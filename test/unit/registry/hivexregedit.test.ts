import { describe, expect, it } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import type { Runner } from '../../../src/core/exec.js';
import { boundedArgv, hivexBounds, runHivexregedit } from '../../../src/registry/hivexregedit.js';

const MIB = 1024 * 1024;
const HOST = '/tmp/vmcraft-1234abcd/mnt/root/Windows/System32/config/SOFTWARE';
const run = { host: HOST, shown: '/Windows/System32/config/SOFTWARE', bytes: 62 * MIB };

/** A runner whose every command fails with `err` (the command details as the real runner gives them). */
function failing(code: 'ECOMMAND' | 'ETIMEOUT', details: { exitCode?: number; signal?: string; stderr: string }): Runner {
  const command = { command: `prlimit -- hivexregedit --export ${HOST} \\`, argv: ['prlimit', '--', 'hivexregedit', '--export', HOST, '\\'], durationMs: 5, ...details };
  return { run: async () => { throw new VmcraftError(code, `${command.command} failed`, { command }); } } as unknown as Runner;
}

const rejection = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as VmcraftError);

describe('hivexregedit under bounds', () => {
  it('grows its memory and time limits with what it reads', () => {
    expect(hivexBounds(0)).toEqual({ addressSpace: 256 * MIB, timeoutMs: 20_000 });
    // The 62 MiB SOFTWARE hive of Windows 8.1: its export needs 112 MiB of address space and 6 s.
    expect(hivexBounds(62 * MIB)).toEqual({ addressSpace: 380 * MIB, timeoutMs: 51_000 });
    expect(boundedArgv(['--export', 'h', '\\'], hivexBounds(0))).toEqual([`--as=${256 * MIB}`, '--core=0', '--', 'hivexregedit', '--export', 'h', '\\']);
  });

  it('turns a run stopped by a limit into EREGISTRY naming the hive as shown, never its host path', async () => {
    for (const [code, details, what] of [
      ['ETIMEOUT', { signal: 'SIGTERM', stderr: '' }, /did not finish within the 51 s allowed for reading 62.0 MiB/],
      ['ECOMMAND', { exitCode: 1, stderr: 'Deep recursion on subroutine "Win::Hivex::Regedit::reg_export_node"\nOut of memory!' }, /ran out of the 380 MiB of memory allowed for reading 62.0 MiB/],
      ['ECOMMAND', { signal: 'SIGSEGV', stderr: 'Out of memory in perl:util:safesysmalloc' }, /ran out of the 380 MiB/],
      ['ECOMMAND', { signal: 'SIGSEGV', stderr: '' }, /was killed by SIGSEGV within the 380 MiB/],
    ] as const) {
      const err = await rejection(runHivexregedit(failing(code, details), ['--export', HOST, '\\'], run));
      expect(err).toMatchObject({ code: 'EREGISTRY', path: run.shown, message: expect.stringMatching(what) });
      expect(err.message).toContain(`${run.shown}: hivexregedit`);
      expect(err.message).not.toContain('/tmp/vmcraft-');
    }
  });

  it('leaves other failures to the caller, with the host path in stderr replaced', async () => {
    const err = await rejection(runHivexregedit(failing('ECOMMAND', { exitCode: 95, stderr: `hivex_open: ${HOST}: Operation not supported at /usr/lib/Hivex.pm line 101.` }), [], run));
    expect(err).toMatchObject({ code: 'ECOMMAND', command: { stderr: `hivex_open: ${run.shown}: Operation not supported at /usr/lib/Hivex.pm line 101.` } });
    expect(err.message).not.toContain('/tmp/vmcraft-');
    const missing = await rejection(runHivexregedit(failing('ECOMMAND', { exitCode: 127, stderr: 'prlimit: failed to execute hivexregedit: No such file or directory' }), [], run));
    expect(missing.code).toBe('ETOOLMISSING');
  });
});
