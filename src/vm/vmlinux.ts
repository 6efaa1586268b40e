/**
 * A faster boot: Debian's kernel image (bzImage) is compressed (xz), and
 * decompressing it under TCG takes ~3 s of every boot. Its uncompressed ELF
 * carries a PVH entry point (CONFIG_PVH), which QEMU boots directly — so it
 * is extracted once per kernel and cached. A kernel without one boots as it is.
 */
import { chmod, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../core/exec.js';
import { cachedImagePath } from './cache.js';
import type { VmKernel } from './kernel.js';

/** Compressed payloads a bzImage may carry: their magic and the tool that decompresses them. */
const PAYLOADS: readonly { magic: Buffer; tool: string; args: string[] }[] = [
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: 'xz', args: ['-dc'] },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: 'zstd', args: ['-dc'] },
  { magic: Buffer.from([0x1f, 0x8b, 0x08]), tool: 'gzip', args: ['-dc'] },
];

/** Whether an ELF image has a Xen PVH entry note (name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY = 18). */
export function hasPvhEntry(elf: Buffer): boolean {
  if (elf.subarray(0, 4).toString('latin1') !== '\x7fELF') return false;
  const name = Buffer.from('Xen\0', 'latin1');
  for (let at = elf.indexOf(name); at >= 12; at = elf.indexOf(name, at + 1)) {
    if (elf.readUInt32LE(at - 12) === 4 && elf.readUInt32LE(at - 4) === 18) return true;
  }
  return false;
}

const runner = new Runner();

/**
 * Decompresses the payload of `bzImage` that starts at `at` with `tool` into
 * `out` (streamed by the shell: collecting 60 MB through a pipe is 15 times
 * slower); whether that gave an ELF. The tools complain about the bytes after
 * the stream, and still write it whole.
 */
async function decompressTo(kernel: string, at: number, tool: string, args: readonly string[], out: string): Promise<boolean> {
  await runner.run('sh', ['-c', 'tail -c +"$1" "$2" | "$3" $4 > "$5" 2>/dev/null; exit 0', 'sh', String(at + 1), kernel, tool, args.join(' '), out]);
  const head = await readFile(out).then((b) => b.subarray(0, 4).toString('latin1'), () => '');
  return head === '\x7fELF';
}

/** Decompresses the ELF inside a bzImage into `out`; false when none of {@link PAYLOADS} gives one. */
async function decompress(kernel: string, out: string): Promise<boolean> {
  const bzImage = await readFile(kernel);
  for (const { magic, tool, args } of PAYLOADS) {
    for (let at = bzImage.indexOf(magic); at >= 0; at = bzImage.indexOf(magic, at + 1)) {
      if (await decompressTo(kernel, at, tool, args, out)) return true;
    }
  }
  return false;
}

/**
 * The kernel file to boot: the cached uncompressed ELF with a PVH entry, made
 * on first use, or the kernel image itself when it has none (or cannot be
 * decompressed here).
 */
export async function bootableKernel(kernel: VmKernel): Promise<string> {
  const info = await stat(kernel.image);
  const cached = await cachedImagePath(`vmlinux-${kernel.version}-${info.size}-${Math.round(info.mtimeMs)}`);
  if (cached.exists) return cached.path;
  const tmp = `${cached.path}.${process.pid}.tmp`;
  try {
    if (!(await decompress(kernel.image, tmp)) || !hasPvhEntry(await readFile(tmp))) return kernel.image;
    await chmod(tmp, 0o644);
    await rename(tmp, cached.path);
    return path.resolve(cached.path);
  } catch {
    return kernel.image;
  } finally {
    await rm(tmp, { force: true });
  }
}
