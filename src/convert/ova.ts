/**
 * Safe OVA extraction in one pass over the archive: no absolute or `..`
 * member names, no links or devices, manifest digests checked while the disks
 * stream out, and nothing left behind when anything is wrong.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ReadEntry } from 'tar';
import { VmcraftError, fromFsError } from '../core/errors.js';
import { lazy } from '../core/lazy.js';
import { parseManifest, parseOvf, type ManifestEntry, type OvfDescriptor, type OvfDisk } from './ovf.js';

/** A file extracted from an OVA. */
export interface ExtractedFile { name: string; path: string; size: number; sha256: string }

/** What {@link extractOva} produced. */
export interface OvaContents {
  descriptor: OvfDescriptor;
  /** The .ovf file name inside the archive. */
  ovfName: string;
  /** Every member, extracted (the .ovf and .mf included). */
  files: ExtractedFile[];
  /** The OVF's disks, each with the path of its extracted file (a disk without a file has none). */
  disks: (OvfDisk & { path?: string })[];
  /** Whether a manifest was present (and every digest in it matched). */
  manifestVerified: boolean;
}

const MAX_TEXT_MEMBER = 16 * 1024 * 1024;
const ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
type Digests = Partial<Record<ManifestEntry['algorithm'], string>>;
const loadTar = lazy(() => import('tar'));

/** Checks a member name: a plain relative name, no `..`, no absolute path. */
export function safeMemberName(name: string): string {
  const clean = name.replace(/^\.\//, '');
  if (clean === '' || path.posix.isAbsolute(clean) || clean.split('/').some((c) => c === '..') || clean.includes('\0')) {
    throw new VmcraftError('EFORMAT', `unsafe member name in OVA: ${JSON.stringify(name)}`);
  }
  return clean;
}

async function textOf(entry: ReadEntry): Promise<string> {
  if (entry.size > MAX_TEXT_MEMBER) throw new VmcraftError('EFORMAT', `${entry.path} is too large for a descriptor`);
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function digestsOf(data: Buffer | string): Digests {
  return Object.fromEntries(ALGORITHMS.map((a) => [a, createHash(a).update(data).digest('hex')]));
}

/** Reads the archive once: text members kept in memory, every other member streamed to `work` with its digests. */
async function readArchive(ova: string, work: string): Promise<{ texts: Map<string, string>; digests: Map<string, Digests>; files: Omit<ExtractedFile, 'path'>[] }> {
  const texts = new Map<string, string>();
  const digests = new Map<string, Digests>();
  const files: Omit<ExtractedFile, 'path'>[] = [];
  const seen = new Set<string>();
  // ovftool writes the .ovf and .mf first: once the manifest is known, only the digests it asks for are computed.
  let manifest: ManifestEntry[] | undefined;
  const handleEntry = async (entry: ReadEntry): Promise<void> => {
    const name = safeMemberName(entry.path);
    if (entry.type === 'Directory') return void entry.resume();
    if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
      throw new VmcraftError('EFORMAT', `OVA member ${name} is a ${entry.type}, not a file`);
    }
    // Members are extracted flat, so two with the same base name would overwrite each other.
    const base = path.posix.basename(name);
    if (seen.has(base)) throw new VmcraftError('EFORMAT', `the OVA holds ${base} twice`);
    seen.add(base);
    // Entries are handled concurrently (a text member's write may end after the next member's): keep archive order.
    const slot = files.push(undefined!) - 1;
    if (/\.(ovf|mf|cert)$/i.test(name)) {
      const text = await textOf(entry);
      texts.set(name, text);
      digests.set(name, digestsOf(text));
      if (/\.mf$/i.test(name)) manifest = parseManifest(text);
      await writeFile(path.join(work, base), text);
      files[slot] = { name, size: Buffer.byteLength(text), sha256: digests.get(name)!.sha256! };
      return;
    }
    const wanted = new Set<ManifestEntry['algorithm']>(manifest ? ['sha256', ...manifest.filter((m) => m.file === name).map((m) => m.algorithm)] : ALGORITHMS);
    const hashes = [...wanted].map((a) => [a, createHash(a)] as [ManifestEntry['algorithm'], Hash]);
    // Hash inside the pipeline: a separate 'data' listener would start the flow before the file is piped.
    await pipeline(
      entry,
      async function* hash(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          for (const [, h] of hashes) h.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(path.join(work, base), { flags: 'wx' }),
    );
    const sums: Digests = Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')]));
    digests.set(name, sums);
    files[slot] = { name, size: entry.size, sha256: sums.sha256! };
  };

  const pending: Promise<void>[] = [];
  let failure: unknown;
  const { Parser } = await loadTar();
  const parser = new Parser({ strict: true });
  parser.on('entry', (entry: ReadEntry) => {
    pending.push(handleEntry(entry).catch((err: unknown) => {
      failure ??= err;
      entry.resume();
      parser.abort(err as Error);
    }));
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('abort', reject);
    parser.on('close', resolve);
    createReadStream(ova).on('error', reject).pipe(parser);
  }).catch((err: unknown) => void (failure ??= err));
  await Promise.allSettled(pending);
  if (failure) throw failure;
  return { texts, digests, files };
}

function verifyManifest(manifest: string, digests: Map<string, Digests>): void {
  for (const entry of parseManifest(manifest)) {
    if (!digests.has(entry.file)) throw new VmcraftError('ECHECKSUM', `the manifest lists ${entry.file}, which is not in the OVA`);
    const actual = digests.get(entry.file)![entry.algorithm];
    if (actual !== entry.digest) throw new VmcraftError('ECHECKSUM', `${entry.file}: ${entry.algorithm} is ${actual ?? 'not computed'}, the manifest says ${entry.digest}`);
  }
}

/** Every disk file the OVF names must be in the archive (references by URL are not). */
function disksWithPaths(descriptor: OvfDescriptor, names: Set<string>, destDir: string): OvaContents['disks'] {
  return descriptor.disks.map((disk) => {
    if (disk.href === undefined || /^[a-z][\w+.-]*:/i.test(disk.href)) return disk;
    if (!names.has(disk.href)) throw new VmcraftError('EFORMAT', `the OVF's disk ${disk.id} is in ${disk.href}, which is not in the OVA`);
    return { ...disk, path: path.join(destDir, path.posix.basename(disk.href)) };
  });
}

/**
 * Extracts an OVA into `destDir` (which must not exist yet), in one pass:
 * members are written flat into a temp directory beside it while their
 * digests are computed, the manifest is checked, and only then is the temp
 * directory renamed to `destDir`. EFORMAT for unsafe names, links, devices or
 * a missing .ovf or disk, ECHECKSUM for a digest that does not match.
 */
export async function extractOva(ova: string, destDir: string): Promise<OvaContents> {
  await stat(ova).catch((err: unknown) => {
    throw fromFsError(err, ova, 'cannot open OVA');
  });
  if (await stat(destDir).then(() => true, () => false)) throw new VmcraftError('EEXIST', `${destDir} exists`, { path: destDir });
  const work = `${destDir}.vmcraft-tmp`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const { texts, digests, files } = await readArchive(ova, work);
    const ovfName = [...texts.keys()].find((n) => n.toLowerCase().endsWith('.ovf'));
    if (!ovfName) throw new VmcraftError('EFORMAT', `${ova} has no .ovf descriptor`);
    const manifestName = [...texts.keys()].find((n) => n.toLowerCase().endsWith('.mf'));
    if (manifestName) verifyManifest(texts.get(manifestName)!, digests);
    const descriptor = parseOvf(texts.get(ovfName)!);
    const disks = disksWithPaths(descriptor, new Set(files.map((f) => f.name)), destDir);
    await rename(work, destDir);
    return {
      descriptor, ovfName, disks, manifestVerified: manifestName !== undefined,
      files: files.map((f) => ({ ...f, path: path.join(destDir, path.posix.basename(f.name)) })),
    };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    if (err instanceof VmcraftError) throw err;
    throw new VmcraftError('EFORMAT', `cannot read OVA ${ova}: ${(err as Error).message}`, { cause: err });
  }
}
