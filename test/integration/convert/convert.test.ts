import { writeFile, readdir, stat, readFile, mkdir, copyFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, convertArgs, detectFormat, extractOva, flatten, imageInfo, readOvfPackage, resolveChain, type OutputFormat, type ProgressEvent } from '../../../src/convert/index.js';
import { Runner, type RunOptions } from '../../../src/core/exec.js';
import { VmcraftError } from '../../../src/core/errors.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let source: string;
const runner = new Runner();

/** A 256 MiB raw image with random data at a few offsets, so conversions have work to do. */
async function makeSource(file: string, sizeMiB = 256): Promise<void> {
  await runner.run('truncate', ['-s', `${sizeMiB}M`, file]);
  for (const offsetMiB of [0, 17, 100, sizeMiB - 9]) {
    await runner.run('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=8', `seek=${offsetMiB}`, 'conv=notrunc', 'status=none']);
  }
}

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('convert'));
  source = path.join(dir, 'source.raw');
  await makeSource(source);
});
afterAll(async () => remove());

describe('convert', () => {
  it.each([
    ['qcow2', {}], ['qcow2', { compress: true }], ['qcow2', { preallocation: 'metadata', clusterSize: 2 ** 21 }],
    ['vmdk', { subformat: 'monolithicSparse' }], ['vmdk', { subformat: 'streamOptimized' }], ['vmdk', { subformat: 'monolithicFlat' }],
    ['vmdk', { subformat: 'twoGbMaxExtentSparse' }], ['vmdk', { subformat: 'twoGbMaxExtentFlat' }],
    ['vhdx', {}], ['vhd', {}], ['vhd', { subformat: 'fixed' }], ['vdi', {}], ['qed', {}], ['parallels', {}], ['raw', {}],
  ] as [OutputFormat, object][])('raw → %s %o → qcow2, verified by content both ways', async (format, extra) => {
    const sub = path.join(dir, `to-${format}-${Object.values(extra).join('-')}`);
    await mkdir(sub);
    const out = path.join(sub, `out.${format}`);
    const result = await convert(source, out, { format, ...extra, verify: 'compare' });
    expect(result).toMatchObject({ output: out, format, sourceFormat: 'raw', virtualSize: 256 * 1024 * 1024, verified: 'compare' });
    expect(result.sha256).toBe(await sha256File(out));
    expect(result.size).toBe((await stat(out)).size);
    expect((await detectFormat(out)).format).toBe(format);
    // Extents of descriptor-based vmdks carry the output's name, and no temp file is left over.
    expect((await readdir(sub)).filter((f) => f.startsWith('.'))).toEqual([]);
    if (format === 'vmdk' && /Flat|twoGb/.test(String((extra as { subformat?: string }).subformat))) {
      expect((await readdir(sub)).every((f) => f.startsWith('out'))).toBe(true);
      expect((await readdir(sub)).length).toBeGreaterThan(1);
    }
    // And back: the format as an input, detected from its content.
    const back = await convert(out, path.join(sub, 'back.qcow2'), { verify: 'check' });
    expect(back.sourceFormat).toBe(format);
    await runner.run('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', source, path.join(sub, 'back.qcow2')]);
  });

  it('retries a conversion that failed on a transient lock, and not one that failed for good', async () => {
    /** A real runner whose first `qemu-img convert` fails as a held image lock would (qemu's own message). */
    function lockedOnce(stderr: string): Runner & { converts: number } {
      const runner = Object.assign(new Runner(), { converts: 0 });
      const real = runner.run.bind(runner);
      runner.run = (async (file: string, args: readonly string[], options?: RunOptions) => {
        if (file === 'qemu-img' && args[0] === 'convert' && runner.converts++ === 0) {
          throw new VmcraftError('ECOMMAND', 'qemu-img convert failed with exit code 1', { command: { command: 'qemu-img convert', argv: ['qemu-img', ...args], exitCode: 1, stderr, durationMs: 5 } });
        }
        return real(file, args, options);
      }) as Runner['run'];
      return runner;
    }
    const transient = lockedOnce('qemu-img: Could not open \'/x\': Failed to get shared "write" lock\nIs another process using the image [/x]?');
    await convert(source, path.join(dir, 'retried.qcow2'), { runner: transient, checksum: false });
    expect(transient.converts).toBe(2);
    const permanent = lockedOnce('qemu-img: error while writing at byte 0: No space left on device');
    await expect(convert(source, path.join(dir, 'not-retried.qcow2'), { runner: permanent })).rejects.toMatchObject({ code: 'ECOMMAND' });
    expect(permanent.converts).toBe(1);
    expect((await readdir(dir)).filter((f) => f.includes('not-retried'))).toEqual([]);
  });

  it('reports a missing backing file as ECHAIN (qemu-img info runs beside the conversion) and leaves nothing', async () => {
    const d = path.join(dir, 'orphan');
    await mkdir(d);
    await runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', 'gone.qcow2', '-F', 'qcow2', path.join(d, 'child.qcow2'), '64M']);
    await expect(convert(path.join(d, 'child.qcow2'), path.join(d, 'out.qcow2'))).rejects.toMatchObject({ code: 'ECHAIN' });
    expect(await readdir(d)).toEqual(['child.qcow2']);
  });

  it('refuses a missing target directory, and converting an image onto itself', async () => {
    await expect(convert(source, path.join(dir, 'no-such-dir', 'x.qcow2'))).rejects.toMatchObject({ code: 'ENOENT' });
    const self = path.join(dir, 'self.qcow2');
    await convert(source, self);
    await expect(convert(self, self, { overwrite: true })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('onto itself') });
    expect((await detectFormat(self)).format).toBe('qcow2');
  });

  it('reports progress in order, ending at 100, with bytes, rate and ETA', async () => {
    const events: ProgressEvent[] = [];
    await convert(source, path.join(dir, 'progress.qcow2'), { onProgress: (e) => events.push(e) });
    expect(events.length).toBeGreaterThan(2);
    expect(events.map((e) => e.percent)).toEqual([...events.map((e) => e.percent)].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ percent: 100, bytes: 256 * 1024 * 1024, totalBytes: 256 * 1024 * 1024 });
    expect(events.some((e) => e.rateBytesPerSecond > 0)).toBe(true);
  });

  it('never overwrites unless told, and replaces atomically when told', async () => {
    const out = path.join(dir, 'exists.qcow2');
    await writeFile(out, 'precious');
    await expect(convert(source, out)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(out, 'utf8')).toBe('precious');
    await convert(source, out, { overwrite: true, verify: 'check' });
    expect((await detectFormat(out)).format).toBe('qcow2');
  });

  it('an abort mid-way leaves no partial output and no temp file', async () => {
    const big = path.join(dir, 'big.raw');
    await makeSource(big, 1024);
    const out = path.join(dir, 'aborted', 'out.qcow2');
    await mkdir(path.dirname(out));
    const controller = new AbortController();
    const p = convert(big, out, { compress: true, signal: controller.signal, onProgress: (e) => e.percent > 1 && controller.abort() });
    await expect(p).rejects.toMatchObject({ code: 'EABORTED' });
    expect(await readdir(path.dirname(out))).toEqual([]);
  });

  it('builds argv without running anything', () => {
    expect(convertArgs('/a.vmdk', 'vmdk', '/t', { format: 'qcow2', compress: true, sparse: false, threads: 4, clusterSize: 2 ** 21, preallocation: 'metadata' })).toEqual([
      'convert', '-p', '-f', 'vmdk', '-O', 'qcow2', '-c', '-S', '0', '-m', '4', '-o', 'preallocation=metadata,cluster_size=2097152', '/a.vmdk', '/t',
    ]);
    expect(() => convertArgs('/a', 'raw', '/t', { threads: 99 })).toThrow(/1 to 16, got `99`/);
  });

  it('gives typed errors for unreadable input', async () => {
    const bad = path.join(dir, 'bad.qcow2');
    await writeFile(bad, (await readFile(path.join(dir, 'progress.qcow2'))).subarray(0, 300));
    await expect(convert(bad, path.join(dir, 'never.qcow2'))).rejects.toMatchObject({ code: 'EFORMAT' });
    expect((await readdir(dir)).filter((f) => f.includes('never'))).toEqual([]);
  });
});

describe('imageInfo', () => {
  it('gives a typed result of qemu-img info', async () => {
    const info = await imageInfo(path.join(dir, 'progress.qcow2'));
    expect(info).toMatchObject({ format: 'qcow2', virtualSize: 256 * 1024 * 1024, dirty: false, encrypted: false, clusterSize: 65536 });
    expect(info.formatSpecific?.type).toBe('qcow2');
    expect(info.chain).toHaveLength(1);
  });
});

describe('snapshot chains', () => {
  async function chainOf(format: 'qcow2' | 'vmdk', sub: string): Promise<string[]> {
    const d = path.join(dir, sub);
    await mkdir(d);
    const files = ['base', 's1', 's2', 's3'].map((n) => path.join(d, `${n}.${format}`));
    await runner.run('qemu-img', ['create', '-q', '-f', format, files[0]!, '64M']);
    await runner.run('qemu-io', ['-f', format, '-c', 'write -P 0x11 0 1M', files[0]!]);
    for (let i = 1; i < files.length; i++) {
      await runner.run('qemu-img', ['create', '-q', '-f', format, '-b', path.basename(files[i - 1]!), '-F', format, files[i]!]);
      await runner.run('qemu-io', ['-f', format, '-c', `write -P 0x${(0x20 + i).toString(16)} ${i}M 1M`, files[i]!]);
    }
    return files;
  }

  it.each(['qcow2', 'vmdk'] as const)('resolves, verifies and flattens a chain of 3 snapshots (%s)', async (format) => {
    const files = await chainOf(format, `chain-${format}`);
    const chain = await resolveChain(files[3]!);
    expect(chain.map((l) => path.basename(l.path))).toEqual(['s3', 's2', 's1', 'base'].map((n) => `${n}.${format}`));
    if (format === 'vmdk') expect(chain.every((l) => l.cid && l.parentCid)).toBe(true);
    const flat = path.join(dir, `flat-${format}.qcow2`);
    const result = await flatten(files[3]!, flat);
    expect(result.chain).toHaveLength(4);
    expect((await imageInfo(flat)).backingFilename).toBeUndefined();
    await runner.run('qemu-img', ['compare', '-f', format, '-F', 'qcow2', files[3]!, flat]);
  });

  it('reports a missing parent, a CID mismatch and a loop as ECHAIN', async () => {
    const files = await chainOf('vmdk', 'broken-vmdk');
    await copyFile(files[1]!, `${files[1]}.bak`);
    await runner.run('rm', [files[1]!]);
    await expect(resolveChain(files[3]!)).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('s1.vmdk of') });
    await copyFile(`${files[1]}.bak`, files[1]!);
    // Writing to the parent after the snapshot changes its CID.
    await runner.run('qemu-io', ['-f', 'vmdk', '-c', 'write -P 0x99 0 4k', files[2]!]);
    await expect(resolveChain(files[3]!)).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('expects its parent') });
    const q = await chainOf('qcow2', 'loop-qcow2');
    await runner.run('qemu-img', ['rebase', '-u', '-f', 'qcow2', '-b', 's3.qcow2', '-F', 'qcow2', q[0]!]);
    await expect(resolveChain(q[3]!)).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('loops') });
  });

  it('reports a missing vmdk extent, a backing format that lies about its content, and a non-file backing', async () => {
    const d = path.join(dir, 'odd-chains');
    await mkdir(d);
    const flat = path.join(d, 'flat.vmdk');
    await runner.run('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', flat, '16M']);
    expect(await resolveChain(flat)).toHaveLength(1);
    await runner.run('rm', [path.join(d, 'flat-flat.vmdk')]);
    await expect(resolveChain(flat)).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('extent flat-flat.vmdk') });
    const base = path.join(d, 'base.qcow2');
    await runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', base, '16M']);
    const liar = path.join(d, 'liar.qcow2');
    await runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', 'base.qcow2', '-F', 'raw', liar, '16M']);
    await expect(resolveChain(liar)).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('says its backing file') });
    const remote = path.join(d, 'remote.qcow2');
    await runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', 'nbd://example.invalid/disk', '-F', 'raw', remote, '16M']);
    await expect(resolveChain(remote)).rejects.toMatchObject({ code: 'EUNSUPPORTED' });
  });
});

describe('OVA', () => {
  const OVF = (disk: string) => `<?xml version="1.0" encoding="UTF-8"?>
<Envelope vmw:buildId="build-1" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References><File ovf:href="${disk}" ovf:id="file1" ovf:size="1234"/></References>
  <DiskSection><Info>Virtual disk information</Info>
    <Disk ovf:capacity="256" ovf:capacityAllocationUnits="byte * 2^20" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection><Info>The list of logical networks</Info><Network ovf:name="VM Network"/></NetworkSection>
  <VirtualSystem ovf:id="web01">
    <Info>A virtual machine</Info><Name>web01</Name>
    <OperatingSystemSection ovf:id="96" vmw:osType="debian11_64Guest"><Info>The kind of installed guest operating system</Info><Description>Debian GNU/Linux 11 (64-bit)</Description></OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System><vssd:ElementName>Virtual Hardware Family</vssd:ElementName><vssd:VirtualSystemType>vmx-19</vssd:VirtualSystemType></System>
      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:ElementName>2 virtual CPU(s)</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>4096MB of memory</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>4096</rasd:VirtualQuantity></Item>
      <Item><rasd:AddressOnParent>0</rasd:AddressOnParent><rasd:ElementName>Hard disk 1</rasd:ElementName><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>6</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
      <Item><rasd:Address>00:50:56:8e:11:22</rasd:Address><rasd:AutomaticAllocation>true</rasd:AutomaticAllocation><rasd:Connection>VM Network</rasd:Connection><rasd:ElementName>Network adapter 1</rasd:ElementName><rasd:InstanceID>7</rasd:InstanceID><rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType><rasd:ResourceType>10</rasd:ResourceType></Item>
      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;

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
    await writeFile(path.join(d, 'web01.ovf'), OVF('web01-disk1.vmdk'));
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
    await runner.run('dd', ['if=/dev/zero', `of=${path.join(tampered, 'web01-disk1.vmdk')}`, 'bs=1', 'count=1', 'seek=70000', 'conv=notrunc', 'status=none']);
    await expect(readOvfPackage(path.join(tampered, 'web01.ovf'))).rejects.toMatchObject({ code: 'ECHECKSUM', message: expect.stringContaining('web01-disk1.vmdk') });
    await runner.run('rm', [path.join(tampered, 'web01-disk1.vmdk'), path.join(tampered, 'web01.mf')]);
    await expect(readOvfPackage(path.join(tampered, 'web01.ovf'))).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(path.join(tampered, 'web01.ovf'), OVF('../../etc/passwd'));
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
