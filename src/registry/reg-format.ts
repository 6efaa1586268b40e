/**
 * The .reg text format as hivexregedit exports and merges it, with every
 * value as `hex(N):` bytes (or `dword:`), so types and bytes round-trip exactly.
 */
import { VmcraftError } from '../core/errors.js';

/** Registry value types by number. */
export const REG_TYPES: Record<number, string> = {
  0: 'REG_NONE', 1: 'REG_SZ', 2: 'REG_EXPAND_SZ', 3: 'REG_BINARY', 4: 'REG_DWORD', 5: 'REG_DWORD_BIG_ENDIAN',
  6: 'REG_LINK', 7: 'REG_MULTI_SZ', 8: 'REG_RESOURCE_LIST', 9: 'REG_FULL_RESOURCE_DESCRIPTOR', 10: 'REG_RESOURCE_REQUIREMENTS_LIST', 11: 'REG_QWORD',
};

/** A value: its type and the decoded data (strings, string lists, numbers; raw bytes for the rest). */
export interface RegValue {
  /** Value name ('' for the key's default value). */
  name: string;
  /** Type name, `REG_UNKNOWN_<n>` for types Windows does not define. */
  type: string;
  typeId: number;
  data: string | string[] | number | bigint | Buffer;
  /** The raw bytes as stored. */
  raw: Buffer;
}

/** The value of that name, matched as Windows matches names: in any case. */
export function findValue(values: readonly RegValue[], name: string): RegValue | undefined {
  const wanted = name.toLowerCase();
  return values.find((v) => v.name.toLowerCase() === wanted);
}

/** One [key] section. */
export interface RegSection { path: string; values: RegValue[]; deleted?: boolean }

/** A UTF-16LE string up to its first NUL, as hivex (and regedit) read REG_SZ: bytes after it are slack. */
function utf16(raw: Buffer): string {
  const text = raw.toString('utf16le');
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}

/**
 * A REG_MULTI_SZ: NUL-terminated strings, the list ended by an empty one.
 * Empty strings inside the list are kept (PendingFileRenameOperations uses
 * them for "delete"); the terminating empty string is not an element.
 */
function multiString(raw: Buffer): string[] {
  const parts = raw.toString('utf16le').split('\0');
  if (parts.every((p) => p === '')) return [];
  if (parts.at(-1) === '') parts.pop();
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** Decodes raw bytes of a type into a JavaScript value. */
export function decodeValue(typeId: number, raw: Buffer): RegValue['data'] {
  switch (typeId) {
    case 1:
    case 2:
    case 6:
      return utf16(raw);
    case 7:
      return multiString(raw);
    // As hivex reads them: a longer DWORD or QWORD by its first bytes (64-bit Windows stores 8-byte
    // REG_DWORD lParams), a shorter one (real hives have empty ones) is no number and stays bytes.
    case 4:
      return raw.length >= 4 ? raw.readUInt32LE(0) : Buffer.from(raw);
    case 5:
      return raw.length >= 4 ? raw.readUInt32BE(0) : Buffer.from(raw);
    case 11:
      return raw.length >= 8 ? raw.readBigUInt64LE(0) : Buffer.from(raw);
    default:
      return Buffer.from(raw);
  }
}

/** Encodes a JavaScript value as the bytes of a type; a Buffer is stored as it is, whatever the type. */
export function encodeValue(typeId: number, data: RegValue['data']): Buffer {
  if (Buffer.isBuffer(data)) return data;
  switch (typeId) {
    case 1:
    case 2:
    case 6:
      return Buffer.from(`${String(data)}\0`, 'utf16le');
    case 7:
      return Buffer.from(`${(data as string[]).map((s) => `${s}\0`).join('')}\0`, 'utf16le');
    case 4:
    case 5: {
      const b = Buffer.alloc(4);
      if (typeId === 4) b.writeUInt32LE(Number(data) >>> 0);
      else b.writeUInt32BE(Number(data) >>> 0);
      return b;
    }
    case 11: {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(data as bigint | number));
      return b;
    }
    default:
      throw new VmcraftError('EINVAL', `a value of type ${typeId} needs a Buffer`);
  }
}

function unquote(name: string): string {
  return name === '@' ? '' : name.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

function quote(name: string): string {
  return name === '' ? '@' : `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes hivexregedit's output. It prints each line through Perl, which
 * writes a line holding a character above U+00FF as UTF-8 but a line whose
 * characters all fit in Latin-1 as Latin-1 bytes: a key stored with a
 * compressed (Latin-1) name such as `Einstellungen für…` comes out as bytes
 * that are not UTF-8. So each line is read as UTF-8 when it is valid UTF-8,
 * else as Latin-1.
 */
export function decodeHivexOutput(bytes: Uint8Array): string {
  const lines: string[] = [];
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end);
    try {
      lines.push(strictUtf8.decode(line));
    } catch {
      lines.push(Buffer.from(line).toString('latin1'));
    }
    start = end + 1;
  }
  return lines.join('\n');
}

/**
 * Parses hivexregedit --export output:
 * ```
 * [\Microsoft\Windows NT\CurrentVersion]
 * "CurrentMajorVersionNumber"=dword:0000000a
 * "ProductName"=hex(1):57,00,69,00,…,00,00
 * ```
 * (continued lines ending in `\` are joined).
 */
export function parseRegExport(text: string): RegSection[] {
  const sections: RegSection[] = [];
  const lines = text.replace(/\\\r?\n\s*/g, '').split(/\r?\n/);
  let current: RegSection | undefined;
  for (const line of lines) {
    const key = /^\[(-?)(.*)\]$/.exec(line.trim());
    if (key) {
      current = { path: key[2]!, values: [], ...(key[1] ? { deleted: true } : {}) };
      sections.push(current);
      continue;
    }
    const value = /^(@|"(?:[^"\\]|\\.)*")=(.*)$/.exec(line);
    if (!value || !current) continue;
    const name = unquote(value[1]!);
    const rhs = value[2]!;
    let typeId: number;
    let raw: Buffer;
    if (rhs.startsWith('dword:')) {
      typeId = 4;
      raw = Buffer.alloc(4);
      raw.writeUInt32LE(parseInt(rhs.slice(6), 16) >>> 0);
    } else if (rhs.startsWith('"')) {
      typeId = 1;
      raw = Buffer.from(`${unquote(rhs)}\0`, 'utf16le');
    } else {
      const hex = /^hex(?:\(([0-9a-fA-F]+)\))?:(.*)$/.exec(rhs);
      if (!hex) continue;
      typeId = hex[1] === undefined ? 3 : parseInt(hex[1], 16);
      raw = Buffer.from(hex[2]!.replace(/[^0-9a-fA-F]/g, ''), 'hex');
    }
    current.values.push({ name, type: REG_TYPES[typeId] ?? `REG_UNKNOWN_${typeId}`, typeId, data: decodeValue(typeId, raw), raw });
  }
  return sections;
}

/** One edit of a hive. */
export type RegEdit =
  | { op: 'setValue'; key: string; name: string; typeId: number; data: RegValue['data'] }
  | { op: 'deleteValue'; key: string; name: string }
  | { op: 'createKey'; key: string }
  | { op: 'deleteKey'; key: string };

/** Renders edits as .reg text for hivexregedit --merge; parents of new keys come first. */
export function renderEdits(edits: readonly RegEdit[]): string {
  const out = ['Windows Registry Editor Version 5.00', ''];
  const ensured = new Set<string>();
  const ensure = (key: string) => {
    const parts = key.split('\\').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const k = `\\${parts.slice(0, i).join('\\')}`;
      if (!ensured.has(k)) {
        ensured.add(k);
        out.push(`[${k}]`, '');
      }
    }
  };
  for (const e of edits) {
    if (e.op === 'deleteKey') {
      out.push(`[-${e.key}]`, '');
      continue;
    }
    ensure(e.key);
    out.push(`[${e.key}]`);
    if (e.op === 'setValue') out.push(`${quote(e.name)}=hex(${e.typeId.toString(16)}):${[...encodeValue(e.typeId, e.data)].map((b) => b.toString(16).padStart(2, '0')).join(',')}`);
    if (e.op === 'deleteValue') out.push(`${quote(e.name)}=-`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
