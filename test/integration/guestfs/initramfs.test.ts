import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestFS } from '../../../src/index.js';
import { writableGuest, type WritableGuest } from '../../helpers/writable-guest.js';

let g: GuestFS;
let session: WritableGuest;

beforeAll(async () => {
  session = await writableGuest('initramfs', 'debianKernel');
  g = session.g;
});
afterAll(async () => session.close());

describe('the initramfs fixer on a Debian guest with a real kernel', () => {
  it("adds the virtio drivers and regenerates every kernel's initramfs with the guest's update-initramfs", async () => {
    const [initrd] = await g.globExpand('/boot/initrd.img-*');
    const lsinitramfs = () => g.sh(`lsinitramfs ${initrd} | grep -E 'virtio_(blk|scsi|net|pci)\\.ko' | sed 's|.*/||' | sort`);
    const before = (await g.stat(initrd!)).mtime.getTime();
    const [plan] = await g.fixPlan(['initramfs']);
    expect(plan!.changes[0]).toMatchObject({ path: '/etc/initramfs-tools/modules', reasons: ['add virtio_blk', 'add virtio_scsi', 'add virtio_net', 'add virtio_pci'] });
    expect(plan!.commands).toEqual([['update-initramfs', '-u', '-k', 'all']]);
    const [report] = await g.fixApply([plan!]);
    expect(report!.commands).toEqual([{ argv: ['update-initramfs', '-u', '-k', 'all'], exitCode: 0 }]);
    expect((await g.stat(initrd!)).mtime.getTime()).toBeGreaterThan(before);
    expect((await lsinitramfs()).split('\n')).toEqual(expect.arrayContaining(['virtio_blk.ko', 'virtio_net.ko', 'virtio_scsi.ko']));
    expect(await g.cat('/etc/initramfs-tools/modules')).toMatch(/virtio_blk\nvirtio_scsi\nvirtio_net\nvirtio_pci\n$/);
    const [again] = await g.fixPlan(['initramfs']);
    expect([...again!.changes, ...again!.commands]).toEqual([]);
  }, 600_000);

  it('renames interfaces when asked, moving ifcfg files', async () => {
    await g.mkdirP('/etc/sysconfig/network-scripts');
    await g.write('/etc/sysconfig/network-scripts/ifcfg-ens192', 'TYPE=Ethernet\nDEVICE=ens192\nNAME=ens192\nHWADDR=00:50:56:8e:4a:21\nONBOOT=yes\n');
    await g.mkdirP('/etc/network');
    await g.write('/etc/network/interfaces', 'auto lo\niface lo inet loopback\nallow-hotplug ens192\niface ens192 inet dhcp\n');
    const plans = await g.fixPlan(['network'], { renameInterfaces: { ens192: 'ens3' } });
    await g.fixApply(plans);
    expect(await g.exists('/etc/sysconfig/network-scripts/ifcfg-ens192')).toBe(false);
    expect(await g.cat('/etc/sysconfig/network-scripts/ifcfg-ens3')).toBe('TYPE=Ethernet\nDEVICE=ens3\nNAME=ens3\nONBOOT=yes\n');
    expect(await g.cat('/etc/network/interfaces')).toBe('auto lo\niface lo inet loopback\nallow-hotplug ens3\niface ens3 inet dhcp\n');
    expect((await g.fixPlan(['network'], { renameInterfaces: { ens192: 'ens3' } }))[0]!.changes).toEqual([]);
  });
});
