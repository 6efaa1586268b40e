/**
 * Compares what vmcraft reads from a hive with what hivex's C tools report:
 * `hivexml` dumps every key and value of a hive through libhivex's C API
 * (not the Perl path hivexregedit takes), with strings decoded as hivex
 * decodes them. Every key, every value's name, type and data must agree.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { XMLParser } from 'fast-xml-parser';
import type { RegSection, RegValue } from '../../src/registry/reg-format.js';

/** One value as hivexml reports it. */
interface XmlValue {
  name: string;
  type: string;
  encoding?: string;
  value?: string;
  strings?: string[];
}

interface XmlNode {
  '@_name'?: string;
  node?: XmlNode | XmlNode[];
  value?: XmlValueElement | XmlValueElement[];
}

interface XmlValueElement {
  '@_type': string;
  '@_key'?: string;
  '@_default'?: string;
  '@_encoding'?: string;
  '@_value'?: string | number;
  string?: string | number | (string | number)[];
}

const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** hivexml's XML for a hive. */
async function hivexml(hostHive: string): Promise<string> {
  // hivexml opens /dev/stdout by name, which fails on a socket (Node's pipes): give it a file.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-hivexml-'));
  try {
    await execa('sh', ['-c', 'exec hivexml "$1" > "$2"', 'hivexml', hostHive, path.join(dir, 'hive.xml')]);
    return await readFile(path.join(dir, 'hive.xml'), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The root key's name as hivexml reports it. */
export async function hivexmlRootName(hostHive: string): Promise<string> {
  const match = /<node name="([^"]*)" root="1"/.exec(await hivexml(hostHive));
  if (!match) throw new Error(`hivexml printed no root node for ${hostHive}`);
  return match[1]!;
}

/** Every key of a hive (by lower-case path) with its values, from hivexml. */
export async function hivexmlKeys(hostHive: string): Promise<Map<string, { path: string; values: XmlValue[] }>> {
  const stdout = await hivexml(hostHive);
  const parser = new XMLParser({ ignoreAttributes: false, parseAttributeValue: false, parseTagValue: false, trimValues: false, htmlEntities: true, isArray: (name) => name === 'node' || name === 'value' || name === 'string' });
  const doc = parser.parse(stdout) as { hive: { node: XmlNode[] } };
  const keys = new Map<string, { path: string; values: XmlValue[] }>();
  const walk = (node: XmlNode, path: string) => {
    const values = list(node.value).map((v) => ({
      name: v['@_default'] === '1' ? '' : String(v['@_key'] ?? ''),
      type: v['@_type'],
      ...(v['@_encoding'] ? { encoding: v['@_encoding'] } : {}),
      ...(v['@_value'] !== undefined ? { value: String(v['@_value']) } : {}),
      ...(v.string !== undefined ? { strings: list(v.string).map(String) } : {}),
    }));
    keys.set(path.toLowerCase(), { path, values });
    for (const child of list(node.node)) walk(child, path === '\\' ? `\\${child['@_name']}` : `${path}\\${child['@_name']}`);
  };
  walk(doc.hive.node[0]!, '\\');
  return keys;
}

const XML_TYPES: Record<string, number[]> = {
  string: [1], expand: [2], link: [6], 'bad-string': [1], 'bad-expand': [2], 'bad-link': [6], 'bad-string-list': [7],
  binary: [3], none: [0], 'string-list': [7], int32: [4, 5], int64: [11],
  'resource-list': [8], 'resource-description': [9], 'resource-requirements': [10],
};

/** Where one vmcraft value differs from hivexml's, or undefined. */
function valueDifference(ours: RegValue, theirs: XmlValue): string | undefined {
  const allowed = XML_TYPES[theirs.type];
  if (allowed && !allowed.includes(ours.typeId)) return `type ${ours.type} vs hivexml ${theirs.type}`;
  if (theirs.encoding === 'base64') {
    const bytes = Buffer.from(theirs.value ?? '', 'base64');
    return bytes.equals(ours.raw) ? undefined : `bytes ${ours.raw.toString('hex')} vs hivexml ${bytes.toString('hex')}`;
  }
  switch (theirs.type) {
    case 'string':
    case 'expand':
    case 'link':
      return ours.data === theirs.value ? undefined : `string ${JSON.stringify(ours.data)} vs hivexml ${JSON.stringify(theirs.value)}`;
    case 'int32':
      // hivex_value_dword fails on a DWORD shorter than 4 bytes and hivexml then prints -1: vmcraft keeps such a value's bytes.
      if (ours.raw.length < 4) return Buffer.isBuffer(ours.data) && theirs.value === '-1' ? undefined : `malformed dword read as ${String(ours.data)}`;
      return ((ours.data as number) | 0) === Number(theirs.value) ? undefined : `dword ${String(ours.data)} vs hivexml ${theirs.value}`;
    case 'int64':
      return BigInt.asIntN(64, ours.data as bigint) === BigInt(theirs.value ?? 'x') ? undefined : `qword ${String(ours.data)} vs hivexml ${theirs.value}`;
    case 'string-list': {
      // hivex lists every NUL-terminated string, the empty one that ends the list too; vmcraft leaves that one out.
      const strings = theirs.strings ?? [];
      // A list of NULs only ("\0\0", common in real hives) is an empty list, where hivex gives ['', ''].
      const listed = strings.every((x) => x === '') ? [] : strings.at(-1) === '' ? strings.slice(0, -1) : strings;
      return JSON.stringify(ours.data) === JSON.stringify(listed) ? undefined : `strings ${JSON.stringify(ours.data)} vs hivexml ${JSON.stringify(strings)}`;
    }
    default:
      return `hivexml type ${theirs.type} not understood by this comparison`;
  }
}

/**
 * hivexml writes names as C strings, so a name holding a NUL (hivex's
 * images/special has one, written by Windows XP) is cut there.
 */
const cName = (name: string) => name.split('\0')[0]!;
const cPath = (path: string) => path.split('\\').map(cName).join('\\');

/** What hivexml says and vmcraft's parsed export do not agree on (empty when they agree fully). */
export function compareWithHivexml(sections: readonly RegSection[], keys: Map<string, { path: string; values: XmlValue[] }>): string[] {
  const diffs: string[] = [];
  const seen = new Set<string>();
  for (const s of sections) {
    const path = cPath(s.path);
    const key = keys.get(path.toLowerCase());
    seen.add(path.toLowerCase());
    if (!key) {
      diffs.push(`${s.path}: not in hivexml`);
      continue;
    }
    if (key.path !== path) diffs.push(`${s.path}: spelled ${key.path} by hivexml`);
    const theirs = new Map(key.values.map((v) => [v.name.toLowerCase(), v]));
    if (theirs.size !== s.values.length) diffs.push(`${s.path}: ${s.values.length} values vs ${theirs.size} in hivexml`);
    for (const v of s.values) {
      const t = theirs.get(cName(v.name).toLowerCase());
      const d = t ? valueDifference(v, t) : 'not in hivexml';
      if (d) diffs.push(`${s.path}\\${v.name === '' ? '@' : v.name}: ${d}`);
    }
  }
  for (const [lower, key] of keys) if (!seen.has(lower)) diffs.push(`${key.path}: only in hivexml`);
  return diffs;
}
