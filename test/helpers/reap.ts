/** The reaper's side of the kill tests: a launch that releases what dead sessions registered. */
import { GuestFS } from '../../src/index.js';

/** A launched read-only session and the warnings (`log` events of level warn) its launch emitted. */
export interface ReapingLaunch {
  g: GuestFS;
  warnings: string[];
}

/**
 * Launches a read-only session on `image` in `tmpDir` with the session
 * registry at `registry` (a private one, so other test files' launches cannot
 * reap first): its launch releases what dead sessions left there. The caller
 * closes the session; a failed launch closes it here.
 */
export async function launchReaping(image: string, tmpDir: string, registry: string): Promise<ReapingLaunch> {
  const g = new GuestFS({ readonly: true, tmpDir });
  const warnings: string[] = [];
  g.on('log', (l) => l.level === 'warn' && warnings.push(l.message));
  g.addDrive(image);
  process.env.VMCRAFT_SESSION_DIR = registry;
  try {
    await g.launch();
  } catch (err) {
    await g.close();
    throw err;
  } finally {
    delete process.env.VMCRAFT_SESSION_DIR;
  }
  return { g, warnings };
}
