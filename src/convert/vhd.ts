/**
 * Merging a VHD chain into a raw image, for flatten(): qemu's vpc driver reads
 * a differencing VHD as if it had no parent, so vmcraft writes the layers
 * itself, base first, over a sparse raw file. The chain is the one
 * attach/vhd.ts resolved.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { VmcraftError } from '../core/errors.js';
import { readVhd, readVhdLayout, VHD_NO_BLOCK } from '../attach/vhd.js';

async function readAt(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Writes one layer's data over `out`: a fixed disk whole, a dynamic disk's blocks, a differencing disk's marked sectors. */
async function applyLayer(file: string, out: FileHandle, signal: AbortSignal | undefined): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const { footer, header } = await readVhdLayout(handle);
    if (!header) {
      const chunk = 4 * 1024 * 1024;
      for (let at = 0; at < footer.currentSize; at += chunk) {
        if (signal?.aborted) throw new VmcraftError('EABORTED', `merging ${file} was aborted`, { path: file });
        const data = await readAt(handle, Math.min(chunk, footer.currentSize - at), at);
        if (data.some((b) => b !== 0)) await out.write(data, 0, data.length, at);
      }
      return;
    }
    const bat = await readAt(handle, header.maxTableEntries * 4, header.tableOffset);
    const sectorsPerBlock = header.blockSize / 512;
    const bitmapBytes = Math.ceil(sectorsPerBlock / 8 / 512) * 512;
    for (let block = 0; block < header.maxTableEntries; block++) {
      const entry = bat.readUInt32BE(block * 4);
      if (entry === VHD_NO_BLOCK) continue;
      if (signal?.aborted) throw new VmcraftError('EABORTED', `merging ${file} was aborted`, { path: file });
      const bitmap = await readAt(handle, bitmapBytes, entry * 512);
      const data = await readAt(handle, header.blockSize, entry * 512 + bitmapBytes);
      const base = block * header.blockSize;
      // A dynamic disk owns its allocated blocks whole; a differencing disk only the sectors its bitmap marks (MSB first).
      const marked = (s: number) => footer.diskType !== 'differencing' || ((bitmap[s >> 3] ?? 0) & (0x80 >> (s & 7))) !== 0;
      for (let s = 0; s < sectorsPerBlock; ) {
        if (!marked(s)) { s++; continue; }
        let end = s + 1;
        while (end < sectorsPerBlock && marked(end)) end++;
        const length = Math.min(end * 512, footer.currentSize - base) - s * 512;
        if (length > 0) await out.write(data, s * 512, length, base + s * 512);
        s = end;
      }
    }
  } finally {
    await handle.close();
  }
}

/** Merges a VHD chain (top first, as {@link vhdParentOf} resolved it) into the new sparse raw file `out`. */
export async function mergeVhdChain(chain: string[], out: string, signal?: AbortSignal): Promise<void> {
  const top = await readVhd(chain[0]!);
  const handle = await open(out, 'wx');
  try {
    await handle.truncate(top.footer.currentSize);
    for (const file of [...chain].reverse()) await applyLayer(file, handle, signal);
  } finally {
    await handle.close();
  }
}
