import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocationUnits, parseManifest, parseOvf } from '../../../src/convert/ovf.js';
import { safeMemberName } from '../../../src/convert/ova.js';

const SAMPLES = path.join(import.meta.dirname, '../../fixtures/samples/convert');
const sample = (name: string) => readFile(path.join(SAMPLES, name), 'utf8');

describe('parseOvf', () => {
  it('reads a VMware ovftool descriptor: two disks, two NICs, EFI with Secure Boot', async () => {
    expect(parseOvf(await sample('ovf-vmware.ovf'))).toEqual({
      name: 'win2019',
      files: [
        { id: 'file1', href: 'win2019-disk1.vmdk', size: 9876543210 },
        { id: 'file2', href: 'win2019-disk2.vmdk', size: 68608 },
        { id: 'file3', href: 'win2019-file1.nvram', size: 270840 },
      ],
      disks: [
        { id: 'vmdisk1', fileRef: 'file1', href: 'win2019-disk1.vmdk', capacityBytes: 60 * 2 ** 30, format: 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized', populatedSize: 21474836480 },
        { id: 'vmdisk2', fileRef: 'file2', href: 'win2019-disk2.vmdk', capacityBytes: 512 * 2 ** 20, format: 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized', populatedSize: 0 },
      ],
      cpus: 4,
      memoryMiB: 8192,
      firmware: 'efi',
      secureBoot: true,
      nics: [{ type: 'VmxNet3', network: 'VM Network' }, { type: 'E1000e', network: 'Backup' }],
      osType: 'windows2019srv_64Guest',
      osId: 112,
      osDescription: 'Microsoft Windows Server 2019 (64-bit)',
      virtualSystemType: 'vmx-15',
    });
  });

  it('reads a VirtualBox descriptor: capacity in bytes, memory in MegaBytes, EFI from the vbox machine section', async () => {
    const d = parseOvf(await sample('ovf-virtualbox.ovf'));
    expect(d).toMatchObject({ cpus: 2, memoryMiB: 2048, firmware: 'efi', osType: 'Ubuntu_64', osId: 94, virtualSystemType: 'virtualbox-2.2' });
    expect(d.disks).toEqual([{ id: 'vmdisk1', fileRef: 'file1', href: 'ubuntu22-disk001.vmdk', capacityBytes: 26843545600, format: 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized' }]);
    expect(d.nics).toEqual([{ type: 'E1000', network: 'NAT' }]);
    expect(d.secureBoot).toBeUndefined();
    expect(d.name).toBeUndefined();
  });

  it('defaults to BIOS and refuses broken XML, a non-OVF root and a capacity that is no number', () => {
    expect(parseOvf('<Envelope><VirtualSystem ovf:id="x"><VirtualHardwareSection/></VirtualSystem></Envelope>')).toMatchObject({ firmware: 'bios', disks: [], nics: [], files: [] });
    expect(() => parseOvf('<Envelope><References></Envelope>')).toThrow(/not well-formed XML/);
    expect(() => parseOvf('<domain type="kvm"/>')).toThrow(/no Envelope element/);
    expect(() => parseOvf('<Envelope><DiskSection><Disk ovf:diskId="d1" ovf:capacity="${disk.size}"/></DiskSection></Envelope>')).toThrow(expect.objectContaining({ code: 'EFORMAT', message: expect.stringContaining('d1 has a capacity that is not a number') }));
  });
});

describe('allocationUnits', () => {
  it.each([
    [undefined, 1], ['byte', 1], ['byte * 2^20', 2 ** 20], ['byte * 2^30', 2 ** 30], ['byte*2^10', 1024], ['byte * 512', 512], ['MegaBytes', 2 ** 20], ['GigaBytes', 2 ** 30], ['KiloBytes', 1024],
  ])('%s → %d', (units, bytes) => expect(allocationUnits(units)).toBe(bytes));
});

describe('parseManifest', () => {
  it('reads SHA1 and SHA256 lines of an ovftool manifest, lowercasing the digests', async () => {
    expect(parseManifest(await sample('manifest-ovftool.mf'))).toEqual([
      { algorithm: 'sha256', file: 'win2019.ovf', digest: '0f4b8b0d3c5e8b1b3b4a4b6c4b5e0b4f3f0c5d4e3c2b1a09f8e7d6c5b4a39281' },
      { algorithm: 'sha256', file: 'win2019-disk1.vmdk', digest: '7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730' },
      { algorithm: 'sha1', file: 'win2019-file1.nvram', digest: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
    ]);
    expect(parseManifest('SHA1 (a b.vmdk) = ABCDEF\r\nnot a line\n')).toEqual([{ algorithm: 'sha1', file: 'a b.vmdk', digest: 'abcdef' }]);
  });
});

describe('safeMemberName', () => {
  it('accepts plain relative names and refuses escapes', () => {
    expect(safeMemberName('./disk1.vmdk')).toBe('disk1.vmdk');
    expect(safeMemberName('vm/disk1.vmdk')).toBe('vm/disk1.vmdk');
    for (const evil of ['../escape', 'a/../../b', '/etc/passwd', '', 'a\0b', '..']) {
      expect(() => safeMemberName(evil)).toThrow(expect.objectContaining({ code: 'EFORMAT' }));
    }
  });
});
