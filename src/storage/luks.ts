/**
 * The LUKS layer (LUKS1 and LUKS2): opens a device with the keys the session
 * was given, as `luks-<UUID>` (the name systemd and most installers use, so
 * fstab's /dev/mapper/luks-… entries resolve), read-only in read-only sessions.
 */
import { VmcraftError } from '../core/errors.js';
import { pushTeardown } from '../core/teardown.js';
import { newDevice } from './device.js';
import { WRONG_KEY } from './luks-admin.js';
import { requireKernelFeature } from './kernel.js';
import type { BlockDevice, LayerContext, LuksKey, StorageLayer } from './types.js';

/** The cleanup label of an open LUKS mapping (luksClose releases it early). */
export function luksTeardownLabel(mapName: string): string {
  return `LUKS mapping ${mapName}`;
}

/** The keys that apply to a device, those naming it first. */
export function keysFor(device: BlockDevice, keys: readonly LuksKey[]): string[] {
  const named = keys.filter((k) => k.device === device.name || (k.device && k.device.toLowerCase() === device.probe.uuid?.toLowerCase()));
  return [...named, ...keys.filter((k) => !k.device)].map((k) => k.key);
}

/** Opens a LUKS device with the first key that works; EBADKEY when none does. */
export async function openLuks(device: BlockDevice, keys: string[], ctx: LayerContext, mapName?: string): Promise<BlockDevice> {
  const name = mapName ?? `luks-${device.probe.uuid ?? device.name.replace(/\W/g, '')}`;
  requireKernelFeature(ctx, 'deviceMapper', `the LUKS device ${device.name}${device.probe.uuid ? ` (UUID ${device.probe.uuid})` : ''}`);
  for (const key of keys) {
    try {
      await ctx.runner.run('cryptsetup', ['open', '--type', 'luks', '--key-file=-', ...(ctx.readonly ? ['--readonly'] : []), device.hostPath, name], {
        input: key,
        redact: [key],
        timeoutMs: 120_000,
      });
    } catch (err) {
      if (err instanceof VmcraftError && err.command?.exitCode === WRONG_KEY) continue;
      throw err;
    }
    await pushTeardown(ctx, luksTeardownLabel(name), { file: 'cryptsetup', args: ['close', name] });
    return newDevice(`/dev/mapper/${name}`, `/dev/mapper/${name}`, 'crypt', device, ctx);
  }
  throw new VmcraftError('EBADKEY', `no key given for ${device.name} opens it (${keys.length} tried)`, { path: device.name });
}

/** Opens LUKS devices during the scan when the session has keys for them. */
export class LuksLayer implements StorageLayer {
  readonly name = 'luks';

  detect(device: BlockDevice): boolean {
    return device.probe.type === 'crypto_LUKS';
  }

  async activate(device: BlockDevice, ctx: LayerContext): Promise<BlockDevice[]> {
    const keys = keysFor(device, ctx.keys);
    if (keys.length === 0) {
      ctx.warn(`${device.name} is LUKS-encrypted and no key was given: it stays locked (pass keys, or call luksOpen)`);
      return [];
    }
    return [await openLuks(device, keys, ctx)];
  }
}
