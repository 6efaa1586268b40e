/**
 * Safe OVA extraction in one pass over the archive: no absolute or `..`
 * member names, no links or devices, manifest digests checked while the disks
 * stream out, and nothing left behind when anything is wrong.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { VmcraftError } from '../core/errors.js';
import { parseManifest, parseOvf, type OvfDescriptor } from './ovf.js';

/** A file extracted from an OVA. */
export interface ExtractedFile { name: string; path: string; size: number; sha256: string }

/** What {@link extractOva} produced. */
export interface OvaContents {
  descriptor: OvfDescriptor;
  /** The .ovf file name inside the archive. */
  ovfName: string;
  /** Every non-descriptor member, extracted. */
  files: ExtractedFile[];
  /** Whether a manifest was present (and every digest in it matched). */
  manifestVerified: boolean;
}

const MAX_TEXT_MEMBER = 16 * 1024 * 1024;

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

/** Extracts an OVA into `destDir` (which must not exist yet). */
export async function extractOva(ova: string, destDir: string): Promise<OvaContents> {
  if (await stat(destDir).then(() => true, () => false)) throw new VmcraftError('EEXIST', `${destDir} exists`, { path: destDir });
  const work = `${destDir}.vmcraft-tmp`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const files: ExtractedFile[] = [];
  const digests = new Map<string, Record<string, string>>();
  const texts = new Map<string, string>();
  try {
    const pending: Promise<void>[] = [];
    let failure: unknown;
    const parser = new Parser({ strict: true });
    parser.on('entry', (entry: ReadEntry) => {
      pending.push(handleEntry(entry).catch((err: unknown) => {
        failure ??= err;
        entry.resume();
        parser.abort(err as Error);
      }));
    });
    const handleEntry = async (entry: ReadEntry): Promise<void> => {
      const name = safeMemberName(entry.path);
      if (entry.type === 'Directory') return void entry.resume();
      if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
        throw new VmcraftError('EFORMAT', `OVA member ${name} is a ${entry.type}, not a file`);
      }
      if (/\.(ovf|mf|cert)$/i.test(name)) return void texts.set(name, await textOf(entry));
      const target = path.join(work, path.basename(name));
      const hashes: Record<string, Hash> = { sha1: createHash('sha1'), sha256: createHash('sha256'), sha512: createHash('sha512') };
      // Hash inside the pipeline: a separate 'data' listener would start the flow before the file is piped.
      await pipeline(
        entry,
        async function* hash(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            for (const h of Object.values(hashes)) h.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(target),
      );
      const sums = Object.fromEntries(Object.entries(hashes).map(([k, h]) => [k, h.digest('hex')]));
      digests.set(name, sums);
      files.push({ name, path: path.join(destDir, path.basename(name)), size: entry.size, sha256: sums.sha256! });
    };
    const parsed = new Promise<void>((resolve, reject) => {
      parser.on('error', reject);
      parser.on('abort', reject);
      parser.on('close', resolve);
      createReadStream(ova).on('error', reject).pipe(parser);
    });
    await parsed.catch((err: unknown) => void (failure ??= err));
    await Promise.allSettled(pending);
    if (failure) throw failure;
    const ovfName = [...texts.keys()].find((n) => n.toLowerCase().endsWith('.ovf'));
    if (!ovfName) throw new VmcraftError('EFORMAT', `${ova} has no .ovf descriptor`);
    for (const [name, text] of texts) digests.set(name, { ...digestsOfText(text) });
    const manifestName = [...texts.keys()].find((n) => n.toLowerCase().endsWith('.mf'));
    if (manifestName) verifyManifest(texts.get(manifestName)!, digests);
    const descriptor = parseOvf(texts.get(ovfName)!);
    await rename(work, destDir);
    return { descriptor, ovfName, files, manifestVerified: manifestName !== undefined };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    if (err instanceof VmcraftError) throw err;
    throw new VmcraftError('EFORMAT', `cannot read OVA ${ova}: ${(err as Error).message}`, { cause: err });
  }
}

function digestsOfText(text: string): Record<string, string> {
  return Object.fromEntries(['sha1', 'sha256', 'sha512'].map((a) => [a, createHash(a).update(text).digest('hex')]));
}

function verifyManifest(manifest: string, digests: Map<string, Record<string, string>>): void {
  for (const entry of parseManifest(manifest)) {
    const actual = digests.get(entry.file)?.[entry.algorithm];
    if (actual === undefined) throw new VmcraftError('ECHECKSUM', `the manifest lists ${entry.file}, which is not in the OVA`);
    if (actual !== entry.digest) throw new VmcraftError('ECHECKSUM', `${entry.file}: ${entry.algorithm} is ${actual}, the manifest says ${entry.digest}`);
  }
}
