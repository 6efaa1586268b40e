/**
 * `vmcraft inspect --xml`: virt-inspector's XML (its RELAX NG schema
 * virt-inspector.rng; element order, sorting and omissions as guestfs-tools'
 * inspector/inspector.c writes them). Guest strings are hostile: what XML 1.0
 * cannot hold at all (control characters, lone surrogates) becomes U+FFFD,
 * and the builder escapes the rest.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { Application } from '../inspect/types.js';
import type { RootReport } from './inspect-report.js';

/** Characters outside XML 1.0's Char production. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `text` with every character XML cannot carry replaced by U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Replaced by {@link xmlText}, as libxml2's writer replaces them (an apostrophe stays as it is). */
const XML_SPECIAL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' };

/** A guest string as XML text or attribute value: made safe, then escaped as virt-inspector's libxml2 writer does. */
function xmlText(text: string): string {
  return xmlSafe(text).replace(/[&<>"\r]/g, (c) => XML_SPECIAL[c]!);
}

type Element = Record<string, unknown>;

/** Base64 as libxml2's xmlTextWriterWriteBase64 writes it: lines of 72 characters ended by CR LF. */
function base64Lines(base64: string): string {
  return (base64.match(/.{1,72}/g) ?? []).join('\r\n');
}

/** `{ [name]: value }` when value is not empty nor `unknown` (virt-inspector leaves those out). */
function known(name: string, value: string | undefined): Element {
  return value && value !== 'unknown' ? { [name]: xmlText(value) } : {};
}

/** `{ [name]: value }` when value is not empty. */
function nonEmpty(name: string, value: string): Element {
  return value ? { [name]: xmlText(value) } : {};
}

/** strcmp order (byte order of UTF-16 code units is close enough for device names and mount points). */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function application(app: Application): Element {
  return {
    name: xmlText(app.name),
    ...nonEmpty('display_name', app.displayName),
    ...(app.epoch !== 0 ? { epoch: String(app.epoch) } : {}),
    ...nonEmpty('version', app.version),
    ...nonEmpty('release', app.release),
    ...nonEmpty('arch', app.arch),
    ...nonEmpty('install_path', app.installPath),
    ...nonEmpty('publisher', app.publisher),
    ...nonEmpty('url', app.url),
    ...nonEmpty('source_package', app.sourcePackage),
    ...nonEmpty('summary', app.summary),
    ...nonEmpty('description', app.description),
  };
}

function operatingSystem(os: RootReport): Element {
  // Shortest mount point first, then by name; filesystems by name; drive letters case-insensitively.
  const mountpoints = [...os.mountpoints].sort((a, b) => a.mountpoint.length - b.mountpoint.length || byCodeUnit(a.mountpoint, b.mountpoint));
  const filesystems = [...os.filesystemDetails].sort((a, b) => byCodeUnit(a.device, b.device));
  const drives = (os.windows?.drives ?? []).flatMap((d) => (d.device ? [{ name: d.drive.replace(/:$/, ''), device: d.device }] : []));
  drives.sort((a, b) => byCodeUnit(a.name.toLowerCase(), b.name.toLowerCase()));
  return {
    root: xmlText(os.root),
    ...known('name', os.type),
    ...known('arch', os.arch),
    ...known('distro', os.distro),
    ...known('product_name', os.productName),
    ...known('product_variant', os.windows?.productVariant),
    major_version: String(os.majorVersion),
    minor_version: String(os.minorVersion),
    ...known('package_format', os.packageFormat),
    ...known('package_management', os.packageManagement),
    ...(os.windows ? { windows_systemroot: xmlText(os.windows.systemroot), windows_current_control_set: xmlText(os.windows.currentControlSet) } : {}),
    ...known('hostname', os.hostname),
    ...known('osinfo', os.osinfo),
    mountpoints: { mountpoint: mountpoints.map((m) => ({ '@_dev': xmlText(m.device), '#text': xmlText(m.mountpoint) })) },
    filesystems: { filesystem: filesystems.map((fs) => ({ '@_dev': xmlText(fs.device), ...nonEmpty('type', fs.type), ...nonEmpty('label', fs.label), ...nonEmpty('uuid', fs.uuid) })) },
    ...(drives.length ? { drive_mappings: { drive_mapping: drives.map((d) => ({ '@_name': xmlText(d.name), '#text': xmlText(d.device) })) } } : {}),
    // Left out when the applications could not be listed (virt-inspector would fail instead).
    ...('applications' in os ? { applications: os.applications.length ? { application: os.applications.map(application) } : '' } : {}),
    ...(os.icon ? { icon: base64Lines(os.icon) } : {}),
  };
}

const builder = new XMLBuilder({ format: true, indentBy: '  ', ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', suppressEmptyNode: true, processEntities: false });

/** The reports as virt-inspector's XML document (at least one root: the schema wants one). */
export function inspectorXml(reports: RootReport[]): string {
  return `<?xml version="1.0"?>\n${builder.build({ operatingsystems: { operatingsystem: reports.map(operatingSystem) } }).trimEnd()}\n`;
}
