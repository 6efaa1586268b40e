/** Images and scratch directories for integration tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildSampleImage, type SampleImage } from '../../src/sample/sample.js';

export { sha256File } from '../../src/core/hash.js';

/** A private scratch directory for one test file; remove it with the returned function. */
export async function scratchDir(label: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `vmcraft-test-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Builds the sample guest (MBR, ext4 /boot + ext4 root, Debian release files) into `dir`. */
export async function sampleImage(dir: string, name = 'sample.qcow2'): Promise<SampleImage> {
  return buildSampleImage(path.join(dir, name));
}
