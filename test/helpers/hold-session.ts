/**
 * Child process for the signal tests: opens a session on argv[2] with tmpDir
 * argv[3] (in mode argv[4], default auto), mounts the root, prints "ready"
 * and waits to be killed.
 */
import { GuestFS, type SessionMode } from '../../src/index.js';

const [image, tmpDir, mode = 'auto'] = process.argv.slice(2);
const g = await GuestFS.open(image!, { tmpDir: tmpDir!, readonly: true, mode: mode as SessionMode });
const [root] = await g.inspectOs();
await g.mountRoot(root!);
process.stdout.write('ready\n');
setInterval(() => undefined, 1000);
