/**
 * GuestFS, the façade of vmcraft: one session over one or more disk images,
 * with every call of the API table installed on it (src/api/).
 */
import { installCalls } from './api/install.js';
import type { GuestFSCalls, LibguestfsCalls } from './api/generated.js';
import type { DriveOptions, GuestFSOptions } from './api/options.js';
import { Session, type RemoteSession } from './api/session.js';
import type { VerifiedDrive } from './attach/types.js';
import { API } from './api/table.js';

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
export class GuestFS extends Session {
  /** Creates a session, adds the image(s) and launches it. */
  static async open(images: string | string[], options: OpenOptions = {}): Promise<GuestFS> {
    const { format, live, chain, ...sessionOptions } = options;
    const g = new GuestFS(sessionOptions);
    for (const image of Array.isArray(images) ? images : [images]) g.addDrive(image, { ...(format ? { format } : {}), ...(live !== undefined ? { live } : {}), ...(chain !== undefined ? { chain } : {}) });
    await g.launch();
    return g;
  }

  /** @internal VM mode: loaded on first use, so host-mode programs never load it. */
  protected override async startVm(drives: readonly VerifiedDrive[]): Promise<RemoteSession> {
    const { openVmSession } = await import('./vm/session.js');
    return openVmSession(this, drives);
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
}

export interface GuestFS extends GuestFSCalls, LibguestfsCalls {}

installCalls(GuestFS.prototype, API);
