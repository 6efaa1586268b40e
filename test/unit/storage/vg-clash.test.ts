/**
 * vgOfDmDevice: which active dm devices make the LVM layer refuse a guest VG
 * (EATTACH, "already active on this host"). Only LVM's devices, by the VG part
 * of their name; a prefix match on /dev/mapper names took the session's own
 * LUKS mapping luks-<UUID> for an active VG "luks" (LVM on LUKS, seen in the VM
 * harness) and a host VG "debian-vg" for a guest VG "debian".
 */
import { describe, expect, it } from 'vitest';
import { dmName, vgOfDmDevice } from '../../../src/storage/lvm.js';

const VG_ID = 'ezHDAooJNrjpnL4KMmHE1T8O6X77Yxkb';
const LV_ID = 'Qm1x4cA0d3Vn9Kz2Jc8Hq7Wt5Ry6Ue0P';
const lv = (name: string, suffix = '') => ({ name, uuid: `LVM-${VG_ID}${LV_ID}${suffix}` });

describe('vgOfDmDevice', () => {
  it('gives the VG of an LV', () => {
    expect(vgOfDmDevice(lv('vmcraftvg-root'))).toBe('vmcraftvg');
    expect(vgOfDmDevice(lv(dmName('my-vg', 'my-lv')))).toBe('my-vg');
  });

  it('reads doubled dashes as part of the VG name: debian--vg-root is VG debian-vg, not debian', () => {
    expect(vgOfDmDevice(lv('debian--vg-root'))).toBe('debian-vg');
    expect(vgOfDmDevice(lv('debian--vg-root'))).not.toBe('debian');
  });

  it('gives the VG of an LV layer (a snapshot origin -real, a thin pool _tdata)', () => {
    expect(vgOfDmDevice(lv('vg0-root-real', '-real'))).toBe('vg0');
    expect(vgOfDmDevice(lv('vg0-pool_tdata', '-tpool'))).toBe('vg0');
  });

  it('ignores dm devices LVM did not make: a LUKS mapping named luks-<UUID>, a plain dmsetup device', () => {
    const luks = { name: 'luks-5a1e0001-7c3d-4b1e-9a51-000000000001', uuid: 'CRYPT-LUKS2-5a1e00017c3d4b1e9a51000000000001-luks-5a1e0001-7c3d-4b1e-9a51-000000000001' };
    expect(vgOfDmDevice(luks)).toBeUndefined();
    expect(vgOfDmDevice({ name: 'luks-root', uuid: '' })).toBeUndefined();
  });

  it('gives nothing for an LVM name without a single dash', () => {
    expect(vgOfDmDevice(lv('odd--name'))).toBeUndefined();
  });
});
