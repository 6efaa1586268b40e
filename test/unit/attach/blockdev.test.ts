import { describe, expect, it } from 'vitest';
import { chainBlockdev, chainFilename } from '../../../src/attach/blockdev.js';
import { normalizeChainPolicy } from '../../../src/attach/references.js';

describe('chainBlockdev', () => {
  it('gives every image of a chain with its file and format, parents read-only, the last backing null', () => {
    const node = chainBlockdev([{ path: '/vm/top.qcow2', format: 'qcow2' }, { path: '/vm/s1.vmdk', format: 'vmdk' }, { path: '/dev/vg/base', format: 'raw', blockDevice: true }], false);
    expect(node).toEqual({
      driver: 'qcow2', 'read-only': false, file: { driver: 'file', filename: '/vm/top.qcow2', 'read-only': false },
      backing: {
        driver: 'vmdk', 'read-only': true, file: { driver: 'file', filename: '/vm/s1.vmdk', 'read-only': true },
        backing: { driver: 'raw', 'read-only': true, file: { driver: 'host_device', filename: '/dev/vg/base', 'read-only': true } },
      },
    });
  });

  it('opens a qcow2, qed or vmdk alone with backing null; formats without a backing get none', () => {
    for (const format of ['qcow2', 'qed', 'vmdk'] as const) expect(chainBlockdev([{ path: '/a', format }], true).backing).toBeNull();
    for (const format of ['raw', 'vhdx', 'vdi', 'vhd', 'parallels'] as const) expect(chainBlockdev([{ path: '/a', format }], true)).not.toHaveProperty('backing');
    expect(chainBlockdev([{ path: '/a.vhd', format: 'vhd' }], true).driver).toBe('vpc');
  });

  it('refuses a parent under a format qemu opens without one (a VHD chain must be merged)', () => {
    expect(() => chainBlockdev([{ path: '/top.vhd', format: 'vhd' }, { path: '/base.vhd', format: 'vhd' }], true)).toThrow(expect.objectContaining({ code: 'EUNSUPPORTED' }));
  });

  it('writes a json: file name', () => {
    expect(chainFilename([{ path: '/a b,c.qcow2', format: 'qcow2' }], true)).toBe('json:{"driver":"qcow2","read-only":true,"file":{"driver":"file","filename":"/a b,c.qcow2","read-only":true},"backing":null}');
  });
});

describe('normalizeChainPolicy', () => {
  it('takes none, { allowDir } and a list of { path }', () => {
    expect(normalizeChainPolicy(undefined)).toBe('none');
    expect(normalizeChainPolicy('none')).toBe('none');
    expect(normalizeChainPolicy({ allowDir: '/vms' })).toEqual({ allowDir: '/vms' });
    const chain = [{ path: '/vms/top.qcow2', format: 'qcow2' }, { path: '/vms/base.qcow2', format: 'qcow2' }];
    expect(normalizeChainPolicy(chain)).toBe(chain);
  });

  it.each([['all'], [true], [{}], [{ allowDir: '' }], [{ allowDir: '/vms', extra: 1 }], [[]], [['/vms/top.qcow2']], [null]])('refuses %j with EINVAL quoting it', (value) => {
    expect(() => normalizeChainPolicy(value)).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining(`got \`${JSON.stringify(value)}\``) }));
  });
});
