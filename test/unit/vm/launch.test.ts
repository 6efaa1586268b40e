/**
 * The QEMU command line of a VM-mode session (applianceArgs in
 * src/vm/launch.ts), built from hand-made verified drives: every image of a
 * chain named with its format and its backing given, read-only drives
 * read-only in every node, the image locks, the shares, no network unless
 * asked, and the kernel's command line. Nothing runs.
 */
import { describe, expect, it } from 'vitest';
import type { VerifiedDrive } from '../../../src/attach/types.js';
import type { VmSettings } from '../../../src/api/options.js';
import { applianceArgs } from '../../../src/vm/launch.js';

const SETTINGS: Required<VmSettings> = { memoryMiB: 1024, cpus: 2, accel: 'auto', network: false, bootTimeoutMs: 120_000 };

function args(drives: VerifiedDrive[], o: { network?: boolean; nodePrefix?: string; memoryMiB?: number; cpus?: number } = {}): string[] {
  return applianceArgs({
    kernel: '/cache/vmlinux-6.1',
    initramfs: '/cache/initramfs.cpio.gz',
    accel: 'tcg',
    settings: { ...SETTINGS, network: o.network ?? false, memoryMiB: o.memoryMiB ?? 1024, cpus: o.cpus ?? 2 },
    drives,
    share: '/tmp/vmcraft-session/share',
    ...(o.nodePrefix ? { nodePrefix: o.nodePrefix } : {}),
  });
}

/** Every value given to `flag`, in order. */
function values(argv: string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []));
}

/** The `-blockdev` JSON of each drive, parsed. */
const blockdevs = (argv: string[]) => values(argv, '-blockdev').map((j) => JSON.parse(j) as Record<string, unknown>);

/** Every block node (an object with a `driver`) in a blockdev tree. */
function nodes(node: unknown): Record<string, unknown>[] {
  if (!node || typeof node !== 'object') return [];
  const own = 'driver' in node ? [node as Record<string, unknown>] : [];
  return [...own, ...Object.values(node).flatMap(nodes)];
}

const qcow2OnRaw = (readonly: boolean, live?: boolean): VerifiedDrive => ({
  path: '/vms/top.qcow2',
  format: 'qcow2',
  readonly,
  ...(live ? { live } : {}),
  links: [{ path: '/vms/top.qcow2', format: 'qcow2' }, { path: '/vms/base.img', format: 'raw' }],
});

describe('applianceArgs: drives', () => {
  it('names every file of a qcow2-on-raw chain with its format, the backing given explicitly (parents read-only)', () => {
    const argv = args([qcow2OnRaw(false)]);
    expect(blockdevs(argv)).toEqual([
      {
        driver: 'qcow2',
        'read-only': false,
        file: { driver: 'file', filename: '/vms/top.qcow2', 'read-only': false },
        backing: { driver: 'raw', 'read-only': true, file: { driver: 'file', filename: '/vms/base.img', 'read-only': true } },
        'node-name': 'drive0',
      },
    ]);
    expect(values(argv, '-device')).toContain('virtio-blk-pci,drive=drive0,serial=vmcraft0');
  });

  it('ends a chain of backing formats with backing null, so QEMU opens no name from a header', () => {
    const drive: VerifiedDrive = {
      path: '/vms/c.qcow2',
      format: 'qcow2',
      readonly: true,
      links: [{ path: '/vms/c.qcow2', format: 'qcow2' }, { path: '/vms/b.qcow2', format: 'qcow2' }, { path: '/vms/a.vmdk', format: 'vmdk' }],
    };
    const [node] = blockdevs(args([drive]));
    expect(node).toMatchObject({
      driver: 'qcow2',
      file: { filename: '/vms/c.qcow2' },
      backing: { driver: 'qcow2', file: { filename: '/vms/b.qcow2' }, backing: { driver: 'vmdk', file: { filename: '/vms/a.vmdk' }, backing: null } },
    });
    const alone = blockdevs(args([{ path: '/vms/x.qcow2', format: 'qcow2', readonly: true, links: [{ path: '/vms/x.qcow2', format: 'qcow2' }] }]))[0]!;
    expect('backing' in alone && alone.backing === null).toBe(true);
  });

  it('opens a read-only drive read-only in every node, the format driver locking it (no filter above a qcow2)', () => {
    const [node] = blockdevs(args([qcow2OnRaw(true)]));
    const all = nodes(node);
    expect(all.map((n) => n.driver)).toEqual(['qcow2', 'file', 'raw', 'file']);
    for (const n of all) expect(n['read-only'], JSON.stringify(n)).toBe(true);
    expect(JSON.stringify(node)).not.toContain('blkdebug');
    expect(JSON.stringify(node)).not.toContain('force-share');
  });

  it("puts the lock filter under a raw drive's format node (the raw driver takes no lock itself)", () => {
    const raw = (readonly: boolean): VerifiedDrive => ({ path: '/vms/disk.img', format: 'raw', readonly, links: [{ path: '/vms/disk.img', format: 'raw' }] });
    const [ro, rw] = blockdevs(args([raw(true), raw(false)]));
    expect(ro).toEqual({
      driver: 'raw',
      'read-only': true,
      file: {
        driver: 'blkdebug',
        'read-only': true,
        image: { driver: 'file', filename: '/vms/disk.img', 'read-only': true },
        'take-child-perms': ['consistent-read'],
        'unshare-child-perms': ['write', 'resize'],
      },
      'node-name': 'drive0',
    });
    expect(rw).toMatchObject({ 'read-only': false, file: { driver: 'blkdebug', 'read-only': false, 'take-child-perms': ['consistent-read', 'write'] }, 'node-name': 'drive1' });
    for (const n of nodes(ro)) expect(n['read-only']).toBe(true);
  });

  it('gives a live drive force-share and no lock filter', () => {
    const live: VerifiedDrive = { path: '/vms/disk.img', format: 'raw', readonly: true, live: true, links: [{ path: '/vms/disk.img', format: 'raw' }] };
    const [rawLive, qcowLive] = blockdevs(args([live, qcow2OnRaw(true, true)]));
    expect(rawLive).toEqual({ driver: 'raw', 'read-only': true, file: { driver: 'file', filename: '/vms/disk.img', 'read-only': true }, 'force-share': true, 'node-name': 'drive0' });
    expect(qcowLive).toMatchObject({ driver: 'qcow2', 'force-share': true, 'node-name': 'drive1' });
  });

  it('names a host block device with host_device', () => {
    const [node] = blockdevs(args([{ path: '/dev/sdz', format: 'raw', readonly: true, links: [{ path: '/dev/sdz', format: 'raw', blockDevice: true }] }]));
    expect(nodes(node).find((n) => n.filename === '/dev/sdz')).toEqual({ driver: 'host_device', filename: '/dev/sdz', 'read-only': true });
  });

  it('gives each drive its own node name and serial, in order', () => {
    const argv = args([qcow2OnRaw(true), qcow2OnRaw(false), qcow2OnRaw(true)]);
    expect(blockdevs(argv).map((b) => b['node-name'])).toEqual(['drive0', 'drive1', 'drive2']);
    expect(values(argv, '-device').filter((d) => d.startsWith('virtio-blk-pci'))).toEqual([
      'virtio-blk-pci,drive=drive0,serial=vmcraft0',
      'virtio-blk-pci,drive=drive1,serial=vmcraft1',
      'virtio-blk-pci,drive=drive2,serial=vmcraft2',
    ]);
    // No other way for QEMU to open a disk.
    expect(argv).not.toContain('-drive');
    expect(argv).not.toContain('-hda');
  });
});

describe('applianceArgs: the machine', () => {
  it('has no network card unless asked, then user-mode networking', () => {
    const off = args([]);
    expect(values(off, '-nic')).toEqual(['none']);
    const on = args([], { network: true });
    expect(values(on, '-nic')).toHaveLength(1);
    expect(values(on, '-nic')[0]).toMatch(/^user,/);
    expect(values(on, '-nic')[0]).toContain('model=virtio-net-pci');
  });

  it("shares /usr read-only and the session's share as mapped-file, and nothing else of the host", () => {
    const virtfs = values(args([]), '-virtfs');
    expect(virtfs).toHaveLength(2);
    const usr = virtfs.find((v) => v.includes('path=/usr,'));
    expect(usr).toContain('mount_tag=usr');
    expect(usr).toContain('readonly=on');
    const share = virtfs.find((v) => v.includes('path=/tmp/vmcraft-session/share,'));
    expect(share).toContain('mount_tag=share');
    expect(share).toContain('security_model=mapped-file');
    expect(share).not.toContain('readonly');
    expect(virtfs.some((v) => v.includes('path=/,'))).toBe(false);
  });

  it("shares node's install prefix read-only when it is not under /usr, and tells the VM where it is", () => {
    const argv = args([], { nodePrefix: '/opt/node-v20' });
    const node = values(argv, '-virtfs').find((v) => v.includes('path=/opt/node-v20,'));
    expect(node).toContain('mount_tag=node');
    expect(node).toContain('readonly=on');
    expect(values(argv, '-append')[0]).toContain('vmcraft.nodeprefix=/opt/node-v20');
    expect(values(args([]), '-append')[0]).not.toContain('vmcraft.node');
  });

  it('has a virtio RNG, no reboot, no defaults, the console on stdio and the agent port on fd 3', () => {
    const argv = args([]);
    expect(values(argv, '-device')).toContain('virtio-rng-pci');
    expect(argv).toContain('-no-reboot');
    expect(argv).toContain('-nodefaults');
    expect(values(argv, '-serial')).toEqual(['stdio']);
    expect(values(argv, '-display')).toEqual(['none']);
    expect(values(argv, '-chardev')).toEqual(['socket,id=agent,fd=3']);
    expect(values(argv, '-device')).toContain('virtserialport,bus=serial0.0,chardev=agent,name=org.vmcraft.agent');
  });

  it('takes the accelerator, memory and CPUs given, and the kernel and initramfs', () => {
    const argv = args([], { memoryMiB: 768, cpus: 1 });
    expect(values(argv, '-accel')).toEqual(['tcg']);
    expect(values(argv, '-m')).toEqual(['768']);
    expect(values(argv, '-smp')).toEqual(['1']);
    expect(values(argv, '-kernel')).toEqual(['/cache/vmlinux-6.1']);
    expect(values(argv, '-initrd')).toEqual(['/cache/initramfs.cpio.gz']);
  });

  it('boots with the share, the fast-boot settings and the network only when asked', () => {
    const [append] = values(args([]), '-append');
    const words = append!.split(' ');
    for (const w of ['console=ttyS0', 'vmcraft.share=1', 'panic=-1', 'edd=off', 'cryptomgr.notests', 'no_timer_check', '8250.nr_uarts=1', 'usbcore.nousb', 'tsc=reliable']) {
      expect(words, w).toContain(w);
    }
    expect(words).not.toContain('vmcraft.net=1');
    expect(values(args([], { network: true }), '-append')[0]!.split(' ')).toContain('vmcraft.net=1');
  });
});
