import { describe, expect, it } from 'vitest';
import { parseGuestDeviceName, resolveFstabSpec } from '../../../src/inspect/fstab-devices.js';
import type { BlockDevice } from '../../../src/storage/types.js';

function dev(name: string, drive: number, partNumber: number | undefined, probe: Partial<BlockDevice['probe']>): BlockDevice {
  return { name, hostPath: `/dev/loop9${partNumber ? `p${partNumber}` : ''}`, kind: partNumber ? 'partition' : 'disk', drive, ...(partNumber ? { partNumber } : {}), probe: { raw: {}, ...probe } };
}

const DEVICES: BlockDevice[] = [
  dev('/dev/sda', 0, undefined, { ptType: 'gpt' }),
  dev('/dev/sda1', 0, 1, { type: 'ext4', uuid: '0f3c5d2e-1a2b-4c3d-8e9f-001122334455', label: 'boot', partEntry: { scheme: 'gpt', number: 1, uuid: 'ef957af0-7b1e-dc4f-9bd9-ae3150d2044a', name: 'EFI system', offsetSectors: 2048, sizeSectors: 1 } }),
  dev('/dev/sda2', 0, 2, { type: 'xfs', uuid: 'a1b2', label: 'my root' }),
  dev('/dev/sdb', 1, undefined, { type: 'btrfs', uuid: 'c3d4', label: 'home' }),
];

describe('parseGuestDeviceName', () => {
  it.each([
    ['/dev/sda1', { drive: 0, partition: 1 }],
    ['/dev/vdb', { drive: 1 }],
    ['/dev/xvda2', { drive: 0, partition: 2 }],
    ['/dev/hdc3', { drive: 2, partition: 3 }],
    ['/dev/sdaa1', { drive: 26, partition: 1 }],
    ['/dev/nvme0n1p2', { drive: 0, partition: 2 }],
    ['/dev/nvme1n1', { drive: 1 }],
  ])('%s → %o', (name, expected) => {
    expect(parseGuestDeviceName(name)).toEqual(expected);
  });

  it('does not take other names', () => {
    expect(parseGuestDeviceName('/dev/mapper/vg-root')).toBeUndefined();
    expect(parseGuestDeviceName('/dev/sda1x')).toBeUndefined();
  });
});

describe('resolveFstabSpec', () => {
  it.each([
    ['UUID=0f3c5d2e-1a2b-4c3d-8e9f-001122334455', '/dev/sda1'],
    ['UUID=0F3C5D2E-1A2B-4C3D-8E9F-001122334455', '/dev/sda1'],
    ['LABEL=home', '/dev/sdb'],
    ['LABEL="my root"', '/dev/sda2'],
    ['PARTUUID=EF957AF0-7B1E-DC4F-9BD9-AE3150D2044A', '/dev/sda1'],
    ['PARTLABEL=EFI system', '/dev/sda1'],
    ['/dev/disk/by-uuid/a1b2', '/dev/sda2'],
    ['/dev/disk/by-label/my\\x20root', '/dev/sda2'],
    ['/dev/disk/by-partuuid/ef957af0-7b1e-dc4f-9bd9-ae3150d2044a', '/dev/sda1'],
    ['/dev/vda2', '/dev/sda2'],
    ['/dev/xvdb', '/dev/sdb'],
    ['/dev/nvme0n1p1', '/dev/sda1'],
    ['/dev/sda2', '/dev/sda2'],
  ])('%s → %s', (spec, device) => {
    expect(resolveFstabSpec(spec, DEVICES)?.name).toBe(device);
  });

  it('maps a crypttab name to the LUKS device opened from its source, whatever the mapping is called', () => {
    const luks = dev('/dev/sdb1', 1, 1, { type: 'crypto_LUKS', uuid: '6f0f5e1a-0000-4000-8000-00000000beef' });
    const opened = { ...dev('/dev/mapper/luks-6f0f5e1a-0000-4000-8000-00000000beef', 1, undefined, { type: 'ext4' }), kind: 'crypt' as const, parent: '/dev/sdb1' };
    const crypttab = [{ name: 'sdb1_crypt', source: 'UUID=6f0f5e1a-0000-4000-8000-00000000beef', keyFile: 'none', options: ['luks'] }];
    expect(resolveFstabSpec('/dev/mapper/sdb1_crypt', [...DEVICES, luks, opened], crypttab)).toBe(opened);
    expect(resolveFstabSpec('/dev/mapper/sdb1_crypt', [...DEVICES, luks], crypttab)).toBeUndefined();
  });

  it.each(['UUID=ffff', 'LABEL=nope', '/dev/sdc1', 'server:/export', 'tmpfs', '/dev/disk/by-id/ata-XYZ', '/dev/sda7'])('%s names no device', (spec) => {
    expect(resolveFstabSpec(spec, DEVICES)).toBeUndefined();
  });
});
