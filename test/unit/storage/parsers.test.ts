import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBlkidValue, parseBlkidUdev } from '../../../src/storage/blkid.js';
import { blkpgLayout, parsePartxList, parseSfdiskJson } from '../../../src/storage/partitions.js';

const sample = (name: string) => readFileSync(new URL(`../../fixtures/cmd-output/${name}`, import.meta.url), 'utf8');

describe('parseBlkidUdev (captured blkid -p -o udev output)', () => {
  it('reads an ext4 filesystem on a GPT partition, its name decoded', () => {
    const info = parseBlkidUdev(sample('blkid-udev-gpt-ext4.txt'));
    expect(info.type).toBe('ext4');
    expect(info.label).toBe('root');
    expect(info.uuid).toBe('0f3c5d2e-1a2b-4c3d-8e9f-001122334455');
    expect(info.partEntry).toEqual({
      scheme: 'gpt',
      number: 1,
      uuid: 'ef957af0-7b1e-dc4f-9bd9-ae3150d2044a',
      type: '0fc63daf-8483-4772-8e79-3d69d8477de4',
      name: 'EFI system é',
      offsetSectors: 2048,
      sizeSectors: 40960,
    });
    expect(info.raw).toMatchObject({ LABEL: 'root', TYPE: 'ext4', USAGE: 'filesystem', PART_ENTRY_DISK: '7:0' });
  });

  it('reads an empty partition: partition facts, no filesystem', () => {
    const info = parseBlkidUdev(sample('blkid-udev-gpt-empty.txt'));
    expect(info.type).toBeUndefined();
    expect(info.partEntry?.number).toBe(2);
  });

  it('reads the partition table of a whole disk', () => {
    expect(parseBlkidUdev(sample('blkid-udev-gpt-disk.txt'))).toMatchObject({ ptType: 'gpt', ptUuid: 'ad573666-cfed-b846-bd55-e9603eed7170' });
  });

  it('reads an MBR extended partition, which blkid reports as holding a dos table', () => {
    const info = parseBlkidUdev(sample('blkid-udev-dos-extended.txt'));
    expect(info.ptType).toBe('dos');
    expect(info.partEntry).toMatchObject({ scheme: 'dos', type: '0x5', uuid: '1234abcd-02' });
    expect(parseBlkidUdev(sample('blkid-udev-dos-logical-empty.txt')).partEntry).toMatchObject({ number: 5, offsetSectors: 20480 });
  });

  it('gives a label with a space as it is, not blkid\'s escaped or lossy form', () => {
    expect(parseBlkidUdev(sample('blkid-udev-dos-ext4-label-space.txt')).label).toBe('Test Volume');
    expect(parseBlkidUdev(sample('blkid-udev-label-escapes.txt')).label).toBe('M-\\ "é^');
  });

  it('gives only the raw map for empty output (exit code 2: nothing found)', () => {
    expect(parseBlkidUdev('')).toEqual({ raw: {} });
  });

  it('keeps values containing "="', () => {
    expect(parseBlkidUdev('ID_FS_LABEL_ENC=a=b\n').label).toBe('a=b');
  });
});

describe('decodeBlkidValue', () => {
  it('decodes \\xNN bytes as UTF-8 and leaves everything else', () => {
    expect(decodeBlkidValue('Test\\x20Volume')).toBe('Test Volume');
    expect(decodeBlkidValue('caf\\xc3\\xa9 \\x5cx41')).toBe('café \\x41');
    expect(decodeBlkidValue('日本\\x20語')).toBe('日本 語');
    expect(decodeBlkidValue('\\xZZ')).toBe('\\xZZ');
  });
});

describe('parseSfdiskJson (captured sfdisk --json output)', () => {
  it('reads a GPT table with upper-case GUIDs', () => {
    const table = parseSfdiskJson(sample('sfdisk-gpt.json'));
    expect(table.type).toBe('gpt');
    expect(table.id).toBe('AD573666-CFED-B846-BD55-E9603EED7170');
    expect(table.partitions).toHaveLength(2);
    expect(table.partitions[1]).toEqual({
      number: 2,
      start: 43008,
      size: 86016,
      type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
      uuid: '3189B31C-A424-4742-BE01-F314A91EF8C8',
      bootable: false,
    });
  });

  it('reads an MBR table as msdos, with the boot flag and an extended partition', () => {
    const table = parseSfdiskJson(sample('sfdisk-dos.json'));
    expect(table.type).toBe('msdos');
    expect(table.id).toBe('0x1234abcd');
    expect(table.partitions.map((p) => [p.number, p.type, p.bootable])).toEqual([
      [1, '83', true],
      [2, '5', false],
      [3, '83', false],
    ]);
  });

  it('rejects a table type it does not know', () => {
    expect(() => parseSfdiskJson('{"partitiontable":{"label":"sun","id":"x"}}')).toThrow(/unsupported partition table type sun/);
  });
});

describe('blkpgLayout (partx -g -r -o NR,START,SECTORS,TYPE output)', () => {
  it('gives an extended partition 2 sectors, as the kernel does', () => {
    const entries = parsePartxList('1 2048 16384 0x83\n2 18432 112640 0x5\n5 20480 8192 0x83\n');
    expect(blkpgLayout(entries)).toEqual([
      { number: 1, start: 2048, sectors: 16384, type: '0x83' },
      { number: 2, start: 18432, sectors: 2, type: '0x5' },
      { number: 5, start: 20480, sectors: 8192, type: '0x83' },
    ]);
  });

  it('ends an extended partition before a logical partition that starts right after its EBR', () => {
    const entries = parsePartxList('1 63 8129 0x83\n2 8192 24576 0x5\n5 8193 24575 0x83');
    expect(blkpgLayout(entries).map((e) => [e.number, e.start, e.sectors])).toEqual([[1, 63, 8129], [2, 8192, 1], [5, 8193, 24575]]);
  });
});
