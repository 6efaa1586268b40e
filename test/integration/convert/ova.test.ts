import { copyFile, mkdir, open, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat, extractOva, readOvfPackage } from '../../../src/convert/index.js';
import { Runner } from '../../../src/core/exec.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { vmwareOvf } from '../../helpers/ovf.js';

let dir: string;
let remove: () => Promise<void>;
const runner = new Runner();
let source: string;

/** A 256 MiB raw disk with random data at a few offsets. */
beforeAll(async () => {
  ({ dir, remove } = await scratchDir('ova'));
  source = path.join(dir, 'source.raw');
  await runner.run('truncate', ['-s', '256M', source]);
  for (const offsetMiB of [0, 100, 247]) {
    await runner.run('dd', ['if=/dev/urandom', `of=${source}`, 'bs=1M', 'count=8', `seek=${offsetMiB}`, 'conv=notrunc', 'status=none']);
  }
});
afterAll(async () => remove());

describe('OVA', () => {

  interface OvaOptions { badDigest?: boolean; evilName?: string; symlink?: boolean; hardlink?: boolean; duplicate?: boolean; noDisk?: boolean; sha1?: boolean; manifestLast?: boolean }

  /** The source as a streamOptimized vmdk, made once and copied into each OVA. */
  let disk: string | undefined;

  async function makeOva(name: string, opts: OvaOptions = {}): Promise<string> {
    const d = path.join(dir, `${name}-src`);
    await mkdir(d);
    if (!disk) {
      disk = path.join(dir, 'ova-disk.vmdk');
      await runner.run('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', source, disk]);
    }
    await copyFile(disk, path.join(d, 'web01-disk1.vmdk'));
    await writeFile(path.join(d, 'web01.ovf'), vmwareOvf('web01-disk1.vmdk', 256));
    const algorithm = opts.sha1 ? 'SHA1' : 'SHA256';
    const digest = async (f: string) => {
      if (opts.badDigest && f.endsWith('.vmdk')) return '0'.repeat(opts.sha1 ? 40 : 64);
      return opts.sha1 ? (await runner.run('sha1sum', [path.join(d, f)])).stdout.slice(0, 40) : sha256File(path.join(d, f));
    };
    const listed = opts.noDisk ? ['web01.ovf'] : ['web01.ovf', 'web01-disk1.vmdk'];
    await writeFile(path.join(d, 'web01.mf'), (await Promise.all(listed.map(async (f) => `${algorithm}(${f})= ${await digest(f)}\n`))).join(''));
    const members = opts.noDisk ? ['web01.ovf', 'web01.mf'] : opts.manifestLast ? ['web01.ovf', 'web01-disk1.vmdk', 'web01.mf'] : ['web01.ovf', 'web01.mf', 'web01-disk1.vmdk'];
    if (opts.symlink) {
      await runner.run('ln', ['-s', '/etc/shadow', path.join(d, 'evil-link')]);
      members.push('evil-link');
    }
    if (opts.hardlink) {
      await runner.run('ln', [path.join(d, 'web01-disk1.vmdk'), path.join(d, 'hard.vmdk')]);
      members.push('hard.vmdk');
    }
    const ova = path.join(dir, `${name}.ova`);
    await runner.run('tar', ['-C', d, '--format=ustar', '-cf', ova, ...members]);
    if (opts.evilName) await runner.run('tar', ['-C', d, '--format=ustar', '-rf', ova, '--transform', `s|^web01.ovf$|${opts.evilName}|`, '-P', 'web01.ovf']);
    if (opts.duplicate) await runner.run('tar', ['-C', d, '--format=ustar', '-rf', ova, '--transform', 's|^|sub/|', 'web01-disk1.vmdk']);
    return ova;
  }

  it('extracts the disks of an OVA, checks the manifest and reads the OVF', async () => {
    const ova = await makeOva('good');
    const out = path.join(dir, 'good-out');
    const contents = await extractOva(ova, out);
    expect(contents.manifestVerified).toBe(true);
    expect(contents.ovfName).toBe('web01.ovf');
    expect(contents.files.map((f) => f.name)).toEqual(['web01.ovf', 'web01.mf', 'web01-disk1.vmdk']);
    expect(contents.files[2]!.sha256).toBe(await sha256File(path.join(out, 'web01-disk1.vmdk')));
    expect(contents.disks.map((disk) => disk.path)).toEqual([path.join(out, 'web01-disk1.vmdk')]);
    expect((await readdir(out)).sort()).toEqual(['web01-disk1.vmdk', 'web01.mf', 'web01.ovf']);
    expect(contents.descriptor).toEqual({
      name: 'web01',
      files: [{ id: 'file1', href: 'web01-disk1.vmdk', size: 1234 }],
      disks: [{ id: 'vmdisk1', fileRef: 'file1', href: 'web01-disk1.vmdk', capacityBytes: 256 * 1024 * 1024, format: 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized' }],
      cpus: 2,
      memoryMiB: 4096,
      firmware: 'efi',
      nics: [{ type: 'VmxNet3', network: 'VM Network', mac: '00:50:56:8e:11:22' }],
      osType: 'debian11_64Guest',
      osId: 96,
      osDescription: 'Debian GNU/Linux 11 (64-bit)',
      virtualSystemType: 'vmx-19',
    });
    expect((await detectFormat(ova)).format).toBe('ova');
    await runner.run('qemu-img', ['compare', '-f', 'raw', '-F', 'vmdk', source, path.join(out, 'web01-disk1.vmdk')]);
  });

  it.each([
    ['SHA1, manifest before the disk', { sha1: true }],
    ['SHA1, manifest after the disk', { sha1: true, manifestLast: true }],
    ['SHA256, manifest after the disk', { manifestLast: true }],
  ] as const)('verifies a manifest with %s', async (label, opts) => {
    const name = label.replace(/\W+/g, '-');
    const contents = await extractOva(await makeOva(name, opts), path.join(dir, `${name}-out`));
    expect(contents.manifestVerified).toBe(true);
    expect(contents.disks[0]!.path).toBe(path.join(dir, `${name}-out`, 'web01-disk1.vmdk'));
  });

  it('reads an unpacked OVF package: disks resolved beside the .ovf, manifest checked', async () => {
    const pkg = path.join(dir, 'good-out');
    const read = await readOvfPackage(path.join(pkg, 'web01.ovf'));
    expect(read).toMatchObject({ manifestVerified: true, descriptor: { name: 'web01' } });
    expect(read.disks.map((d) => d.path)).toEqual([path.join(pkg, 'web01-disk1.vmdk')]);
    const tampered = path.join(dir, 'tampered-pkg');
    await runner.run('cp', ['-r', pkg, tampered]);
    // Flip one byte (zeroing it would change nothing where it already was zero: a 1-in-256 flake).
    const disk = await open(path.join(tampered, 'web01-disk1.vmdk'), 'r+');
    const byte = Buffer.alloc(1);
    await disk.read(byte, 0, 1, 70000);
    await disk.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, 70000);
    await disk.close();
    await expect(readOvfPackage(path.join(tampered, 'web01.ovf'))).rejects.toMatchObject({ code: 'ECHECKSUM', message: expect.stringContaining('web01-disk1.vmdk') });
    await runner.run('rm', [path.join(tampered, 'web01-disk1.vmdk'), path.join(tampered, 'web01.mf')]);
    await expect(readOvfPackage(path.join(tampered, 'web01.ovf'))).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(path.join(tampered, 'web01.ovf'), vmwareOvf('../../etc/passwd', 256));
    await expect(readOvfPackage(path.join(tampered, 'web01.ovf'))).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining('unsafe') });
  });

  it('gives ENOENT for a missing OVA and EEXIST for an existing destination', async () => {
    await expect(extractOva(path.join(dir, 'nope.ova'), path.join(dir, 'nope-out'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(extractOva(path.join(dir, 'good.ova'), path.join(dir, 'good-out'))).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it.each([
    ['a bad manifest digest', { badDigest: true }, 'ECHECKSUM'],
    ['a ../ member', { evilName: '../escape.ovf' }, 'EFORMAT'],
    ['an absolute member', { evilName: '/tmp/abs.ovf' }, 'EFORMAT'],
    ['a symlink member', { symlink: true }, 'EFORMAT'],
    ['a hardlink member', { hardlink: true }, 'EFORMAT'],
    ['two members of the same name', { duplicate: true }, 'EFORMAT'],
    ['no file for the OVF disk', { noDisk: true }, 'EFORMAT'],
    ['a bad SHA1 digest in a manifest after the disks', { sha1: true, badDigest: true, manifestLast: true }, 'ECHECKSUM'],
  ] as const)('refuses an OVA with %s and leaves nothing behind', async (label, opts, code) => {
    const name = label.replace(/\W+/g, '-');
    const ova = await makeOva(name, opts);
    const out = path.join(dir, `${name}-out`);
    await expect(extractOva(ova, out)).rejects.toMatchObject({ code });
    expect((await readdir(dir)).filter((f) => f.startsWith(`${name}-out`))).toEqual([]);
    expect((await readdir(path.dirname(dir))).filter((f) => f === 'escape.ovf')).toEqual([]);
  });
});
