/**
 * Child process for the signal tests: opens a session on argv[2] with tmpDir
 * argv[3], prints "ready" and inspects in a loop until a signal stops it (the
 * call in flight then fails, unhandled, as in a careless program).
 */
import { GuestFS } from '../../src/index.js';

const [image, tmpDir] = process.argv.slice(2);
const g = await GuestFS.open(image!, { tmpDir: tmpDir!, readonly: true });
process.stdout.write('ready\n');
for (;;) await g.inspectOs();
