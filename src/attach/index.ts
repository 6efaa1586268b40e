/** Attaches a session's drives: validates the path, knows the format, picks a backend. */
import { stat } from 'node:fs/promises';
import { VmcraftError, fromFsError } from '../core/errors.js';
import type { HostCapabilities } from '../core/probe.js';
import { resolveChain } from './chain.js';
import { checkImageBounds } from './bounds.js';
import { detectFormat, imageSize, type ImageFormat } from './detect.js';
import { attachLoop } from './loop.js';
import { exportOverFuse } from './fuse.js';
import { holdImageLock } from './lock.js';
import { attachNbd, type NbdOptions } from './nbd.js';
import type { AttachContext, AttachedDrive, BackendChoice, BackendName, DriveSpec, VerifiedDrive } from './types.js';

/** libguestfs-style drive name for a drive index: 0 → /dev/sda, 25 → /dev/sdz, 26 → /dev/sdaa. */
export function driveName(index: number): string {
  let letters = '';
  for (let n = index; n >= 0; n = Math.floor(n / 26) - 1) letters = String.fromCharCode(97 + (n % 26)) + letters;
  return `/dev/sd${letters}`;
}

/** Formats that cannot be attached as a disk, with what to do instead. */
const NOT_DISKS: Partial<Record<ImageFormat, string>> = {
  ova: 'an OVA is an archive of disks: extract them first (convert.extractOva)',
  ovf: 'an OVF is a VM description, not a disk: add the disk files it references',
  luks: 'a qemu LUKS-encrypted image is not supported yet',
};

/**
 * Checks that the image exists and is a file or block device, and that what
 * its header points at lies within it (not for a live drive: its writer may
 * extend the file after its tables); returns its format.
 */
async function resolveFormat(spec: DriveSpec): Promise<ImageFormat> {
  let info;
  try {
    info = await stat(spec.path);
  } catch (err) {
    throw fromFsError(err, spec.path, 'cannot open image');
  }
  if (!info.isFile() && !info.isBlockDevice()) {
    throw new VmcraftError('EINVAL', `${spec.path} is not a disk image (not a regular file or block device)`, { path: spec.path });
  }
  const detected = spec.format === undefined || spec.format === 'vhd' ? await detectFormat(spec.path) : undefined;
  const format = spec.format ?? detected!.format;
  // qemu reads a differencing VHD as if its parent were empty: refuse rather than show wrong data.
  if (format === 'vhd' && detected?.subformat === 'differencing') {
    throw new VmcraftError('EUNSUPPORTED', `${spec.path} is a differencing VHD: flatten its chain first (convert.flatten)`, { path: spec.path });
  }
  const refusal = NOT_DISKS[format];
  if (refusal) throw new VmcraftError('EFORMAT', `${spec.path}: ${refusal}`, { path: spec.path });
  if (!spec.live) await checkImageBounds(spec.path, format, await imageSize(spec.path, info));
  return format;
}

/** The backend to use for a drive of `format`, given the session's choice and the host. */
export function chooseBackend(choice: BackendChoice, format: ImageFormat, host: HostCapabilities): BackendName {
  const fuseWorks = host.kernel.fuse && host.kernel.loop && 'qemu-storage-daemon' in host.tools;
  const nbdWorks = host.kernel.nbd && 'qemu-nbd' in host.tools;
  const raw = format === 'raw' || format === 'iso';
  if (choice === 'device') {
    if (!raw) throw new VmcraftError('EINVAL', `the device backend only takes raw block devices, not ${format}`);
    return choice;
  }
  const backend: BackendName = choice !== 'auto' ? choice : nbdWorks ? 'nbd' : raw ? 'loop' : 'fuse';
  if (backend === 'nbd') {
    if (!nbdWorks) throw new VmcraftError('EUNSUPPORTED', `the nbd backend needs ${host.kernel.nbd ? 'qemu-nbd (package qemu-utils)' : 'the nbd kernel module (modprobe nbd)'}`);
    return backend;
  }
  if (!host.kernel.loop) throw new VmcraftError('EUNSUPPORTED', 'this host has no loop devices (/dev/loop-control is missing)');
  if (backend === 'fuse' && !fuseWorks) {
    const missing = 'qemu-storage-daemon' in host.tools ? '/dev/fuse' : 'qemu-storage-daemon (package qemu-system-common)';
    throw new VmcraftError('EUNSUPPORTED', `the fuse backend needs ${missing}`);
  }
  if (backend === 'loop' && format !== 'raw' && format !== 'iso') {
    throw new VmcraftError('EINVAL', `the loop backend only attaches raw images, not ${format}`);
  }
  return backend;
}

/**
 * A drive with its format known and its chain verified against its policy
 * (`EUNSAFE` for a reference the policy does not allow): what QEMU is given,
 * here or in a VM.
 */
export async function verifyDrive(spec: DriveSpec, format?: ImageFormat): Promise<VerifiedDrive> {
  const known = format ?? (await resolveFormat(spec));
  return { ...spec, format: known, links: await resolveChain(spec.path, { format: known, ...(spec.chain ? { chain: spec.chain } : {}) }) };
}

/**
 * Attaches one drive, its chain verified against its policy first (`EUNSAFE`
 * for a reference the policy does not allow); every resource it makes is on
 * ctx.cleanup by the time it returns or throws.
 */
export async function attachDrive(
  spec: DriveSpec,
  index: number,
  choice: BackendChoice,
  host: HostCapabilities,
  ctx: AttachContext,
  nbdOptions: NbdOptions = {},
): Promise<AttachedDrive> {
  const format = await resolveFormat(spec);
  const backend = chooseBackend(choice, format, host);
  const drive = await verifyDrive(spec, format);
  let hostDevice: string;
  if (backend === 'device') {
    if (!(await stat(spec.path)).isBlockDevice()) throw new VmcraftError('EINVAL', `the device backend takes block devices: ${spec.path} is not one`, { path: spec.path });
    hostDevice = spec.path;
  } else if (backend === 'nbd') {
    hostDevice = await attachNbd(drive, ctx, nbdOptions);
  } else {
    // The fuse export takes the image's lock itself; on the loop backend nothing else opens it through QEMU.
    if (backend === 'loop') await holdImageLock(drive, index, ctx);
    const file = backend === 'fuse' ? await exportOverFuse(drive, index, ctx) : spec.path;
    hostDevice = await attachLoop(file, spec.readonly, ctx);
  }
  return { index, name: driveName(index), hostDevice, path: spec.path, format, backend, readonly: spec.readonly };
}
