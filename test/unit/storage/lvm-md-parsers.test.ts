/**
 * parseLvmReport, parseMdExamine and lvmConfig on real output captured with
 * test/fixtures/cmd-output/capture-storage.sh (lvm 2.03.16, mdadm 4.2,
 * cryptsetup 2.6.1, util-linux blkid), and the layers' detect() on the blkid
 * output of the same images.
 */
import { describe, expect, it } from 'vitest';
import { parseBlkidUdev } from '../../../src/storage/blkid.js';
import { LuksLayer, keysFor } from '../../../src/storage/luks.js';
import { LvmLayer, dmName, lvmConfig, parseLvmReport } from '../../../src/storage/lvm.js';
import { MdLayer, parseMdExamine } from '../../../src/storage/md.js';
import type { BlockDevice } from '../../../src/storage/types.js';
import { sample } from './fakes.js';

const VG_UUID = 'ezHDAo-oJNr-jpnL-4KMm-HE1T-8O6X-77Yxkb';

describe('parseLvmReport (lvm … --reportformat json)', () => {
  it('reads the PVs of a two-PV VG', () => {
    expect(parseLvmReport(sample('lvm-pvs.json'), 'pv')).toEqual([
      { pv_name: '/dev/loop0', vg_name: 'guest-vg', vg_uuid: VG_UUID },
      { pv_name: '/dev/loop1', vg_name: 'guest-vg', vg_uuid: VG_UUID },
    ]);
  });

  it('reads the missing PV of an incomplete VG as "[unknown]"', () => {
    expect(parseLvmReport(sample('lvm-pvs-partial.json'), 'pv').map((r) => r.pv_name)).toEqual(['/dev/loop0', '[unknown]']);
    expect(parseLvmReport(sample('lvm-vgs-partial.json'), 'vg')).toEqual([{ vg_name: 'guest-vg', vg_uuid: VG_UUID, pv_count: '2' }]);
  });

  it('reads the VG with its PV count', () => {
    expect(parseLvmReport(sample('lvm-vgs.json'), 'vg')).toEqual([{ vg_name: 'guest-vg', vg_uuid: VG_UUID, pv_count: '2' }]);
  });

  it('reads LVs in bytes with their dm paths (dashes doubled), as lvm prints them without device-mapper (state X)', () => {
    const lvs = parseLvmReport(sample('lvm-lvs.json'), 'lv');
    expect(lvs).toEqual([
      { vg_name: 'guest-vg', lv_name: 'my-swap', lv_dm_path: '/dev/mapper/guest--vg-my--swap', lv_size: '4194304', lv_attr: '-wi-XX----' },
      { vg_name: 'guest-vg', lv_name: 'root', lv_dm_path: '/dev/mapper/guest--vg-root', lv_size: '8388608', lv_attr: '-wi-XX----' },
    ]);
    // dmName agrees with what lvm itself reports.
    for (const lv of lvs) expect(`/dev/mapper/${dmName(lv.vg_name!, lv.lv_name!)}`).toBe(lv.lv_dm_path);
  });

  it('gives no rows for the other report keys or an empty report', () => {
    expect(parseLvmReport(sample('lvm-pvs.json'), 'lv')).toEqual([]);
    expect(parseLvmReport('{"report": [{"vg": []}]}', 'vg')).toEqual([]);
    expect(parseLvmReport('{}', 'pv')).toEqual([]);
  });

  it('throws on output that is not JSON', () => {
    expect(() => parseLvmReport('  WARNING: something\n', 'pv')).toThrow(SyntaxError);
  });
});

describe('lvmConfig (the --config of every lvm command)', () => {
  it('accepts exactly the session\'s PVs and rejects everything else, in filter and global_filter', () => {
    expect(lvmConfig(['/dev/loop0', '/dev/loop1'])).toBe(
      'devices { filter=["a|^/dev/loop0$|", "a|^/dev/loop1$|", "r|.*|"] global_filter=["a|^/dev/loop0$|", "a|^/dev/loop1$|", "r|.*|"] '
        + 'obtain_device_list_from_udev=0 use_devicesfile=0 scan_lvs=1 } '
        + 'activation { udev_sync=0 udev_rules=0 monitoring=0 } backup { backup=0 archive=0 } global { use_lvmetad=0 event_activation=0 }',
    );
  });

  it('lists read-only VGs in read_only_volume_list', () => {
    expect(lvmConfig(['/dev/loop0'], ['guest-vg', 'other'])).toContain('activation { udev_sync=0 udev_rules=0 monitoring=0 read_only_volume_list=["guest-vg", "other"] }');
  });

  it('escapes regex characters of a device path, so it matches only that path', () => {
    const config = lvmConfig(['/dev/mapper/luks-5b2c6a1e.x+y']);
    expect(config).toContain('filter=["a|^/dev/mapper/luks-5b2c6a1e\\.x\\+y$|", "r|.*|"]');
    const pattern = /a\|(\^.*?\$)\|/.exec(config)![1]!;
    expect(new RegExp(pattern).test('/dev/mapper/luks-5b2c6a1e.x+y')).toBe(true);
    expect(new RegExp(pattern).test('/dev/mapper/luks-5b2c6a1eXxxy')).toBe(false);
  });

  it('with no PVs rejects every device', () => {
    expect(lvmConfig([])).toContain('devices { filter=["r|.*|"] global_filter=["r|.*|"]');
  });
});

describe('parseMdExamine (mdadm --examine --export)', () => {
  it('reads a v1.2 member: array UUID, raid devices, name, level', () => {
    expect(parseMdExamine(sample('mdadm-examine-export-member0.txt'))).toEqual({ uuid: '8e8f9091:92939495:96979899:9a9b9c9d', devices: 2, name: 'guesthost:root', level: 'raid1' });
  });

  it('gives both members of one array the same UUID (their device UUIDs differ)', () => {
    const [a, b] = ['mdadm-examine-export-member0.txt', 'mdadm-examine-export-member1.txt'].map(sample);
    expect(a).not.toBe(b);
    expect(parseMdExamine(b!)).toEqual(parseMdExamine(a!));
  });

  it('agrees with the human-readable --examine of the same member', () => {
    const human = sample('mdadm-examine-member0.txt');
    const info = parseMdExamine(sample('mdadm-examine-export-member0.txt'))!;
    expect(human).toContain(`Array UUID : ${info.uuid}`);
    expect(human).toContain(`Name : ${info.name}`);
    expect(human).toContain(`Raid Devices : ${info.devices}`);
    expect(human).toContain(`Raid Level : ${info.level}`);
  });

  it('gives undefined for no superblock (mdadm prints nothing, exit code 1) or a line without MD_UUID', () => {
    expect(parseMdExamine('')).toBeUndefined();
    expect(parseMdExamine('MD_LEVEL=raid1\nMD_DEVICES=2\n')).toBeUndefined();
  });

  it('keeps an "=" inside a value', () => {
    expect(parseMdExamine('MD_UUID=a:b\nMD_NAME=host:x=y\n')?.name).toBe('host:x=y');
  });
});

describe('the layers recognise the captured blkid output of their devices', () => {
  const device = (file: string): BlockDevice => ({ name: '/dev/sda', hostPath: '/dev/loop0', kind: 'disk', drive: 0, probe: parseBlkidUdev(sample(file)) });
  const layers = [new LuksLayer(), new LvmLayer(), new MdLayer()];
  const detecting = (file: string) => layers.filter((l) => l.detect(device(file))).map((l) => l.name);

  it('each device is detected by its own layer only', () => {
    expect(detecting('blkid-udev-luks2.txt')).toEqual(['luks']);
    expect(detecting('blkid-udev-lvm2-pv.txt')).toEqual(['lvm']);
    expect(detecting('blkid-udev-md-member.txt')).toEqual(['md']);
    expect(detecting('blkid-udev-gpt-ext4.txt')).toEqual([]);
  });

  it('a LUKS key named by the UUID luksDump shows applies to the device blkid probed', () => {
    const uuid = /^UUID:\s+(\S+)$/m.exec(sample('cryptsetup-luksDump-luks2.txt'))![1]!;
    expect(uuid).toBe('5b2c6a1e-0d4f-4e8a-9c3b-7f1e2d3c4b5a');
    expect(keysFor(device('blkid-udev-luks2.txt'), [{ device: uuid, key: 'k' }, { device: '/dev/sdb', key: 'no' }])).toEqual(['k']);
  });
});
