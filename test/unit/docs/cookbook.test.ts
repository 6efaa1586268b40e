/**
 * The cookbook's code is taken from examples/, which the integration tests
 * run: every line of a block marked `<!-- from examples/X.ts -->` must be a
 * line of that example (imports from 'vmcraft' standing for '../src/index.js'),
 * so the recipes cannot drift from code that is known to run.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.join(import.meta.dirname, '../../..');

describe('docs/cookbook.md', async () => {
  const text = await readFile(path.join(REPO, 'docs/cookbook.md'), 'utf8');
  const blocks = [...text.matchAll(/<!-- from (examples\/[\w.-]+\.ts) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));

  it('has a recipe taken from each of the five examples it promises', () => {
    expect(blocks.map((b) => b.file)).toEqual(['examples/forensics.ts', 'examples/customize-cloud-image.ts', 'examples/registry-edit.ts', 'examples/windows-virtio.ts', 'examples/migration.ts']);
  });

  it.each(blocks.map((b) => [b.file, b.code] as const))('every line of the %s recipe is in the example', async (file, code) => {
    const example = new Set((await readFile(path.join(REPO, file), 'utf8')).split('\n').map((l) => l.trim()));
    const missing = code
      .split('\n')
      .map((l) => l.trim().replace(/ from 'vmcraft';$/, " from '../src/index.js';"))
      .filter((l) => l !== '' && !example.has(l));
    expect(missing).toEqual([]);
  });
});
