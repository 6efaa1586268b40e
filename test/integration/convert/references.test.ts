/**
 * Image references (issue 12): an image is read alone unless the caller allows
 * its chain, and every file an allowed chain names is checked before qemu sees
 * it. Each hostile image is refused by resolveChain, imageInfo, convert and
 * flatten with EUNSAFE; the canary's bytes never reach an output, its sha256
 * never changes, and the listener never gets a connection.
 */
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { convert, flatten, imageInfo, resolveChain } from '../../../src/convert/index.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { backedImage, dataFileImage, listen, makeCanary, showsCanary, vmdkDescriptor, type Canary, type Listener } from '../../helpers/references.js';

let dir: string;
let remove: () => Promise<void>;
let canary: Canary;
let listener: Listener;
let loopDevice: string;
/** A vmdk outside the image directories whose data is the canary. */
let hostVmdk: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('references'));
  canary = await makeCanary(path.join(dir, 'host'));
  listener = await listen();
  loopDevice = (await execa('losetup', ['--find', '--show', '--read-only', canary.path])).stdout.trim();
  hostVmdk = path.join(dir, 'host', 'other-vm.vmdk');
  await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', canary.path, hostVmdk]);
});
afterEach(async () => {
  expect(await sha256File(canary.path)).toBe(canary.sha256);
  expect(listener.takeConnections()).toBe(0);
});
afterAll(async () => {
  await execa('losetup', ['-d', loopDevice], { reject: false });
  await listener.close();
  await remove();
});

let counter = 0;
/** A fresh directory for one image. */
async function imageDir(): Promise<string> {
  const d = path.join(dir, `images-${counter++}`);
  await mkdir(d);
  return d;
}

/** Each attack: an image (in its own directory) whose header or descriptor names something it must not read. */
const ATTACKS: [string, (d: string) => Promise<string>][] = [
  ['qcow2 backed by a host file, -F raw', (d) => backedImage(path.join(d, 'a.qcow2'), canary.path, 'raw')],
  ['qcow2 backed by a host file, no backing format', (d) => backedImage(path.join(d, 'a.qcow2'), canary.path)],
  ['qcow2 backed by a json: filename', (d) => backedImage(path.join(d, 'a.qcow2'), `json:{"driver":"raw","file":{"driver":"file","filename":"${canary.path}"}}`)],
  ['qcow2 backed by a relative path out of its directory', (d) => backedImage(path.join(d, 'a.qcow2'), path.relative(d, canary.path), 'raw')],
  ['qcow2 backed by a host block device', (d) => backedImage(path.join(d, 'a.qcow2'), loopDevice, 'raw')],
  ['qcow2 backed by nbd://', (d) => backedImage(path.join(d, 'a.qcow2'), `nbd://127.0.0.1:${listener.port}/x`, 'raw')],
  ['qcow2 backed by a json: nbd server', (d) => backedImage(path.join(d, 'a.qcow2'), `json:{"driver":"nbd","server":{"type":"inet","host":"127.0.0.1","port":"${listener.port}"}}`)],
  ['qcow2 with a host file as external data file', (d) => dataFileImage(path.join(d, 'a.qcow2'), canary.path)],
  ['qed backed by a host file', (d) => backedImage(path.join(d, 'a.qed'), canary.path, 'raw', 'qed')],
  ['vmdk with an absolute FLAT extent', (d) => vmdkDescriptor(path.join(d, 'a.vmdk'), [`RW 2048 FLAT "${canary.path}" 0`])],
  ['vmdk with a FLAT extent ../ out of its directory', (d) => vmdkDescriptor(path.join(d, 'a.vmdk'), [`RW 2048 FLAT "${path.relative(d, canary.path)}" 0`])],
  ['vmdk with a block device as extent', (d) => vmdkDescriptor(path.join(d, 'a.vmdk'), [`RW 2048 FLAT "${loopDevice}" 0`])],
  ['vmdk with an extent symlinked out of its directory', async (d) => {
    await symlink(canary.path, path.join(d, 'a-flat.vmdk'));
    return vmdkDescriptor(path.join(d, 'a.vmdk'), ['RW 2048 FLAT "a-flat.vmdk" 0']);
  }],
  ['vmdk snapshot whose parent is a vmdk elsewhere on the host', async (d) => {
    await execa('qemu-img', ['create', '-q', '-f', 'vmdk', '-b', hostVmdk, '-F', 'vmdk', path.join(d, 'a.vmdk')]);
    return path.join(d, 'a.vmdk');
  }],
];

describe('hostile references are refused with EUNSAFE', () => {
  it.each(ATTACKS)('resolveChain: %s (also with the image directory allowed)', async (_, build) => {
    const d = await imageDir();
    const image = await build(d);
    await expect(resolveChain(image)).rejects.toMatchObject({ code: 'EUNSAFE' });
    await expect(resolveChain(image, { chain: { allowDir: d } })).rejects.toMatchObject({ code: 'EUNSAFE' });
  });

  it.each(ATTACKS)('imageInfo: %s', async (_, build) => {
    const image = await build(await imageDir());
    await expect(imageInfo(image)).rejects.toMatchObject({ code: 'EUNSAFE' });
  });

  it.each(ATTACKS)('convert: %s — nothing written', async (_, build) => {
    const d = await imageDir();
    const image = await build(d);
    const out = path.join(d, 'out.raw');
    const outcome = await convert(image, out, { format: 'raw' }).then(async () => (showsCanary(await readFile(out), canary) ? 'copied the canary' : 'converted'), (err: { code: string }) => err.code);
    expect(outcome).toBe('EUNSAFE');
    expect((await readdir(d)).filter((f) => f.includes('out'))).toEqual([]);
  });

  it.each(ATTACKS)('flatten with the image directory allowed: %s', async (_, build) => {
    const d = await imageDir();
    const image = await build(d);
    const out = path.join(d, 'out.raw');
    const outcome = await flatten(image, out, { format: 'raw', chain: { allowDir: d } }).then(async () => (showsCanary(await readFile(out), canary) ? 'copied the canary' : 'flattened'), (err: { code: string }) => err.code);
    expect(outcome).toBe('EUNSAFE');
  });

  it('names the reference and the option that allows a chain', async () => {
    const d = await imageDir();
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(d, 'base.qcow2'), '1M']);
    const top = await backedImage(path.join(d, 'top.qcow2'), 'base.qcow2', 'qcow2');
    await expect(convert(top, path.join(d, 'out.qcow2'))).rejects.toMatchObject({ code: 'EUNSAFE', path: path.join(d, 'base.qcow2'), message: expect.stringMatching(/base\.qcow2.*chain/) });
    const image = await backedImage(path.join(d, 'evil.qcow2'), canary.path, 'raw');
    await expect(resolveChain(image, { chain: { allowDir: d } })).rejects.toMatchObject({ path: canary.path, message: expect.stringContaining(`outside ${d}`) });
  });

  it('a directory as backing file and a FIFO as extent are refused before anything opens them', async () => {
    const d = await imageDir();
    await mkdir(path.join(d, 'sub'));
    const image = await backedImage(path.join(d, 'a.qcow2'), 'sub', 'raw');
    await expect(resolveChain(image, { chain: { allowDir: d } })).rejects.toMatchObject({ code: 'EUNSAFE', message: expect.stringContaining('directory') });
    await execa('mkfifo', [path.join(d, 'fifo')]);
    const vmdk = await vmdkDescriptor(path.join(d, 'f.vmdk'), ['RW 2048 FLAT "fifo" 0']);
    await expect(resolveChain(vmdk)).rejects.toMatchObject({ code: 'EUNSAFE', message: expect.stringContaining('fifo') });
    await expect(convert(vmdk, path.join(d, 'out.raw'), { format: 'raw' })).rejects.toMatchObject({ code: 'EUNSAFE' });
  });
});

describe('allowed chains still open', () => {
  async function qcow2Chain(d: string): Promise<string[]> {
    const files = ['base', 'mid', 'top'].map((n) => path.join(d, `${n}.qcow2`));
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', files[0]!, '4M']);
    await execa('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x11 0 1M', files[0]!]);
    for (let i = 1; i < files.length; i++) {
      await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.basename(files[i - 1]!), '-F', 'qcow2', files[i]!]);
      await execa('qemu-io', ['-f', 'qcow2', '-c', `write -P 0x2${i} ${i}M 1M`, files[i]!]);
    }
    return files.reverse();
  }

  it('a chain inside the allowed directory, or exactly the chain resolveChain verified', async () => {
    const d = await imageDir();
    const [top, mid, base] = await qcow2Chain(d);
    const chain = await resolveChain(top!, { chain: { allowDir: d } });
    expect(chain.map((l) => l.path)).toEqual([top, mid, base]);
    expect((await imageInfo(top!, { chain })).chain.map((l) => l.filename)).toEqual([top, mid, base]);
    const viaDir = await convert(top!, path.join(d, 'dir.raw'), { format: 'raw', chain: { allowDir: d } });
    const viaChain = await convert(top!, path.join(d, 'exact.raw'), { format: 'raw', chain, verify: 'compare' });
    expect(viaChain.sha256).toBe(viaDir.sha256);
    await execa('qemu-img', ['compare', '-f', 'qcow2', '-F', 'raw', top!, path.join(d, 'exact.raw')]);
    // A chain that is not the one the image names.
    await expect(convert(top!, path.join(d, 'x.raw'), { format: 'raw', chain: [chain[0]!, chain[2]!] })).rejects.toMatchObject({ code: 'EUNSAFE' });
    await expect(convert(top!, path.join(d, 'x.raw'), { format: 'raw', chain: chain.slice(0, 2) })).rejects.toMatchObject({ code: 'EUNSAFE' });
    await expect(convert(mid!, path.join(d, 'x.raw'), { format: 'raw', chain })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('a descriptor vmdk with its extents beside it opens alone', async () => {
    const d = await imageDir();
    const flat = path.join(d, 'flat.vmdk');
    await execa('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentFlat', flat, '16M']);
    expect(await resolveChain(flat)).toHaveLength(1);
    await convert(flat, path.join(d, 'out.qcow2'));
  });

  it('a sparse vmdk whose embedded descriptor names another extent file: the extent is the file itself (FreeBSD mkimg, VMware)', async () => {
    const d = await imageDir();
    const image = path.join(d, 'disk.vmdk');
    await execa('qemu-img', ['create', '-q', '-f', 'vmdk', image, '4M']);
    await execa('qemu-io', ['-f', 'vmdk', '-c', 'write -P 0x5a 0 64k', image]);
    const bytes = await readFile(image);
    const at = bytes.indexOf('RW 8192 SPARSE "disk.vmdk"');
    for (const name of ['disk-s001.vmdk', '/vmfs/volumes/datastore1/vm/vm.vmdk', canary.path]) {
      const line = `RW 8192 SPARSE "${name}"`;
      bytes.fill(0, at, at + 200);
      bytes.write(`${line}\n`, at);
      await writeFile(image, bytes);
      expect(await resolveChain(image)).toEqual([expect.objectContaining({ path: image, format: 'vmdk' })]);
      const out = path.join(d, 'out.raw');
      await convert(image, out, { format: 'raw', overwrite: true });
      expect((await readFile(out)).subarray(0, 65536).every((b) => b === 0x5a)).toBe(true);
    }
  });
});
