/**
 * The shell's words, and how they become a call's arguments: a command line
 * is split into words (guestfish's escapes in double quotes), then the words
 * are converted by the kinds of the API table's arguments (src/api/args.ts).
 * Pure functions: no session, no I/O.
 *
 * - Positional arguments come first, in the table's order; optional ones may be left out.
 * - A string list that is the last positional argument takes the rest of the words
 *   (`command id -u`, `install-packages tree htop`); elsewhere it is one word, split on
 *   spaces as guestfish does, or a JSON array.
 * - An options object (an argument with `fields`, libguestfs' optargs) is given as
 *   `name:value` words after the positional ones (`is-file /x followsymlinks:true`); the
 *   names match the fields case-insensitively, the values are converted by the field's kind.
 */
import type { ArgKind, ArgSpec } from '../api/args.js';
import { VmcraftError } from '../core/errors.js';

/** One word of a command line: text, or bytes when an escape made it invalid UTF-8 (`"\xff"`). */
export type Word = string | Buffer;

/** The escapes of guestfish's double-quoted strings that stand for one character. */
const ESCAPES: Record<string, number> = { '\\': 0x5c, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '"': 0x22, "'": 0x27, '?': 0x3f };

const isOctal = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** A word's bytes as text when they are valid UTF-8, else as the bytes. */
function finish(parts: (string | number)[]): Word {
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  const bytes = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from([p]))));
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : bytes;
}

/**
 * Splits a command line into words. Spaces separate words; single quotes
 * group literally; double quotes group with guestfish's escapes (`\n`, `\t`,
 * `\\`, `\"`, `\'`, `\a \b \f \r \v \?`, `\xHH` and `\ooo` for a byte from 1
 * to 255; any other escape is an error); outside quotes a backslash takes the
 * next character as it is. Quoted and unquoted parts next to each other make
 * one word (`env:'{"A":"1"}'`).
 */
export function splitWords(line: string): Word[] {
  const words: Word[] = [];
  let parts: (string | number)[] = [];
  let inWord = false;
  const end = () => {
    if (inWord) words.push(finish(parts));
    parts = [];
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new VmcraftError('EINVAL', "unterminated ' quote");
      parts.push(line.slice(i + 1, close));
      inWord = true;
      i = close;
    } else if (c === '"') {
      inWord = true;
      const start = i;
      for (i++; ; i++) {
        if (i >= line.length) throw new VmcraftError('EINVAL', 'unterminated " quote');
        const d = line[i]!;
        if (d === '"') break;
        if (d !== '\\') {
          parts.push(d);
          continue;
        }
        const e = line[i + 1];
        const bad = () => new VmcraftError('EINVAL', `invalid escape sequence ${line.slice(i, i + 4).replace(/"[\s\S]*$/, '')} in "…" (at offset ${i - start} of the quoted word)`);
        if (e !== undefined && e in ESCAPES) {
          parts.push(String.fromCharCode(ESCAPES[e]!));
          i += 1;
        } else if (isOctal(e)) {
          // Always three octal digits, as in guestfish.
          if (!isOctal(line[i + 2]) || !isOctal(line[i + 3])) throw bad();
          const byte = parseInt(line.slice(i + 1, i + 4), 8);
          if (byte < 1 || byte > 255) throw bad();
          parts.push(byte);
          i += 3;
        } else if (e === 'x') {
          // Always two hex digits.
          if (!isHex(line[i + 2]) || !isHex(line[i + 3])) throw bad();
          const byte = parseInt(line.slice(i + 2, i + 4), 16);
          if (byte < 1) throw bad();
          parts.push(byte);
          i += 3;
        } else {
          throw bad();
        }
      }
    } else if (c === '\\' && i + 1 < line.length) {
      parts.push(line[++i]!);
      inWord = true;
    } else if (/\s/.test(c)) {
      end();
    } else {
      parts.push(c);
      inWord = true;
    }
  }
  end();
  return words;
}

/**
 * guestfish's `command | pipeline`: the line split at its first `|` outside
 * quotes (and not escaped), the pipeline as the host shell reads it.
 */
export function splitPipe(line: string): [string, string | undefined] {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') i++;
    else if (c === "'") i = line.indexOf("'", i + 1) < 0 ? line.length : line.indexOf("'", i + 1);
    else if (c === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) if (line[i] === '\\') i++;
    } else if (c === '|') return [line.slice(0, i).trimEnd(), line.slice(i + 1).trim()];
  }
  return [line, undefined];
}

/** Whether a field of an options object can be given as a word (not a signal or a callback). */
export function isWordField(field: ArgSpec): boolean {
  return !field.noShell;
}

/** The options argument of a call (the one with fields), if any. */
function optionsIndex(specs: readonly ArgSpec[]): number {
  return specs.findIndex((s) => s.fields !== undefined);
}

/** Indexes of the positional arguments (all but the options object). */
function positionals(specs: readonly ArgSpec[]): number[] {
  return specs.flatMap((s, i) => (s.fields ? [] : [i]));
}

/** Whether the argument at `index` takes the rest of the words: a string list that is the last positional argument. */
export function isRest(specs: readonly ArgSpec[], index: number): boolean {
  return specs[index]?.kind === 'stringList' && positionals(specs).at(-1) === index;
}

/** How a field value is shown in a usage line, after guestfish (`[followsymlinks:true|false]`, `[size:N]`). */
function fieldHint(field: ArgSpec): string {
  if (field.values) return field.values.join('|');
  return ({ bool: 'true|false', int: 'N', int64: 'N', mode: '0644', struct: 'JSON', date: 'DATE' } as Partial<Record<ArgKind, string>>)[field.kind] ?? '..';
}

/** The usage line of a command: `cat path`, `truncate-size path [size]`, `command argv... [cwd:..]`. */
export function usageLine(name: string, specs: readonly ArgSpec[]): string {
  const words = specs.flatMap((spec, i) => {
    if (spec.fields) return spec.fields.filter(isWordField).map((f) => `[${f.name}:${fieldHint(f)}]`);
    const word = isRest(specs, i) ? `${spec.name}...` : spec.name;
    return [spec.optional ? `[${word}]` : word];
  });
  return [name, ...words].join(' ');
}

/** What a kind means in `help` (and what words it takes). */
export const KIND_HELP: Record<ArgKind, string> = {
  device: 'device of this session, e.g. /dev/sda1',
  mountable: 'device holding a filesystem, e.g. /dev/sda1',
  guestPath: 'absolute path in the guest',
  hostPathIn: 'host file, read',
  hostPathOut: 'host file, written',
  string: 'text',
  int: 'integer',
  int64: 'integer (64-bit)',
  mode: 'octal mode, e.g. 0644',
  bool: 'true or false (yes/no, on/off, 1/0)',
  secret: 'secret: never shown in errors or traces',
  buffer: 'content: text; in "…" the escapes \\n \\t \\\\ \\" \\xHH \\ooo',
  stringList: 'list of words',
  date: 'date, e.g. 2024-01-31 or 2024-01-31T12:00:00Z',
  struct: 'JSON',
};

/** How an argument is described in `help`: its kind, and for a list how it is given. */
export function kindHelp(specs: readonly ArgSpec[], index: number): string {
  const spec = specs[index]!;
  if (spec.kind === 'stringList') return isRest(specs, index) ? 'list: the rest of the words' : 'list: one word split on spaces, or a JSON array';
  return KIND_HELP[spec.kind];
}

function usageError(usage: string, why: string): VmcraftError {
  return new VmcraftError('EINVAL', `${why}; usage: ${usage}`);
}

const TRUE = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

/** Converts one word to the value of `spec`, by its kind; `what` names it in errors. */
export function convertWord(what: string, spec: ArgSpec, word: Word): unknown {
  // A secret never shows, nor a structured value (setPassword's spec may hold a password).
  const shown = spec.kind === 'secret' ? '(a secret, not shown)' : spec.kind === 'struct' ? 'something else (not shown)' : JSON.stringify(String(word));
  const bad = (expected: string) => new VmcraftError('EINVAL', `${what}: expected ${spec.name} to be ${expected}, got ${shown}`);
  // Bytes that are not UTF-8 only make sense as file content or a path name.
  if (typeof word !== 'string') {
    if (spec.kind === 'buffer' || spec.kind === 'guestPath') return word;
    throw bad('text (valid UTF-8)');
  }
  switch (spec.kind) {
    case 'int':
    case 'int64': {
      // Decimal, or hex with 0x (a leading 0 is not octal here: modes have their own kind).
      const m = /^([+-]?)(?:0x([0-9a-f]+)|(\d+))$/i.exec(word);
      if (!m) throw bad('an integer');
      const n = (m[1] === '-' ? -1 : 1) * (m[2] !== undefined ? parseInt(m[2], 16) : Number(m[3]));
      if (!Number.isSafeInteger(n)) throw bad('an integer within ±2^53');
      return n;
    }
    case 'mode': {
      const m = /^(?:0o?)?([0-7]{1,4})$/i.exec(word);
      if (!m) throw bad('an octal mode such as 0644');
      return parseInt(m[1]!, 8);
    }
    case 'bool': {
      const w = word.toLowerCase();
      if (TRUE.has(w)) return true;
      if (FALSE.has(w)) return false;
      throw bad('true or false');
    }
    case 'date': {
      const date = new Date(word);
      if (word === '' || Number.isNaN(date.getTime())) throw bad('a date such as 2024-01-31 or 2024-01-31T12:00:00Z');
      return date;
    }
    case 'stringList': {
      if (word.trimStart().startsWith('[')) {
        const list = parseJson(word);
        if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) throw bad('a JSON array of strings');
        return list;
      }
      return word.split(/\s+/).filter(Boolean);
    }
    case 'struct': {
      const value = parseJson(word);
      if (value === undefined) throw bad('JSON');
      return value;
    }
    default:
      return word;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The field an optarg word (`name:value`) names, matched case-insensitively; undefined when it names none. */
export function optargField(fields: readonly ArgSpec[], word: Word): ArgSpec | undefined {
  if (typeof word !== 'string') return undefined;
  const colon = word.indexOf(':');
  if (colon <= 0) return undefined;
  const name = word.slice(0, colon).toLowerCase();
  return fields.find((f) => isWordField(f) && f.name.toLowerCase() === name);
}

/**
 * Converts the words after a command's name to its arguments, by the kinds of
 * `specs`: positional arguments in order, the rest of the words for a string
 * list given last, optargs `name:value` for an options object. Trailing
 * arguments left out are left out of the result (the call's defaults apply).
 * @throws VmcraftError `EINVAL` naming the usage line, or the argument that is not of its kind
 */
export function wordsToArgs(name: string, specs: readonly ArgSpec[], words: readonly Word[]): unknown[] {
  const usage = usageLine(name, specs);
  const values: unknown[] = specs.map(() => undefined);
  const opt = optionsIndex(specs);
  const fields = opt >= 0 ? specs[opt]!.fields! : [];
  const pos = positionals(specs);
  const required = pos.filter((i) => !specs[i]!.optional);
  const rest = pos.find((i) => isRest(specs, i));

  // The optargs: for a command ending with a list, the name:value words at the end; otherwise
  // every name:value word after the required arguments (guestfish: optargs follow the fixed ones).
  let positional = [...words];
  const optargs: Word[] = [];
  if (opt >= 0) {
    if (rest !== undefined) {
      while (positional.length > required.length && optargField(fields, positional.at(-1)!)) optargs.unshift(positional.pop()!);
    } else {
      const fixed = positional.slice(0, required.length);
      const after = positional.slice(required.length);
      positional = [...fixed, ...after.filter((w) => !optargField(fields, w))];
      optargs.push(...after.filter((w) => optargField(fields, w)));
    }
  }

  if (positional.length < required.length) throw usageError(usage, positional.length === 0 ? `${name} needs arguments` : `${name} needs ${required.length} argument(s), got ${positional.length}`);
  let w = 0;
  for (const i of pos) {
    const spec = specs[i]!;
    if (i === rest) {
      const list = positional.slice(w);
      w = positional.length;
      if (list.length === 0 && spec.optional) continue;
      if (list.length === 0) throw usageError(usage, `${name} needs ${spec.name}`);
      values[i] = list.map((word) => {
        if (typeof word !== 'string') throw new VmcraftError('EINVAL', `${name}: expected ${spec.name} to be text (valid UTF-8)`);
        return word;
      });
      continue;
    }
    if (w >= positional.length) break;
    values[i] = convertWord(name, spec, positional[w++]!);
  }
  if (w < positional.length) {
    const extra = positional[w]!;
    const hint = opt >= 0 && typeof extra === 'string' && /^[^:\s]+:/.test(extra) ? `unknown optional argument ${extra.slice(0, extra.indexOf(':'))}` : `${name} takes at most ${pos.length} argument(s), got ${positional.length}`;
    throw usageError(usage, hint);
  }
  if (optargs.length) {
    const options: Record<string, unknown> = {};
    for (const word of optargs) {
      const field = optargField(fields, word)!;
      const text = word as string;
      if (field.name in options) throw usageError(usage, `${field.name} given twice`);
      options[field.name] = convertWord(name, field, text.slice(text.indexOf(':') + 1));
    }
    values[opt] = options;
  }
  // Trailing arguments not given stay out: the call sees its own defaults.
  while (values.length && values.at(-1) === undefined) values.pop();
  return values;
}
