/** Differencing VHDs for tests: qemu-img cannot create them, so a dynamic VHD it made is turned into one. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseVhdDynamicHeader, parseVhdFooter, readVhd } from '../../src/attach/vhd.js';

/** The VHD checksum: one's complement of the byte sum, the checksum field counted as zero. */
function setChecksum(block: Buffer, at: number): void {
  block.writeUInt32BE(0, at);
  let sum = 0;
  for (const b of block) sum += b;
  block.writeUInt32BE(~sum >>> 0, at);
}

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

/**
 * Turns a dynamic VHD made by qemu-img into a differencing disk of `parent`
 * (qemu-img cannot create one): footer type 4 at both ends, the parent's unique
 * id and name in the dynamic header, a relative (W2ru) locator appended before
 * the footer, and block bitmaps that mark only the sectors in `owned` (byte
 * ranges the child wrote), so that the rest must come from the parent.
 */
export async function makeDifferencing(child: string, parent: string, owned: [number, number][], locator = `.\\${path.basename(parent)}`): Promise<void> {
  const file = await readFile(child);
  const parentId = (await readVhd(parent)).footer.uniqueId;
  const footer = Buffer.from(file.subarray(file.length - 512));
  footer.writeUInt32BE(4, 60);
  setChecksum(footer, 64);
  const { dataOffset } = parseVhdFooter(footer);
  const header = Buffer.from(file.subarray(dataOffset, dataOffset + 1024));
  Buffer.from(parentId, 'hex').copy(header, 40);
  header.fill(0, 64, 576);
  utf16be(path.basename(parent)).copy(header, 64);
  const locatorData = Buffer.alloc(512);
  const locatorBytes = Buffer.from(locator, 'utf16le');
  locatorBytes.copy(locatorData);
  const locatorOffset = file.length - 512;
  header.write('W2ru', 576, 'latin1');
  header.writeUInt32BE(512, 580);
  header.writeUInt32BE(locatorBytes.length, 584);
  header.writeBigUInt64BE(BigInt(locatorOffset), 592);
  setChecksum(header, 36);
  const body = Buffer.from(file.subarray(0, file.length - 512));
  footer.copy(body, 0);
  header.copy(body, dataOffset);
  // Bitmaps: clear, then mark the owned sectors.
  const { tableOffset, maxTableEntries, blockSize } = parseVhdDynamicHeader(header);
  for (let block = 0; block < maxTableEntries; block++) {
    const entry = body.readUInt32BE(tableOffset + block * 4);
    if (entry === 0xffffffff) continue;
    const bitmap = entry * 512;
    body.fill(0, bitmap, bitmap + 512);
    for (const [start, end] of owned) {
      for (let sector = start / 512; sector < end / 512; sector++) {
        const inBlock = sector - (block * blockSize) / 512;
        if (inBlock >= 0 && inBlock < blockSize / 512) body[bitmap + (inBlock >> 3)]! |= 0x80 >> (inBlock & 7);
      }
    }
  }
  await writeFile(child, Buffer.concat([body, locatorData, footer]));
}

