/**
 * libguestfs' `inspect_get_icon`: the PNG a guest ships as its OS logo,
 * found where libguestfs looks for it (a favicon first, then per distro),
 * checked as libguestfs checks it (a PNG of 16–1024 pixels a side, under a
 * size bound) and returned as bytes, or an empty buffer when there is none.
 * The bytes come from an untrusted guest: they are only ever returned,
 * never decoded here beyond the PNG header.
 */
import type { FileContext } from '../fs/files/context.js';
import { readHead } from '../fs/files/read.js';
import { isType } from '../fs/files/stat.js';
import { VmcraftError } from '../core/errors.js';
import type { OsInfo } from './types.js';

/** Options of `GuestFS.inspectGetIcon`, as libguestfs' optargs. */
export interface InspectIconOptions {
  /** Look for `/etc/favicon.png` first. @default true */
  favicon?: boolean;
  /** Only high-quality icons (high resolution with alpha); turns the favicon off. @default false */
  highquality?: boolean;
}

/** Where an OS keeps its logo, and the largest file libguestfs accepts there (0: four bytes per pixel). */
interface IconSource {
  paths: string[];
  maxBytes: number;
  /** libguestfs skips it when high quality is asked (Ubuntu's are small). */
  lowQuality?: boolean;
}

const RHEL_LIKE = ['rhel', 'redhat-based', 'centos', 'circle', 'rocky', 'scientificlinux', 'oraclelinux'];
const SUSE_LIKE = ['suse-based', 'opensuse', 'sles'];

/** libguestfs' per-distro icons (lib/inspect-icon.c). Cirros (text rendered by netpbm) and Windows (explorer.exe resources) are not read. */
function distroIcon(info: OsInfo): IconSource | undefined {
  const d = info.distro;
  if (d === 'fedora') return { paths: ['/usr/share/icons/hicolor/96x96/apps/fedora-logo-icon.png'], maxBytes: 0 };
  if (RHEL_LIKE.includes(d)) {
    const shadowman = info.majorVersion < 7 ? '/usr/share/pixmaps/redhat/shadowman-transparent.png' : '/usr/share/icons/hicolor/96x96/apps/system-logo-icon.png';
    return { paths: [shadowman], maxBytes: 102400 };
  }
  if (d === 'debian') return { paths: ['/usr/share/pixmaps/debian-logo.png'], maxBytes: 2048 };
  if (d === 'ubuntu') return { paths: ['/usr/share/icons/gnome/24x24/places/ubuntu-logo.png', '/usr/share/help/C/ubuntu-help/figures/ubuntu-logo.png'], maxBytes: 2048, lowQuality: true };
  if (d === 'mageia') return { paths: ['/usr/share/icons/mageia.png'], maxBytes: 10240 };
  if (SUSE_LIKE.includes(d)) return { paths: ['/usr/share/icons/hicolor/48x48/apps/distributor.png', '/usr/share/icons/hicolor/24x24/apps/distributor.png'], maxBytes: 10240 };
  if (d === 'voidlinux') return { paths: ['/usr/share/void-artwork/void-logo.png'], maxBytes: 20480 };
  if (d === 'altlinux') return { paths: ['/usr/share/icons/hicolor/48x48/apps/altlinux.png'], maxBytes: 20480 };
  if (d === 'gentoo') return { paths: ['/usr/share/icons/gentoo/48x48/gentoo.png'], maxBytes: 10240 };
  if (d === 'openmandriva') return { paths: ['/usr/share/icons/large/mandriva.png', '/usr/share/icons/mandriva.png'], maxBytes: 10240 };
  return undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes do not start as a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** One candidate file: a regular file (links followed inside the guest) holding a PNG of sane geometry, within the bound. */
async function iconAt(files: FileContext, guestPath: string, maxBytes: number): Promise<Buffer | undefined> {
  if (!(await isType(files, guestPath, 'file', true))) return undefined;
  const head = await readHead(files, guestPath, 24);
  const size = pngSize(head);
  if (!size || size.width < 16 || size.height < 16 || size.width > 1024 || size.height > 1024) return undefined;
  const bound = maxBytes || 4 * size.width * size.height;
  const bytes = await readHead(files, guestPath, bound + 1);
  return bytes.length > bound ? undefined : bytes;
}

async function firstIcon(files: FileContext, source: IconSource): Promise<Buffer | undefined> {
  for (const candidate of source.paths) {
    const found = await iconAt(files, candidate, source.maxBytes).catch((err: unknown) => {
      // A file that vanished or cannot be read is "no icon", as in libguestfs; anything else is a real error.
      if (err instanceof VmcraftError && ['ENOENT', 'ENOTDIR', 'EINVAL', 'ELOOP', 'EACCES'].includes(err.code)) return undefined;
      throw err;
    });
    if (found) return found;
  }
  return undefined;
}

/** The OS's icon from the mounted guest: PNG bytes, or an empty buffer when there is none (as libguestfs). */
export async function osIcon(files: FileContext, info: OsInfo, options: InspectIconOptions = {}): Promise<Buffer> {
  const highquality = options.highquality ?? false;
  const favicon = !highquality && (options.favicon ?? true);
  const sources: IconSource[] = [];
  if (favicon) sources.push({ paths: ['/etc/favicon.png'], maxBytes: 0 });
  const distro = info.type === 'linux' || info.type === 'hurd' ? distroIcon(info) : undefined;
  if (distro && !(highquality && distro.lowQuality)) sources.push(distro);
  for (const source of sources) {
    const found = await firstIcon(files, source);
    if (found) return found;
  }
  return Buffer.alloc(0);
}
