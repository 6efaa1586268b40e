/**
 * Where a session runs (chooseMode in src/api/session.ts), for hand-made
 * host capabilities: `host` and `vm` as asked; `auto` takes the VM when the
 * host cannot attach images at all (not root; neither loop nor nbd), the host
 * otherwise, and says why.
 */
import { describe, expect, it } from 'vitest';
import { chooseMode } from '../../../src/api/session.js';
import type { HostCapabilities } from '../../../src/core/probe.js';

/** A host: root with loop, nbd, FUSE, device-mapper and md, unless `changes` says otherwise. */
function host(changes: { root?: boolean; kernel?: Partial<HostCapabilities['kernel']> } = {}): HostCapabilities {
  return {
    root: changes.root ?? true,
    tools: { 'qemu-img': '/usr/bin/qemu-img', losetup: '/usr/sbin/losetup' },
    kernelFilesystems: ['ext4', 'vfat'],
    kernel: { nbd: true, deviceMapper: true, md: true, fuse: true, loop: true, ...changes.kernel },
  };
}

describe('chooseMode', () => {
  it('runs where it is asked, whatever the host can do', () => {
    expect(chooseMode('host', host({ root: false, kernel: { loop: false, nbd: false } }))).toEqual({ mode: 'host', reason: 'mode host was asked for' });
    expect(chooseMode('vm', host())).toEqual({ mode: 'vm', reason: 'mode vm was asked for' });
  });

  it('auto: the VM when not root, saying that host mode needs root', () => {
    const choice = chooseMode('auto', host({ root: false }));
    expect(choice.mode).toBe('vm');
    expect(choice.reason).toMatch(/\broot\b/);
    expect(choice.reason).toMatch(/^not root/);
  });

  it('auto: the VM when the host has neither loop devices nor nbd', () => {
    const choice = chooseMode('auto', host({ kernel: { loop: false, nbd: false } }));
    expect(choice.mode).toBe('vm');
    expect(choice.reason).toContain('loop');
    expect(choice.reason).toContain('nbd');
  });

  it('auto: the host when it is root with loop or nbd (one is enough)', () => {
    expect(chooseMode('auto', host()).mode).toBe('host');
    expect(chooseMode('auto', host({ kernel: { loop: false } })).mode).toBe('host');
    expect(chooseMode('auto', host({ kernel: { nbd: false } })).mode).toBe('host');
    expect(chooseMode('auto', host()).reason).toBe('the host can attach and mount the images');
  });

  it('auto: a host without device-mapper or md still starts on the host (a layer that needs them moves the session later)', () => {
    expect(chooseMode('auto', host({ kernel: { deviceMapper: false, md: false, nbd: false, fuse: false } })).mode).toBe('host');
  });

  it('auto: not being root decides before the kernel does', () => {
    expect(chooseMode('auto', host({ root: false, kernel: { loop: false, nbd: false } })).reason).toMatch(/^not root/);
  });
});
