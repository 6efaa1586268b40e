import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBlkidExport } from '../../../src/storage/blkid.js';
import { parseSfdiskJson } from '../../../src/storage/partitions.js';

const sample = (name: string) => readFileSync(new URL(`../../fixtures/cmd-output/${name}`, import.meta.url), 'utf8');

describe('parseBlkidExport (captured blkid -p -o export output)', () => {
  it('reads an ext4 filesystem on a GPT partition', () => {
    const info = parseBlkidExport(sample('blkid-gpt-ext4.txt'));
    expect(info.type).toBe('ext4');
    expect(info.label).toBe('root');
    expect(info.uuid).toBe('0f3c5d2e-1a2b-4c3d-8e9f-001122334455');
    expect(info.partEntry).toEqual({
      scheme: 'gpt',
      number: 1,
      uuid: 'ef957af0-7b1e-dc4f-9bd9-ae3150d2044a',
      type: '0fc63daf-8483-4772-8e79-3d69d8477de4',
      offsetSectors: 2048,
      sizeSectors: 40960,
    });
  });

  it('reads an empty partition: partition facts, no filesystem', () => {
    const info = parseBlkidExport(sample('blkid-gpt-empty.txt'));
    expect(info.type).toBeUndefined();
    expect(info.partEntry?.number).toBe(2);
  });

  it('reads an MBR extended partition, which blkid reports as holding a dos table', () => {
    const info = parseBlkidExport(sample('blkid-dos-extended.txt'));
    expect(info.ptType).toBe('dos');
    expect(info.partEntry).toMatchObject({ scheme: 'dos', type: '0x5', uuid: '1234abcd-02' });
  });

  it('gives only the raw map for empty output (exit code 2: nothing found)', () => {
    expect(parseBlkidExport('')).toEqual({ raw: {} });
  });

  it('keeps values containing "="', () => {
    expect(parseBlkidExport('LABEL=a=b\n').label).toBe('a=b');
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
