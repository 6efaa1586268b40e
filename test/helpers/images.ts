/** Images and scratch directories for integration tests. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildSampleImage, type SampleImage } from '../../src/sample/sample.js';

/** sha256 of a host file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A private scratch directory for one test file; remove it with the returned function. */
export async function scratchDir(label: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `vmcraft-test-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Builds the sample guest (MBR, ext4 /boot + ext4 root, Debian release files) into `dir`. */
export async function sampleImage(dir: string, name = 'sample.qcow2'): Promise<SampleImage> {
  return buildSampleImage(path.join(dir, name));
}
