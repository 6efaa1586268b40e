import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { writableGuest, type WritableGuest } from '../../helpers/writable-guest.js';

let dir: string;
let g: GuestFS;
let session: WritableGuest;
const MIGRATED = {
  '/etc/fstab': '# migrated from VMware\n/dev/sda2 / ext4 errors=remount-ro 0 1\n/dev/sda1\t/boot\text4\tdefaults\t0\t2\nnas:/srv /mnt/nas nfs defaults,_netdev 0 0\n',
  '/etc/default/grub': 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="root=/dev/sda2 net.ifnames=0"\n',
  '/etc/netplan/50-cloud-init.yaml': 'network:\n  ethernets:\n    eth0:\n      dhcp4: true\n      match:\n        macaddress: 00:50:56:aa:bb:cc\n      set-name: eth0\n  version: 2\n',
  '/etc/udev/rules.d/70-persistent-net.rules': 'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="00:50:56:aa:bb:cc", NAME="eth0"\n',
  '/usr/lib/systemd/system/vmtoolsd.service': '[Unit]\nDescription=Service for virtual machines hosted on VMware\n[Service]\nExecStart=/usr/bin/vmtoolsd\n',
};

/** sha256 of every guest file the fixers may touch. */
async function snapshot(): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const file of (await g.find('/etc')).map((f) => `/etc/${f}`)) if (await g.isFile(file)) sums[file] = await g.checksum('sha256', file);
  return sums;
}

beforeAll(async () => {
  session = await writableGuest('fix', 'debian12');
  ({ g, dir } = session);
  for (const [file, content] of Object.entries(MIGRATED)) {
    await g.mkdirP(path.posix.dirname(file));
    await g.write(file, content);
  }
});
afterAll(async () => session.close());

describe('Linux fixers on a Debian guest made to look migrated from VMware', () => {
  it('plans without writing anything (checksums of /etc unchanged)', async () => {
    const before = await snapshot();
    const plans = await g.fixPlan();
    expect(await snapshot()).toEqual(before);
    const byName = Object.fromEntries(plans.map((p) => [p.fixer, p]));
    expect(byName.fstab!.changes[0]!.reasons).toEqual([`line 2: /dev/sda2 → UUID=${g.vfsUuid('/dev/sda2')}`, `line 3: /dev/sda1 → UUID=${g.vfsUuid('/dev/sda1')}`]);
    expect(byName.network!.changes.map((c) => c.path)).toEqual(['/etc/netplan/50-cloud-init.yaml', '/etc/udev/rules.d/70-persistent-net.rules']);
    expect(byName['hypervisor-tools']!.commands).toEqual([['ln', '-sf', '/dev/null', '/etc/systemd/system/vmtoolsd.service']]);
    expect(byName.grub!.changes.map((c) => c.path)).toEqual(['/etc/default/grub']);
    expect(byName.initramfs!.notes).toEqual(expect.arrayContaining(['no initramfs tool found (update-initramfs, dracut, mkinitcpio)']));
  });

  it('applies with backups that restore the originals, and a second run changes nothing', async () => {
    const reports = await g.fixApply(await g.fixPlan());
    const fstab = await g.cat('/etc/fstab');
    expect(fstab).toBe(`# migrated from VMware\nUUID=${g.vfsUuid('/dev/sda2')} / ext4 errors=remount-ro 0 1\nUUID=${g.vfsUuid('/dev/sda1')}\t/boot\text4\tdefaults\t0\t2\nnas:/srv /mnt/nas nfs defaults,_netdev 0 0\n`);
    expect(await g.cat('/etc/default/grub')).toContain(`root=UUID=${g.vfsUuid('/dev/sda2')} net.ifnames=0`);
    expect(await g.cat('/etc/netplan/50-cloud-init.yaml')).not.toContain('macaddress');
    expect(await g.exists('/etc/udev/rules.d/70-persistent-net.rules')).toBe(false);
    expect(await g.readlink('/etc/systemd/system/vmtoolsd.service')).toBe('/dev/null');
    const changed = reports.flatMap((r) => r.changed);
    expect(changed.every((c) => c.backup?.startsWith('/var/lib/vmcraft/backups/'))).toBe(true);
    for (const c of changed) expect(await g.cat(c.backup!)).toBe(MIGRATED[c.path as keyof typeof MIGRATED]);
    const again = await g.fixPlan();
    expect(again.flatMap((p) => [...p.changes, ...p.commands])).toEqual([]);
  });

  it('refuses unknown fixers and read-only guests', async () => {
    await expect(g.fixPlan(['bogus'])).rejects.toMatchObject({ code: 'EINVAL' });
    await using ro = await GuestFS.open((await loadFixtures()).debian12!.path, { readonly: true, tmpDir: dir });
    await ro.mountRoot((await ro.inspectOs())[0]!);
    await expect(ro.fixApply(await ro.fixPlan(['fstab']))).rejects.toMatchObject({ code: 'EREADONLY' });
    // The customisation calls write: refused before anything runs. Guest commands still run (read-only mounts).
    await expect(ro.setHostname('ro-guest')).rejects.toMatchObject({ code: 'EREADONLY' });
    await expect(ro.installPackages(['hello'])).rejects.toMatchObject({ code: 'EREADONLY' });
    expect(await ro.sh('id -u')).toBe('0\n');
  });

  it('lists the fixers before launch, and refuses plans that are not plans', async () => {
    expect(new GuestFS().fixers()).toEqual(g.fixers());
    expect(g.fixers()).toEqual(expect.arrayContaining(['fstab', 'network', 'grub', 'initramfs']));
    await expect(g.fixApply([{ fixer: 'fstab' }] as never)).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('plans[0]') });
    await expect(g.fixApply([{ fixer: 'x', changes: [{ path: '/etc/x', after: 1, reasons: [] }], commands: [], notes: [] }] as never)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.fixApply({} as never)).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
