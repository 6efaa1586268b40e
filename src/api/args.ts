/**
 * Argument kinds of the API table, after libguestfs' generator (`Device`,
 * `Mountable`, `Pathname`, `FileIn`, `Key`, `OptString`…): what a call's
 * argument means, not only its JavaScript type. One checker tests every
 * call's arguments by kind before the call runs; the shell converts words by
 * kind; the declarations of GuestFS's methods are generated from them.
 */
import { VmcraftError } from '../core/errors.js';

/** What an argument means. */
export type ArgKind =
  /** A whole device or partition of this session (`/dev/sda`, `/dev/sda1`, `/dev/vg/lv`). */
  | 'device'
  /** A device that may hold a filesystem (as `device` here: vmcraft has no btrfs subvolume mountables yet). */
  | 'mountable'
  /** An absolute guest path (text or raw bytes), resolved inside the guest root. */
  | 'guestPath'
  /** A host file the call reads (`upload`). */
  | 'hostPathIn'
  /** A host file the call writes (`download`). */
  | 'hostPathOut'
  | 'string'
  /** A 32-bit integer. */
  | 'int'
  /** A 64-bit integer (a JavaScript number up to 2^53). */
  | 'int64'
  /** Permission bits: a number; the shell reads it as octal (`0644`). */
  | 'mode'
  | 'bool'
  /** A key or passphrase: never shown in an error, a trace or a log. */
  | 'secret'
  /** File content: text or bytes. */
  | 'buffer'
  | 'stringList'
  | 'date'
  /** A structured value (an object or array of objects); the shell reads it as JSON. */
  | 'struct';

/** One argument of a call. */
export interface ArgSpec {
  readonly name: string;
  readonly kind: ArgKind;
  /** May be left out (then `defaultText` says what the call uses). */
  readonly optional?: boolean;
  /** May also be `null`, meaning not given (libguestfs `OptString`: `hivexCommit(null)`); its `ts` says `| null`. */
  readonly nullable?: boolean;
  /** What an optional argument defaults to, as docs show it. */
  readonly defaultText?: string;
  /** The TypeScript type, when not the kind's own (`ChecksumAlgorithm`, `BufferEncoding`). */
  readonly ts?: string;
  /** Allowed values of a `string` argument. */
  readonly values?: readonly string[];
  /** `values` match in any case (libguestfs compares checksum types with strcasecmp); the call gets the value as listed. */
  readonly ignoreCase?: boolean;
  /** Fields of an options object (libguestfs' optargs), for a `struct` argument that is one. */
  readonly fields?: readonly ArgSpec[];
  /** One-line description for docs and `help`. */
  readonly doc?: string;
  /** Cannot be given as a shell word (an AbortSignal, a callback): left out of the shell's usage, help and completion. */
  readonly noShell?: boolean;
}

/** What a call returns. */
export type ReturnKind = 'void' | 'bool' | 'int' | 'int64' | 'string' | 'stringList' | 'buffer' | 'struct' | 'structList' | 'hash' | 'self';

/** The TypeScript type of each kind, for the generated declarations. */
export const KIND_TS: Record<ArgKind, string> = {
  device: 'string',
  mountable: 'string',
  guestPath: 'GuestPath',
  hostPathIn: 'string',
  hostPathOut: 'string',
  string: 'string',
  int: 'number',
  int64: 'number',
  mode: 'number',
  bool: 'boolean',
  secret: 'string',
  buffer: 'string | Uint8Array',
  stringList: 'string[]',
  date: 'Date',
  struct: 'object',
};

/** What the checker needs from a session. */
export interface ArgSession {
  /** Throws ENOENT naming the devices that exist when `name` is not one of them. */
  device(name: string): unknown;
}

const arg = (kind: ArgKind) => (name: string, extra: Omit<ArgSpec, 'name' | 'kind'> = {}): ArgSpec => ({ name, kind, ...extra });

/** Builders for argument specs: `a.guestPath('path')`, `a.int('size', { optional: true })`. */
export const a = {
  device: arg('device'),
  mountable: arg('mountable'),
  guestPath: arg('guestPath'),
  hostPathIn: arg('hostPathIn'),
  hostPathOut: arg('hostPathOut'),
  string: arg('string'),
  int: arg('int'),
  int64: arg('int64'),
  mode: arg('mode'),
  bool: arg('bool'),
  secret: arg('secret'),
  buffer: arg('buffer'),
  stringList: arg('stringList'),
  date: arg('date'),
  struct: arg('struct'),
  /** An options object (libguestfs optargs): always optional. */
  options: (name: string, fields: ArgSpec[], extra: Omit<ArgSpec, 'name' | 'kind' | 'fields'> = {}): ArgSpec => ({ name, kind: 'struct', optional: true, fields, ...extra }),
};

/** How a value is named in an error: a secret never shows. */
function shown(spec: ArgSpec, value: unknown): string {
  if (spec.kind === 'secret') return '(a secret, not shown)';
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  // A structured argument may carry a password (setPassword's spec): name its type only.
  if (spec.kind === 'struct') return Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function invalid(call: string, spec: ArgSpec, value: unknown, expected: string): VmcraftError {
  return new VmcraftError('EINVAL', `${call}: expected ${spec.name} to be ${expected}, got ${shown(spec, value)}`);
}

function isInteger(value: unknown, bits: 32 | 64): boolean {
  if (!Number.isSafeInteger(value)) return false;
  return bits === 64 || Math.abs(value as number) <= 2 ** 31;
}

/** Checks one value against its spec; throws EINVAL (ENOENT for a device not in the session). */
export function checkArg(call: string, spec: ArgSpec, value: unknown, session: ArgSession): void {
  if (value === undefined && spec.optional) return;
  if (value === null && spec.nullable) return;
  const bad = (expected: string) => invalid(call, spec, value, expected);
  switch (spec.kind) {
    case 'device':
    case 'mountable':
      if (typeof value !== 'string' || value === '') throw bad('a device name such as /dev/sda1');
      session.device(value);
      return;
    case 'guestPath': {
      const text = value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value;
      if (typeof text !== 'string' || !text.startsWith('/')) throw bad('an absolute guest path');
      if (text.includes('\0')) throw bad('a path without NUL bytes');
      return;
    }
    case 'hostPathIn':
    case 'hostPathOut':
      if (typeof value !== 'string' || value === '' || value.includes('\0')) throw bad('a host path');
      return;
    case 'string':
      if (typeof value !== 'string') throw bad('a string');
      if (spec.values && !spec.values.some((allowed) => allowed === value || (spec.ignoreCase && allowed.toLowerCase() === value.toLowerCase()))) throw bad(`one of ${spec.values.join(', ')}`);
      return;
    case 'secret':
      if (typeof value !== 'string' || value === '') throw bad('a non-empty string');
      return;
    case 'int':
    case 'int64':
      if (!isInteger(value, spec.kind === 'int' ? 32 : 64)) throw bad(`an integer${spec.kind === 'int' ? '' : ' (64-bit)'}`);
      return;
    case 'mode':
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0o7777) throw bad('permission bits from 0 to 0o7777');
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw bad('true or false');
      return;
    case 'buffer':
      if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw bad('text or bytes');
      return;
    case 'stringList':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw bad('a list of strings');
      return;
    case 'date':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw bad('a valid Date');
      return;
    case 'struct':
      if (typeof value !== 'object' || value === null) throw bad(spec.fields ? 'an options object' : 'an object or a list');
      if (spec.fields) checkOptions(call, spec, value as Record<string, unknown>, session);
      return;
  }
}

function checkOptions(call: string, spec: ArgSpec, value: Record<string, unknown>, session: ArgSession): void {
  const fields = spec.fields ?? [];
  const unknown = Object.keys(value).filter((k) => value[k] !== undefined && !fields.some((f) => f.name === k));
  if (unknown.length) throw new VmcraftError('EINVAL', `${call}: unknown option(s) ${unknown.join(', ')} (known: ${fields.map((f) => f.name).join(', ') || 'none'})`);
  for (const field of fields) checkArg(call, { ...field, optional: true }, value[field.name], session);
}

/** Checks every argument of a call by kind, and that there are not too many. */
export function checkArgs(call: string, specs: readonly ArgSpec[], values: readonly unknown[], session: ArgSession): void {
  if (values.length > specs.length) throw new VmcraftError('EINVAL', `${call} takes ${specs.length} argument(s) (${specs.map((s) => s.name).join(', ')}), got ${values.length}`);
  specs.forEach((spec, i) => {
    if (values[i] === undefined && !spec.optional) throw new VmcraftError('EINVAL', `${call}: ${spec.name} is required`);
    checkArg(call, spec, values[i], session);
  });
}
