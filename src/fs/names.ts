/**
 * Guest file names as bytes. Linux names are bytes, not text: a guest may hold
 * names that are not valid UTF-8. Every call taking a guest path accepts the
 * raw bytes (a Buffer), and listing calls return Buffers with
 * `{ encoding: 'buffer' }`, as Node's own fs does.
 *
 * String results stay lossless: a byte that is not part of valid UTF-8 is
 * decoded to a lone surrogate U+DC80–U+DCFF (Python's `surrogateescape`,
 * PEP 383), which valid UTF-8 never yields, and such a string given back as a
 * guest path is encoded to the same bytes. So `for (const f of await g.find('/')) if (await g.isFile('/' + f))
 * await g.read('/' + f)` reads every file whatever its name.
 */

/** A guest path or name: text (UTF-8, with surrogate escapes for other bytes) or its raw bytes. */
export type GuestPath = string | Uint8Array;

/** How listing calls return names: text (the default) or Buffers of the raw bytes. */
export type NameEncoding = 'utf8' | 'buffer';

/** Options of the listing calls (`ls`, `find`…). */
export interface NameOptions {
  /** `'buffer'`: names as Buffers of their raw bytes, as Node's `readdir(…, { encoding: 'buffer' })`. @default 'utf8' */
  encoding?: NameEncoding;
}

import { isUtf8 } from 'node:buffer';

const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** The raw bytes of a guest path or name (surrogate escapes turned back into their bytes). */
export function nameBytes(name: GuestPath): Buffer {
  if (typeof name !== 'string') return Buffer.from(name.buffer, name.byteOffset, name.byteLength);
  if (!ESCAPED.test(name)) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  for (const ch of name) {
    const code = ch.charCodeAt(0);
    parts.push(ch.length === 1 && code >= 0xdc80 && code <= 0xdcff ? Buffer.of(code - 0xdc00) : Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}

/** Length in bytes of the UTF-8 sequence starting with `lead` at `bytes[i]`, or 0 when it is not valid there. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length <= 1 || i + length > bytes.length) return length === 1 ? 1 : 0;
  return isUtf8(bytes.subarray(i, i + length)) ? length : 0;
}

/** A name's bytes as text, each byte outside valid UTF-8 as a surrogate escape (lossless). */
export function decodeName(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  for (let i = 0; i < buf.length;) {
    const length = sequenceLength(buf, i);
    if (length === 0) out += String.fromCharCode(0xdc00 + buf[i++]!);
    else out += buf.toString('utf8', i, (i += length));
  }
  return out;
}

/** A guest path as text for messages: surrogate escapes shown as `\xNN`. */
export function showPath(name: GuestPath): string {
  const text = typeof name === 'string' ? name : decodeName(name);
  return text.replace(/[\uDC80-\uDCFF]/g, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16)}`).replace(/\0/g, '\\0');
}

/** A name in the encoding a listing call was asked for. */
export function encodeName(bytes: Buffer, encoding: NameEncoding | undefined): string | Buffer {
  return encoding === 'buffer' ? bytes : decodeName(bytes);
}
