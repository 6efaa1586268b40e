import { describe, expect, it } from 'vitest';
import { normalizeDriveOptions, normalizeOptions } from '../../../src/api/options.js';

describe('normalizeOptions', () => {
  it('applies the defaults', () => {
    expect(normalizeOptions()).toEqual({ readonly: false, backend: 'auto', handleSignals: true, commandTimeoutMs: 120_000, keys: [], nbd: {} });
  });

  it('validates qemu-nbd modes', () => {
    expect(normalizeOptions({ nbd: { cache: 'writeback', aio: 'io_uring' } }).nbd).toEqual({ cache: 'writeback', aio: 'io_uring' });
    expect(() => normalizeOptions({ nbd: { cache: 'fast' as never } })).toThrow('`nbd.cache` option to be one of none, writeback');
    expect(() => normalizeOptions({ nbd: { discard: 'on' } as never })).toThrow('Unknown `nbd` option(s) discard');
  });

  it('normalises LUKS keys without ever printing them', () => {
    expect(normalizeOptions({ keys: ['s3cret', { device: '/dev/sda2', key: 'other' }] }).keys).toEqual([{ key: 's3cret' }, { device: '/dev/sda2', key: 'other' }]);
    expect(() => normalizeOptions({ keys: [42 as never] })).toThrow('got a number');
    expect(() => normalizeOptions({ keys: [42 as never] })).not.toThrow('42');
  });

  it('quotes the bad value and its type', () => {
    expect(() => normalizeOptions({ backend: 'nbdx' as never })).toThrow('Expected the `backend` option to be one of auto, nbd, fuse, loop, got `nbdx` (string)');
    expect(() => normalizeOptions({ readonly: 'yes' as never })).toThrow('Expected the `readonly` option to be a boolean, got `yes` (string)');
    expect(() => normalizeOptions({ commandTimeoutMs: -1 })).toThrow(/positive integer, got `-1` \(number\)/);
  });

  it('names the right option for a misspelt one', () => {
    expect(() => normalizeOptions({ readOnly: true } as never)).toThrow('Unknown option `readOnly`; did you mean `readonly`?');
    expect(() => normalizeOptions({ colour: 1 } as never)).toThrow('Unknown option `colour`');
  });

  it('ignores inherited properties (no prototype pollution)', () => {
    const raw = Object.create({ backend: 'loop' }) as object;
    expect(normalizeOptions(raw).backend).toBe('auto');
  });
});

describe('normalizeDriveOptions', () => {
  it('accepts a known format and rejects an unknown one', () => {
    expect(normalizeDriveOptions({ format: 'vmdk' })).toEqual({ format: 'vmdk' });
    expect(() => normalizeDriveOptions({ format: 'vmdx' as never })).toThrow(/`format` option to be one of .*got `vmdx`/);
  });

  it('accepts `live` only on a read-only drive (given, or the session default)', () => {
    expect(normalizeDriveOptions({ readonly: true, live: true })).toEqual({ readonly: true, live: true });
    expect(normalizeDriveOptions({ live: true }, true)).toEqual({ live: true });
    expect(() => normalizeDriveOptions({ live: true })).toThrow('The `live` option only goes with a read-only drive (`readonly: true`)');
    expect(() => normalizeDriveOptions({ readonly: false, live: true }, true)).toThrow('`live`');
    expect(() => normalizeDriveOptions({ readonly: true, live: 'yes' as never })).toThrow('Expected the `live` option to be a boolean, got `yes` (string)');
  });
});
