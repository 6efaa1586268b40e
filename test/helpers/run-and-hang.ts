/**
 * Child process for the Runner's dieWithParent test: runs `sleep 120` through
 * a Runner with dieWithParent, prints the sleep's pid, and waits to be killed.
 */
import { execa } from 'execa';
import { Runner } from '../../src/core/exec.js';

void new Runner().run('sleep', ['120'], { dieWithParent: true, timeoutMs: 130_000 }).catch(() => undefined);
// setpriv execs sleep in place, so the child of this process is the sleep itself.
for (;;) {
  const { stdout } = await execa('pgrep', ['-P', String(process.pid), '-x', 'sleep'], { reject: false });
  if (stdout.trim()) {
    process.stdout.write(`${stdout.trim()}\n`);
    break;
  }
  await new Promise((r) => setTimeout(r, 20));
}
setInterval(() => undefined, 1000);
