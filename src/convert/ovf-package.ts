/** An unpacked OVF package: the .ovf with its disks (and maybe a .mf) in one directory. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError, fromFsError } from '../core/errors.js';
import { safeMemberName } from './ova.js';
import { parseManifest, parseOvf, type OvfDescriptor, type OvfDisk } from './ovf.js';

/** What {@link readOvfPackage} found. */
export interface OvfPackage {
  descriptor: OvfDescriptor;
  /** The OVF's disks, each with the host path of its file (a disk without a file has none). */
  disks: (OvfDisk & { path?: string })[];
  /** Whether a manifest (`<name>.mf` beside the .ovf) was present and every digest in it matched. */
  manifestVerified: boolean;
}

async function digestOf(file: string, algorithm: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Reads an .ovf file and the package around it: disk files resolved inside the
 * .ovf's directory (a reference that leaves it is EFORMAT, a missing one ENOENT),
 * and the manifest's digests checked when there is one (ECHECKSUM).
 */
export async function readOvfPackage(ovfPath: string): Promise<OvfPackage> {
  const xml = await readFile(ovfPath, 'utf8').catch((err: unknown) => {
    throw fromFsError(err, ovfPath, 'cannot read OVF');
  });
  const descriptor = parseOvf(xml);
  const dir = path.dirname(ovfPath);
  const local = (href: string) => path.join(dir, safeMemberName(href));
  const disks = descriptor.disks.map((disk) => (disk.href === undefined || /^[a-z][\w+.-]*:/i.test(disk.href) ? disk : { ...disk, path: local(disk.href) }));
  for (const disk of disks) {
    if (!('path' in disk) || !disk.path) continue;
    await stat(disk.path).catch((err: unknown) => {
      throw fromFsError(err, disk.path!, `cannot find the file of OVF disk ${disk.id}:`);
    });
  }
  const manifestPath = path.join(dir, `${path.basename(ovfPath, path.extname(ovfPath))}.mf`);
  const manifest = await readFile(manifestPath, 'utf8').catch(() => undefined);
  if (manifest !== undefined) {
    for (const entry of parseManifest(manifest)) {
      const actual = await digestOf(local(entry.file), entry.algorithm).catch((err: unknown) => {
        throw new VmcraftError('ECHECKSUM', `the manifest lists ${entry.file}, which cannot be read`, { cause: err });
      });
      if (actual !== entry.digest) throw new VmcraftError('ECHECKSUM', `${entry.file}: ${entry.algorithm} is ${actual}, the manifest says ${entry.digest}`);
    }
  }
  return { descriptor, disks, manifestVerified: manifest !== undefined };
}
