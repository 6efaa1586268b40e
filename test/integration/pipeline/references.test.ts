/**
 * Image references through the pipeline (issue 12): a source's chain must
 * stay in the source's directory; planning refuses one that reaches out
 * (EUNSAFE), FETCH refuses a chain that changed to reach out after planning,
 * and the later stages open exactly the chain FETCH verified. The canary
 * never reaches an output and never changes; the listener gets no connection.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { plan, run } from '../../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { backedImage, listen, makeCanary, showsCanary, vmdkDescriptor, type Canary, type Listener } from '../../helpers/references.js';
import { makeDifferencing } from '../../helpers/vhd.js';

let dir: string;
let remove: () => Promise<void>;
let canary: Canary;
let listener: Listener;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('pipeline-references'));
  canary = await makeCanary(path.join(dir, 'host'));
  listener = await listen();
});
afterEach(async () => {
  expect(await sha256File(canary.path)).toBe(canary.sha256);
  expect(listener.takeConnections()).toBe(0);
});
afterAll(async () => {
  await listener.close();
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

let counter = 0;
async function vmDir(): Promise<string> {
  const d = path.join(dir, `vm-${counter++}`);
  await mkdir(d);
  return d;
}

/** Plans and runs FETCH → FLATTEN → CONVERT of one source; the plan's or the run's error code, or 'copied the canary' / 'converted'. */
async function migrate(source: string, change?: () => Promise<void>): Promise<string> {
  const output = path.join(path.dirname(source), 'out.raw');
  let p;
  try {
    p = await plan({ stages: ['fetch', 'flatten', 'convert'], vms: [{ name: 'vm', input: [source], output: { path: output, format: 'raw' } }] });
  } catch (err) {
    return (err as { code: string }).code;
  }
  await change?.();
  const report = await run(p);
  if (report.vms[0]!.error) return report.vms[0]!.error.code;
  return showsCanary(await readFile(output), canary) ? 'copied the canary' : 'converted';
}

describe('the pipeline keeps to the chains it verified', () => {
  it.each<[string, (d: string) => Promise<string>]>([
    ['a qcow2 backed by a host file', (d) => backedImage(path.join(d, 'a.qcow2'), canary.path, 'raw')],
    ['a qcow2 backed by nbd://', (d) => backedImage(path.join(d, 'a.qcow2'), `nbd://127.0.0.1:${listener.port}/x`, 'raw')],
    ['a vmdk whose extent is a host file', (d) => vmdkDescriptor(path.join(d, 'a.vmdk'), [`RW 2048 FLAT "${canary.path}" 0`])],
    ['a differencing VHD whose parent locator leads out of its directory', async (d) => {
      const parent = path.join(dir, 'host', `parent-${counter}.vhd`);
      await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', canary.path, parent]);
      const child = path.join(d, 'child.vhd');
      await execa('qemu-img', ['create', '-q', '-f', 'vpc', child, String((await readFile(canary.path)).length)]);
      await makeDifferencing(child, parent, [], path.win32.join('..', 'host', path.basename(parent)));
      return child;
    }],
  ])('planning refuses %s', async (_, build) => {
    const d = await vmDir();
    expect(await migrate(await build(d))).toBe('EUNSAFE');
    expect((await readdir(d)).filter((f) => f.startsWith('out'))).toEqual([]);
  });

  it('FETCH refuses a chain that reaches out after planning; a chain in its directory is migrated', async () => {
    const d = await vmDir();
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(d, 'base.qcow2'), '1M']);
    await execa('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x11 0 64k', path.join(d, 'base.qcow2')]);
    const top = await backedImage(path.join(d, 'top.qcow2'), 'base.qcow2', 'qcow2');
    expect(await migrate(top)).toBe('converted');
    await execa('qemu-img', ['compare', '-f', 'qcow2', '-F', 'raw', top, path.join(d, 'out.raw')]);
    const e = await vmDir();
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(e, 'base.qcow2'), '1M']);
    const changing = await backedImage(path.join(e, 'top.qcow2'), 'base.qcow2', 'qcow2');
    const outcome = await migrate(changing, () => execa('qemu-img', ['rebase', '-u', '-f', 'qcow2', '-b', canary.path, '-F', 'raw', path.join(e, 'base.qcow2')]).then(() => undefined));
    expect(outcome).toBe('EUNSAFE');
    expect(await readdir(e)).not.toContain('out.raw');
  });
});
