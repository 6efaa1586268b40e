import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/cli.js';
import { sampleImage, scratchDir } from '../../helpers/images.js';
import { launchReaping } from '../../helpers/reap.js';

let dir: string;
let remove: () => Promise<void>;
let source: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('convert-killed'));
  source = path.join(dir, 'source.raw');
  // Random data compressed: a conversion that takes a second or two.
  await execa('dd', ['if=/dev/urandom', `of=${source}`, 'bs=1M', 'count=64', 'status=none']);
});
afterAll(async () => remove());

/** The conversion's temp directories beside `target`, with the bytes written in each. */
async function tempDirs(target: string): Promise<{ name: string; bytes: number }[]> {
  const prefix = `.${path.basename(target)}.vmcraft-`;
  const names = (await readdir(path.dirname(target))).filter((n) => n.startsWith(prefix));
  return Promise.all(names.map(async (name) => ({ name, bytes: await stat(path.join(path.dirname(target), name, path.basename(target))).then((s) => s.size, () => 0) })));
}

describe('a conversion killed mid-run (SIGKILL)', () => {
  it('5 kills: each temp directory with its partial image is registered, and the next launch removes them all', async () => {
    const registry = path.join(dir, 'sessions');
    const target = path.join(dir, 'out.qcow2');
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const child = execa('node', ['--import', 'tsx', CLI, 'convert', '-c', source, target], { reject: false, env: { VMCRAFT_SESSION_DIR: registry } });
      // Killed once qemu-img has written part of the output.
      const started = async () => (await tempDirs(target)).find((t) => !seen.has(t.name) && t.bytes > 0);
      let partial;
      while (!(partial = await started()) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGKILL');
      seen.add(partial!.name);
      expect((await child).signal).toBe('SIGKILL');
    }
    await expect(stat(target)).rejects.toThrow();
    expect(await tempDirs(target)).toHaveLength(5);
    expect(await readdir(registry).catch(() => [])).toHaveLength(5);
    // The next launch of any session reaps them.
    const { g, warnings } = await launchReaping((await sampleImage(dir)).path, dir, registry);
    await g.close();
    expect(warnings).toHaveLength(5);
    expect(await tempDirs(target)).toEqual([]);
    expect(await readdir(registry)).toEqual([]);
  }, 60_000);
});
