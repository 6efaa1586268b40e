/**
 * Runs the kernel tests (test/vm/*.vm.test.ts) inside the VM harness, once,
 * and reports each of them here as a test of the host run, so `npm test`
 * shows both in one report. A VM that cannot boot fails this file loudly.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInVm, VM_RESULTS_DIR, type VmResult } from './harness.js';

interface JsonReport {
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

const resultsDir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-vm-results-'));
let run: VmResult | undefined;
let report: JsonReport | undefined;
let bootError: unknown;
try {
  run = await runInVm(`node_modules/.bin/vitest run -c vitest.vm.config.ts --reporter=default --reporter=json --outputFile.json=${VM_RESULTS_DIR}/report.json`, {
    resultsDir,
    // Longer than run.ts's default: the first run also builds the VM fixtures.
    timeoutMs: 40 * 60_000,
    onOutput: process.env.VMCRAFT_VM_VERBOSE ? (t) => process.stdout.write(t) : undefined,
  });
  console.log(`[vm] boot ${((run.bootMs ?? 0) / 1000).toFixed(1)} s, whole VM run ${(run.durationMs / 1000).toFixed(1)} s`);
  report = JSON.parse(await readFile(path.join(resultsDir, 'report.json'), 'utf8')) as JsonReport;
} catch (err) {
  bootError = err;
} finally {
  await rm(resultsDir, { recursive: true, force: true });
}

describe('kernel tests inside the VM (nbd, LVM, LUKS, md)', () => {
  if (!report) {
    it('the VM booted and ran them', () => {
      const tail = run?.output.split('\n').slice(-60).join('\n') ?? '';
      const why = run?.timedOut ? 'time limit reached' : `exit code ${run?.exitCode ?? 'none'}`;
      throw new Error(`no test report from the VM (${why}${bootError ? `, ${String(bootError)}` : ''})\n${tail}`);
    });
    return;
  }
  it('the VM run exited cleanly', () => {
    if (run?.exitCode !== 0) throw new Error(`exit code ${run?.exitCode}; console tail:\n${run?.output.split('\n').slice(-40).join('\n')}`);
  });
  for (const file of report.testResults) {
    // A file that failed to load has no tests: report the file itself.
    if (file.assertionResults.length === 0) {
      it(`${path.basename(file.name)} loads and runs`, () => {
        throw new Error(file.message || `status ${file.status}`);
      });
    }
    for (const test of file.assertionResults) {
      it(`${path.basename(file.name)} > ${test.fullName}`, () => {
        if (test.status === 'failed') throw new Error(test.failureMessages.join('\n'));
        expect(test.status).toBe('passed');
      });
    }
  }
});
