/**
 * The session's own view of its kernel (LayerContext.kernel, what VM-mode's
 * `auto` moves on): requireKernelFeature refuses what needs a kernel feature
 * the context lacks with EUNSUPPORTED and `feature` (layer-argv.test.ts has
 * each layer asking it before its tool runs).
 */
import { describe, expect, it } from 'vitest';
import { requireKernelFeature, VM_MODE_HINT } from '../../../src/storage/kernel.js';
import type { LayerContext } from '../../../src/storage/types.js';
import { thrown } from '../../helpers/thrown.js';

describe('requireKernelFeature', () => {
  const context = (kernel: LayerContext['kernel']) => ({ kernel });

  it('refuses on a kernel without device-mapper: EUNSUPPORTED, feature device-mapper, naming what needs it and the way round', () => {
    const err = thrown(() => requireKernelFeature(context({ deviceMapper: false, md: true }), 'deviceMapper', 'the LVM volume group vg0'));
    expect(err.code).toBe('EUNSUPPORTED');
    expect(err.feature).toBe('device-mapper');
    expect(err.message).toBe(`this host's kernel has no device-mapper, needed for the LVM volume group vg0${VM_MODE_HINT}`);
    expect(VM_MODE_HINT).toContain("mode 'vm' or 'auto'");
  });

  it('refuses on a kernel without md: feature md', () => {
    const err = thrown(() => requireKernelFeature(context({ deviceMapper: true, md: false }), 'md', 'the RAID array a:b'));
    expect(err).toMatchObject({ code: 'EUNSUPPORTED', feature: 'md' });
    expect(err.message).toMatch(/^this host's kernel has no md \(software RAID\) driver, needed for the RAID array a:b/);
  });

  it('passes when the kernel has the feature (the other one missing does not matter)', () => {
    expect(() => requireKernelFeature(context({ deviceMapper: true, md: false }), 'deviceMapper', 'x')).not.toThrow();
    expect(() => requireKernelFeature(context({ deviceMapper: false, md: true }), 'md', 'x')).not.toThrow();
  });
});
