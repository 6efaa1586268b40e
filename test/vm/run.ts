/**
 * Runs a command in the kernel-test VM and exits with its exit code:
 *   npx tsx test/vm/run.ts -- <command…>
 */
import { runInVm } from './harness.js';

const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
if (args.length === 0) {
  console.error('usage: npx tsx test/vm/run.ts -- <command…>');
  process.exit(2);
}
const result = await runInVm(args.join(' '), { onOutput: (t) => process.stdout.write(t) });
console.error(`\n[vm] exit code ${result.exitCode ?? 'none (the VM stopped before the command ended)'}, ${(result.durationMs / 1000).toFixed(1)} s`);
process.exit(result.exitCode ?? 1);
