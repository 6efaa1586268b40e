/**
 * GuestFS, the façade of vmcraft: one session over one or more disk images.
 * Its calls are layered by concern (lifecycle → devices → mounts → files →
 * inspection); this file adds the conveniences and the libguestfs aliases.
 */
import { VmcraftError } from './core/errors.js';
import { featuresAvailable, FEATURE_GROUPS, type FeatureGroup } from './core/features.js';
import { probeHost } from './core/probe.js';
import { API, installAliases, type LibguestfsAliases } from './api/table.js';
import { trackCalls } from './guestfs/base.js';
import { GuestFSWindows } from './guestfs/windows.js';
import type { DriveOptions, GuestFSOptions } from './guestfs/options.js';

/** Options of {@link GuestFS.open}: session options plus those of its drives. */
export type OpenOptions = GuestFSOptions & Pick<DriveOptions, 'format' | 'live' | 'chain'>;

/**
 * A session over disk images.
 *
 * @example
 * ```ts
 * await using g = await GuestFS.open('disk.qcow2', { readonly: true });
 * const [root] = await g.inspectOs();
 * await g.mountRoot(root!);
 * console.log(await g.cat('/etc/hostname'));
 * ```
 */
export class GuestFS extends GuestFSWindows {
  /** Creates a session, adds the image(s) and launches it. */
  static async open(images: string | string[], options: OpenOptions = {}): Promise<GuestFS> {
    const { format, live, chain, ...sessionOptions } = options;
    const g = new GuestFS(sessionOptions);
    for (const image of Array.isArray(images) ? images : [images]) g.addDrive(image, { ...(format ? { format } : {}), ...(live !== undefined ? { live } : {}), ...(chain !== undefined ? { chain } : {}) });
    await g.launch();
    return g;
  }

  /** Opens a session, runs `fn` with it and closes it, whatever `fn` does. */
  static async with<T>(images: string | string[], options: OpenOptions, fn: (g: GuestFS) => Promise<T>): Promise<T> {
    const g = await GuestFS.open(images, options);
    try {
      return await fn(g);
    } finally {
      await g.close();
    }
  }

  /** Whether every feature group is usable on this host (libguestfs `feature_available`). */
  async available(groups: FeatureGroup[]): Promise<boolean> {
    const unknown = groups.filter((g) => !FEATURE_GROUPS.includes(g));
    if (unknown.length) throw new VmcraftError('EINVAL', `unknown feature group(s) ${unknown.join(', ')} (known: ${FEATURE_GROUPS.join(', ')})`);
    return featuresAvailable(await probeHost(), groups);
  }
}

export interface GuestFS extends LibguestfsAliases<GuestFSWindows & { available(groups: FeatureGroup[]): Promise<boolean> }> {}

trackCalls(GuestFS.prototype, API.filter((e) => e.group !== 'lifecycle').map((e) => e.name));
installAliases(GuestFS.prototype);
