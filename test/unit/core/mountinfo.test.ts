import { describe, expect, it } from 'vitest';
import { decodeMountField, parseMountInfo } from '../../../src/core/mountinfo.js';

const SAMPLE = `22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
42 27 0:39 / /tmp/vmcraft-Ab1/disk0.raw rw,nosuid,nodev,relatime - fuse /dev/fuse rw,user_id=0,group_id=0,default_permissions,allow_other
51 22 7:1 / /tmp/vmcraft-Ab1/root rw,relatime shared:30 - ext4 /dev/loop1p2 rw
52 51 7:1 / /tmp/vmcraft-Ab1/root/my\\040dir ro,relatime - xfs /dev/loop1p1 ro,norecovery
`;

describe('parseMountInfo', () => {
  it('reads mount point, options, type and source, with optional fields before the separator', () => {
    const entries = parseMountInfo(SAMPLE);
    expect(entries).toHaveLength(4);
    expect(entries[1]).toEqual({ mountPoint: '/tmp/vmcraft-Ab1/disk0.raw', fsType: 'fuse', source: '/dev/fuse', options: 'rw,nosuid,nodev,relatime' });
    expect(entries[2]).toEqual({ mountPoint: '/tmp/vmcraft-Ab1/root', fsType: 'ext4', source: '/dev/loop1p2', options: 'rw,relatime' });
  });

  it('decodes octal escapes (spaces in mount points)', () => {
    expect(parseMountInfo(SAMPLE)[3]!.mountPoint).toBe('/tmp/vmcraft-Ab1/root/my dir');
    expect(decodeMountField('a\\011b\\134c')).toBe('a\tb\\c');
  });

  it('skips malformed lines', () => {
    expect(parseMountInfo('garbage\n\n1 2 3\n')).toEqual([]);
  });
});
