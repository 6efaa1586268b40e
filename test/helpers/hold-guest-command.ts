/**
 * Child process for the sandbox's SIGKILL test: opens a read-only session on
 * argv[2] with tmpDir argv[3], mounts the root, starts the guest command
 * `sleep 3141`, prints "ready" once it runs, and waits to be killed.
 */
import { execa } from 'execa';
import { GuestFS } from '../../src/index.js';

const [image, tmpDir] = process.argv.slice(2);
const g = await GuestFS.open(image!, { tmpDir: tmpDir!, readonly: true });
await g.mountRoot((await g.inspectOs())[0]!);
void g.command(['sleep', '3141']).catch(() => undefined);
for (;;) {
  const { stdout } = await execa('pgrep', ['-f', '^sleep 3141$'], { reject: false });
  if (stdout.trim()) break;
  await new Promise((r) => setTimeout(r, 20));
}
process.stdout.write('ready\n');
setInterval(() => undefined, 1000);
