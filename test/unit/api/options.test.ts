import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { normalizeDriveOptions, normalizeOptions } from '../../../src/api/options.js';
import { thrown } from '../../helpers/thrown.js';

describe('normalizeOptions', () => {
  it('applies the defaults', () => {
    expect(normalizeOptions()).toEqual({
      readonly: false,
      backend: 'auto',
      handleSignals: true,
      commandTimeoutMs: 120_000,
      keys: [],
      nbd: {},
      mode: 'auto',
      vm: { memoryMiB: 1024, cpus: Math.min(2, os.availableParallelism()), accel: 'auto', network: false, bootTimeoutMs: 120_000 },
    });
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
    expect(() => normalizeOptions({ backend: 'nbdx' as never })).toThrow('Expected the `backend` option to be one of auto, nbd, fuse, loop, device, got `nbdx` (string)');
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

describe('normalizeOptions: mode and vm', () => {
  it('takes each mode, auto by default', () => {
    for (const mode of ['host', 'vm', 'auto'] as const) expect(normalizeOptions({ mode }).mode).toBe(mode);
    expect(normalizeOptions({}).mode).toBe('auto');
  });

  it('refuses an unknown mode with EINVAL, naming the modes and the bad value', () => {
    const err = thrown(() => normalizeOptions({ mode: 'container' as never }));
    expect(err.code).toBe('EINVAL');
    expect(err.message).toBe('Expected the `mode` option to be one of host, vm, auto, got `container` (string)');
    expect(thrown(() => normalizeOptions({ mode: true as never })).message).toContain('got `true` (boolean)');
  });

  it('applies the VM defaults: 1024 MiB, accel auto, no network, 120 s to boot', () => {
    const { vm } = normalizeOptions({ vm: {} });
    expect(vm).toMatchObject({ memoryMiB: 1024, accel: 'auto', network: false, bootTimeoutMs: 120_000 });
    expect(vm.cpus).toBe(Math.min(2, os.availableParallelism()));
    expect(normalizeOptions().vm).toEqual(vm);
  });

  it('keeps the VM settings given', () => {
    expect(normalizeOptions({ mode: 'vm', vm: { memoryMiB: 2048, cpus: 4, accel: 'tcg', network: true, bootTimeoutMs: 5000 } }).vm).toEqual({ memoryMiB: 2048, cpus: 4, accel: 'tcg', network: true, bootTimeoutMs: 5000 });
    expect(normalizeOptions({ vm: { accel: 'kvm' } }).vm.accel).toBe('kvm');
  });

  it('refuses a bad vm.memoryMiB, vm.cpus or vm.bootTimeoutMs with EINVAL quoting the value', () => {
    for (const memoryMiB of [0, -512, 1.5, '1024', Number.NaN]) {
      const err = thrown(() => normalizeOptions({ vm: { memoryMiB: memoryMiB as never } }));
      expect(err.code).toBe('EINVAL');
      expect(err.message).toMatch(/^Expected the `vm\.memoryMiB` option to be a positive integer, got /);
    }
    expect(thrown(() => normalizeOptions({ vm: { memoryMiB: '1024' as never } })).message).toContain('got `1024` (string)');
    expect(thrown(() => normalizeOptions({ vm: { cpus: 0 } })).message).toContain('`vm.cpus` option to be a positive integer, got `0` (number)');
    expect(thrown(() => normalizeOptions({ vm: { bootTimeoutMs: -1 } })).message).toContain('`vm.bootTimeoutMs`');
  });

  it('refuses a bad accel or network with EINVAL', () => {
    const accel = thrown(() => normalizeOptions({ vm: { accel: 'hvf' as never } }));
    expect(accel.code).toBe('EINVAL');
    expect(accel.message).toBe('Expected the `vm.accel` option to be one of auto, kvm, tcg, got `hvf` (string)');
    expect(thrown(() => normalizeOptions({ vm: { network: 'yes' as never } })).message).toBe('Expected the `vm.network` option to be a boolean, got `yes` (string)');
  });

  it('refuses an unknown vm option with EINVAL naming it and the known ones', () => {
    const err = thrown(() => normalizeOptions({ vm: { memory: 1024 } as never }));
    expect(err.code).toBe('EINVAL');
    expect(err.message).toBe('Unknown `vm` option(s) memory (known: memoryMiB, cpus, accel, network, bootTimeoutMs)');
  });

  it('refuses a vm that is not an object', () => {
    for (const vm of [null, 1024, 'big']) {
      const err = thrown(() => normalizeOptions({ vm: vm as never }));
      expect(err.code).toBe('EINVAL');
      expect(err.message).toMatch(/^Expected the `vm` option to be an object, got /);
    }
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
