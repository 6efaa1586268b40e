/**
 * `vmcraft inspect` as virt-inspector: `--xml` valid against virt-inspector's
 * own RELAX NG schema (test/fixtures/virt-inspector/virt-inspector.rng, checked
 * with xmllint) for the Debian fixture, the Windows test image and a guest with
 * hostile strings; its values those of `--json`;
 * `-a` with per-drive `--format`, `--keys-from-stdin`, usage errors.
 */
import { writeFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLuksImage } from '../../helpers/luks-image.js';
import { cliRunner } from '../../helpers/cli.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { apkTree, ext4Image } from '../../helpers/package-images.js';
import { buildWindowsImage } from '../../helpers/windows-image.js';
import { loadFixtures, type Fixture } from '../../fixtures/lib/manifest.js';
import { xmlSafe } from '../../../src/cli/inspect-xml.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/virt-inspector');
const RNG = path.join(FIXTURES, 'virt-inspector.rng');

let dir: string;
let remove: () => Promise<void>;
let debian: Fixture;
let windows: string;
let hostile: string;
const HOSTILE_HOSTNAME = 'a<b&c>]]>\x01\x1b[31m\x7f"\'';
const HOSTILE_PACKAGE = 'pkg<&>]]>\x02';

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('cli-inspect-xml'));
  debian = (await loadFixtures()).debian12!;
  windows = path.join(dir, 'windows.raw');
  await mkdir(path.join(dir, 'win'));
  await buildWindowsImage(path.join(dir, 'win'), windows);
  const root = await apkTree(dir);
  // A hostname with markup, a CDATA end, control bytes and invalid UTF-8; a package name with the same.
  await writeFile(path.join(root, 'etc/hostname'), Buffer.concat([Buffer.from(HOSTILE_HOSTNAME), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
  const db = path.join(root, 'lib/apk/db/installed');
  await writeFile(db, `${await readFile(db, 'utf8')}C:Q1x=\nP:${HOSTILE_PACKAGE}\nV:1.0-r0\nA:x86_64\nT:desc <b>&amp; ]]> \x03\nU:https://e.org/?a=1&b=2\n\n`);
  hostile = await ext4Image(root, path.join(dir, 'hostile.raw'));
}, 180_000);
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

const vmcraft = cliRunner(() => dir);
const ARRAYS = new Set(['operatingsystem', 'mountpoint', 'filesystem', 'drive_mapping', 'application']);
const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => ARRAYS.has(name) });

interface XmlOs { [element: string]: unknown }
type JsonOs = Record<string, unknown> & { root: string; hostname: string; applications?: Record<string, unknown>[]; filesystemDetails: { device: string; type: string; label: string; uuid: string }[] };

/** Checks `file` against the schema with xmllint; returns its operatingsystem elements, parsed. */
async function validXml(text: string): Promise<XmlOs[]> {
  const file = path.join(dir, 'out.xml');
  await writeFile(file, text);
  const lint = await execa('xmllint', ['--noout', '--relaxng', RNG, file], { reject: false });
  expect(lint.exitCode, lint.stderr).toBe(0);
  return (parser.parse(text) as { operatingsystems: { operatingsystem: XmlOs[] } }).operatingsystems.operatingsystem;
}

/** Runs `inspect --xml ARGS` and `inspect --json ARGS`: the XML (validated) and the JSON roots. */
async function both(args: string[]): Promise<{ xml: XmlOs[]; json: JsonOs[]; text: string }> {
  const x = await vmcraft(['inspect', '--xml', ...args]);
  expect(x.exitCode, x.stderr).toBe(0);
  const j = await vmcraft(['inspect', '--json', ...args]);
  expect(j.exitCode, j.stderr).toBe(0);
  return { xml: await validXml(x.stdout), json: JSON.parse(j.stdout) as JsonOs[], text: x.stdout };
}

/** What virt-inspector prints of one JSON root (absent values left out as it does). */
function expectedFromJson(os: JsonOs): XmlOs {
  const some = (name: string, value: unknown) => (value && value !== 'unknown' ? { [name]: xmlSafe(String(value)) } : {});
  const win = os.windows as { systemroot: string; currentControlSet: string; productVariant: string } | undefined;
  return {
    root: os.root, ...some('name', os.type), ...some('arch', os.arch), ...some('distro', os.distro), ...some('product_name', os.productName),
    ...some('product_variant', win?.productVariant),
    major_version: String(os.majorVersion), minor_version: String(os.minorVersion),
    ...some('package_format', os.packageFormat), ...some('package_management', os.packageManagement),
    ...some('windows_systemroot', win?.systemroot), ...some('windows_current_control_set', win?.currentControlSet),
    ...some('hostname', os.hostname), ...some('osinfo', os.osinfo),
  };
}

describe('vmcraft inspect --xml', () => {
  it('Debian fixture: valid, the --json values, read-only', async () => {
    const before = await sha256File(debian.path);
    const { xml, json } = await both(['--format', 'qcow2', '-a', debian.path]);
    expect(await sha256File(debian.path)).toBe(before);
    expect(xml).toHaveLength(1);
    expect(xml[0]).toMatchObject(expectedFromJson(json[0]!));
    expect((xml[0]!.filesystems as { filesystem: unknown[] }).filesystem).toEqual(
      [...json[0]!.filesystemDetails].sort((a, b) => (a.device < b.device ? -1 : 1)).map((f) => ({ '@_dev': f.device, type: f.type, ...(f.label ? { label: f.label } : {}), uuid: f.uuid })),
    );
    const apps = (xml[0]!.applications as { application: Record<string, string>[] }).application;
    expect(apps.map((a) => a.name)).toEqual(json[0]!.applications!.map((a) => a.name));
    expect(apps.find((a) => a.name === 'adduser')).toEqual(expect.objectContaining({ version: json[0]!.applications!.find((a) => a.name === 'adduser')!.version }));
  }, 120_000);

  it("Debian fixture: virt-inspector's own output, byte for byte (icon included)", async () => {
    const reference = await readFile(path.join(FIXTURES, 'debian12.xml'), 'utf8');
    const ours = (await vmcraft(['inspect', '--xml', '--format', 'qcow2', '-a', debian.path])).stdout;
    // The reference is of one build of the fixture: Debian point releases change the packages.
    const build = (xml: string) => ({ product: /<product_name>(.*)<\/product_name>/.exec(xml)?.[1], packages: [...xml.matchAll(/<name>(.*)<\/name>\s*<version>(.*)<\/version>/g)].map((m) => `${m[1]}=${m[2]}`) });
    expect(build(ours), 'the debian12 fixture was rebuilt from another Debian point release: remake the reference with scripts/virt-inspector-reference.sh (needs libguestfs-tools)').toEqual(build(reference));
    expect(`${ours}\n`).toBe(reference);
    expect(reference).toMatch(/<icon>iVBORw0KGgo/);
    // --no-icon leaves out only the icon.
    const noIcon = (await vmcraft(['inspect', '--xml', '--no-icon', '--format', 'qcow2', '-a', debian.path])).stdout;
    expect(`${noIcon}\n`).toBe(reference.replace(/\n *<icon>[^<]*<\/icon>/, ''));
  }, 120_000);

  it('Windows image: windows_systemroot, windows_current_control_set and drive_mappings, valid', async () => {
    const { xml, json } = await both([windows]);
    expect(xml[0]).toMatchObject({ ...expectedFromJson(json[0]!), name: 'windows', windows_systemroot: '/Windows', windows_current_control_set: expect.stringMatching(/^ControlSet00\d$/) });
    const drives = (json[0]!.windows as { drives: { drive: string; device?: string }[] }).drives.filter((d) => d.device);
    expect(drives.length).toBeGreaterThan(0);
    expect(xml[0]!.drive_mappings).toEqual({ drive_mapping: drives.map((d) => ({ '@_name': d.drive.replace(/:$/, ''), '#text': d.device })) });
    expect((xml[0]!.applications as { application: { name: string; display_name?: string }[] }).application.map((a) => a.name)).toEqual(json[0]!.applications!.map((a) => a.name));
  }, 120_000);

  it('a hostname and a package with markup, `]]>`, control bytes and invalid UTF-8 give valid XML with the --json values', async () => {
    const { xml, json, text } = await both([hostile]);
    expect(json[0]!.hostname).toContain('a<b&c>]]>\x01');
    expect(xml[0]!.hostname).toBe(xmlSafe(json[0]!.hostname));
    expect(text).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    const app = (xml[0]!.applications as { application: Record<string, string>[] }).application.find((a) => a.name?.startsWith('pkg<&>'));
    const jsonApp = json[0]!.applications!.find((a) => String(a.name).startsWith('pkg<&>'))!;
    expect(app).toEqual(expect.objectContaining({ name: xmlSafe(String(jsonApp.name)), description: xmlSafe(String(jsonApp.description)) }));
    expect(app!.url).toBe('https://e.org/?a=1&b=2');
  }, 120_000);
});

describe('vmcraft inspect options', () => {
  it('--format applies to the -a drives after it; a bare --format goes back to detection', async () => {
    const wrong = await vmcraft(['inspect', '--json', '--format=raw', '-a', debian.path]);
    expect(wrong.exitCode, wrong.stderr).toBe(0);
    expect(JSON.parse(wrong.stdout)).toEqual([]);
    const two = await vmcraft(['inspect', '--json', '--format=qcow2', '-a', debian.path, '--format', '-a', windows]);
    expect(two.exitCode, two.stderr).toBe(0);
    expect((JSON.parse(two.stdout) as JsonOs[]).map((os) => [os.root, os.distro])).toEqual([['/dev/sda2', 'debian'], [expect.stringMatching(/^\/dev\/sdb/), 'windows']]);
  }, 120_000);

  it('the human form shows each filesystem with its type, label and uuid', async () => {
    const r = await vmcraft(['inspect', debian.path]);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const p of debian.partitions) expect(r.stdout).toContain(`  filesystem ${p.device}, type ${p.fs}${p.label ? `, label ${p.label}` : ''}, uuid ${p.uuid}`);
  }, 60_000);

  it('usage errors exit 2 with a reason: no image, an unknown format, --json with --xml', async () => {
    for (const args of [['inspect'], ['inspect', '--format=nope', '-a', windows], ['inspect', '--json', '--xml', windows]]) {
      const r = await vmcraft(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/error/);
    }
  });

  it('--keys-from-stdin: the passphrases on standard input open a LUKS drive (in a VM without device-mapper) and are printed nowhere', async () => {
    const secret = 'Stdin-Passphrase-91ab';
    const image = await emptyLuksImage(path.join(dir, 'luks.raw'), secret);
    const r = await vmcraft(['inspect', '--trace', '--keys-from-stdin', '--format=raw', '-a', image], `wrong-one\n${secret}\n`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('no operating system found');
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(secret);
    const opened = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { argv?: string[]; ok?: boolean }).filter((e) => e.argv?.[0] === 'cryptsetup' && e.argv[1] === 'open');
    expect(opened.some((e) => e.ok)).toBe(true);
  }, 180_000);
});
