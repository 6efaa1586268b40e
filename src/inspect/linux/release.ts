/**
 * Distro, product name and version of a Linux root from its release files,
 * tried in libguestfs' order (inspect_fs_unix.ml): os-release, lsb-release,
 * then the distro-specific files. The first parser that succeeds wins.
 */
import type { InspectFiles } from '../guest-files.js';
import { parseKeyValue, parseMajorMinor } from '../parsers/key-value.js';

/** What the release files say. */
export interface ReleaseData {
  distro?: string;
  /** libguestfs' product name: PRETTY_NAME, DISTRIB_DESCRIPTION or the first line of the release file that decided. */
  productName?: string;
  version?: { major: number; minor: number };
  /** os-release PRETTY_NAME, whichever file decided (vmcraft's extra field). */
  prettyName?: string;
  /** os-release BUILD_ID (libguestfs `inspect_get_build_id`). */
  buildId?: string;
}

/** os-release ID → libguestfs distro id. */
const OS_RELEASE_IDS: Record<string, string> = {
  alpine: 'alpinelinux', altlinux: 'altlinux', arch: 'archlinux', centos: 'centos', circle: 'circle',
  coreos: 'coreos', debian: 'debian', fedora: 'fedora', frugalware: 'frugalware', gentoo: 'gentoo',
  kali: 'kalilinux', kylin: 'kylin', linuxmint: 'linuxmint', mageia: 'mageia', neokylin: 'neokylin',
  opensuse: 'opensuse', openmandriva: 'openmandriva', pld: 'pldlinux', rhel: 'rhel', rocky: 'rocky',
  almalinux: 'almalinux', ol: 'oraclelinux', amzn: 'amazonlinux', photon: 'photon', nixos: 'nixos',
  sles: 'sles', sled: 'sles', ubuntu: 'ubuntu', void: 'voidlinux', 'clear-linux-os': 'clearlinux',
  slackware: 'slackware', openEuler: 'openeuler', pardus: 'pardus',
};

/** lsb-release DISTRIB_ID → distro id. */
const LSB_IDS: Record<string, string> = { CoreOS: 'coreos', LinuxMint: 'linuxmint', Mageia: 'mageia', Ubuntu: 'ubuntu' };

/** Rolling releases: no VERSION_ID, and no other file that would give one. */
const ROLLING = new Set(['voidlinux', 'archlinux', 'gentoo']);

type Parser = (text: string, data: ReleaseData) => boolean;

function osReleaseDistro(id: string): string | undefined {
  return OS_RELEASE_IDS[id] ?? (id.startsWith('opensuse-') ? 'opensuse' : undefined);
}

/** os-release: needs ID, PRETTY_NAME and a version (Debian/CentOS give only the major: ask the older files). */
export const parseOsRelease: Parser = (text, data) => {
  const v = parseKeyValue(text);
  const distro = v.ID ? osReleaseDistro(v.ID) : undefined;
  if (distro) data.distro = distro;
  if (v.PRETTY_NAME) {
    data.productName = v.PRETTY_NAME;
    data.prettyName = v.PRETTY_NAME;
  }
  if (v.BUILD_ID) data.buildId = v.BUILD_ID;
  if (v.VERSION_ID) {
    const kylin = /^V(\d+)Update(\d+)$/.exec(v.VERSION_ID);
    data.version = kylin ? { major: Number(kylin[1]), minor: Number(kylin[2]) } : parseMajorMinor(v.VERSION_ID);
  }
  if (!data.distro || !data.productName) return false;
  if ((data.distro === 'debian' || data.distro === 'centos') && data.version?.minor === 0) return false;
  if (!data.version && ROLLING.has(data.distro)) {
    data.version = { major: 0, minor: 0 };
    return true;
  }
  return data.version !== undefined;
};

/** lsb-release (Ubuntu, Mint, Mageia): DISTRIB_ID, DISTRIB_RELEASE, DISTRIB_DESCRIPTION. */
export const parseLsbRelease: Parser = (text, data) => {
  const v = parseKeyValue(text);
  let ok = false;
  const distro = v.DISTRIB_ID ? LSB_IDS[v.DISTRIB_ID] : undefined;
  if (distro) {
    data.distro = distro;
    ok = true;
  }
  if (v.DISTRIB_RELEASE) data.version = parseMajorMinor(v.DISTRIB_RELEASE) ?? data.version;
  if (v.DISTRIB_DESCRIPTION) {
    data.productName = v.DISTRIB_DESCRIPTION;
    ok = true;
  }
  return ok;
};

/** SuSE-release: product on line 1, `VERSION = N` and `PATCHLEVEL = M` below. */
export const parseSuseRelease: Parser = (text, data) => {
  const lines = text.split(/\r?\n/);
  const product = lines[0]?.trim();
  if (!product) return false;
  data.productName = product;
  if (/^SUSE (Linux|LINUX) Enterprise |^Novell Linux Desktop /.test(product)) {
    const major = /^VERSION = (\d+)/m.exec(text);
    const minor = /^PATCHLEVEL = (\d+)/m.exec(text);
    data.distro = 'sles';
    if (major) data.version = { major: Number(major[1]), minor: minor ? Number(minor[1]) : 0 };
  } else if (/^(openSUSE|SuSE Linux|SUSE LINUX) /.test(product)) {
    data.distro = 'opensuse';
    const version = /^VERSION = (.*)$/m.exec(text)?.[1] ?? lines[1] ?? '';
    data.version = parseMajorMinor(version) ?? data.version;
  }
  return true;
};

/**
 * A generic one-line release file: the first line is the product name;
 * with `rex`, it must match and its groups are major and minor.
 */
function generic(distro: string, rex?: RegExp): Parser {
  return (text, data) => {
    // The first line as libguestfs reads it (input_line: up to the newline, nothing trimmed).
    const product = text.split('\n')[0] ?? '';
    if (product === '') return false;
    if (rex) {
      const m = rex.exec(product);
      if (!m) return false;
      if (m[1] !== undefined) data.version = { major: Number(m[1]), minor: m[2] !== undefined ? Number(m[2]) : 0 };
    } else {
      data.version = parseMajorMinor(product) ?? data.version;
    }
    // As libguestfs: the file that decides names the product (Debian: /etc/debian_version's `12.5`);
    // os-release's PRETTY_NAME stays in `prettyName`.
    data.productName = product;
    data.distro = distro;
    return true;
  };
}

const RHEL_LIKE = (name: string, distro: string): [string, Parser][] => [
  [`/etc/${name}-release`, generic(distro, new RegExp(`release (\\d+).*Update (\\d+)`))],
  [`/etc/${name}-release`, generic(distro, /release (\d+)\.(\d+)/)],
  [`/etc/${name}-release`, generic(distro, /release (\d+)/)],
];

/** The release-file tests in libguestfs' order. */
export const LINUX_RELEASE_TESTS: readonly [string, Parser][] = [
  ['/etc/os-release', parseOsRelease],
  ['/usr/lib/os-release', parseOsRelease],
  ['/etc/lsb-release', parseLsbRelease],
  ...RHEL_LIKE('oracle', 'oraclelinux'),
  ...RHEL_LIKE('rocky', 'rocky'),
  ...RHEL_LIKE('almalinux', 'almalinux'),
  ...RHEL_LIKE('centos', 'centos'),
  ['/etc/altlinux-release', generic('altlinux')],
  ['/etc/redhat-release', generic('fedora', /Fedora release (\d+)/)],
  ['/etc/redhat-release', generic('rhel', /Red Hat.*release (\d+).*Update (\d+)/)],
  ['/etc/redhat-release', generic('rhel', /Red Hat.*release (\d+)\.(\d+)/)],
  ['/etc/redhat-release', generic('rhel', /Red Hat.*release (\d+)/)],
  ['/etc/redhat-release', generic('centos', /CentOS.*release (\d+).*Update (\d+)/)],
  ['/etc/redhat-release', generic('centos', /CentOS.*release (\d+)\.(\d+)/)],
  ['/etc/redhat-release', generic('centos', /CentOS.*release (\d+)/)],
  ['/etc/redhat-release', generic('scientificlinux', /Scientific Linux.*release (\d+)(?:\.(\d+))?/)],
  ['/etc/redhat-release', generic('redhat-based')],
  ['/etc/system-release', generic('amazonlinux', /Amazon Linux(?: AMI)? release (\d+)(?:\.(\d+))?/)],
  ['/etc/photon-release', generic('photon', /VMware Photon(?: OS)?(?: Linux)? (\d+)\.(\d+)/)],
  ['/etc/debian_version', generic('debian')],
  ['/etc/pardus-release', generic('pardus')],
  ['/etc/arch-release', (_t, data) => { data.distro = 'archlinux'; data.version ??= { major: 0, minor: 0 }; return true; }],
  ['/etc/gentoo-release', generic('gentoo')],
  ['/etc/mageia-release', generic('mageia', /Mageia release (\d+)(?:\.(\d+))?/)],
  ['/etc/meego-release', generic('meego')],
  ['/etc/slackware-version', generic('slackware')],
  ['/etc/SuSE-release', parseSuseRelease],
  ['/etc/alpine-release', generic('alpinelinux')],
  ['/etc/frugalware-release', generic('frugalware', /Frugalware (\d+)\.(\d+)/)],
  ['/etc/pld-release', generic('pldlinux', /(\d+)\.(\d+) PLD Linux/)],
  ['/etc/void-release', (_t, data) => { data.distro = 'voidlinux'; data.version ??= { major: 0, minor: 0 }; return true; }],
];

/** Longest product name kept; a longer one (from a hostile release file) is cut. */
export const PRODUCT_NAME_MAX = 256;

/** Runs the release tests on a guest tree until one succeeds; the product name, pretty name and build id are at most {@link PRODUCT_NAME_MAX} characters. */
export async function readRelease(files: InspectFiles): Promise<ReleaseData> {
  const data: ReleaseData = {};
  const texts = new Map<string, string | undefined>();
  for (const [file, parse] of LINUX_RELEASE_TESTS) {
    if (!texts.has(file)) texts.set(file, await files.readText(file));
    const text = texts.get(file);
    if (text !== undefined && parse(text, data)) break;
  }
  const cut = (text: string | undefined) => (text === undefined ? undefined : [...text].slice(0, PRODUCT_NAME_MAX).join(''));
  if (data.productName !== undefined) data.productName = cut(data.productName);
  if (data.prettyName !== undefined) data.prettyName = cut(data.prettyName);
  if (data.buildId !== undefined) data.buildId = cut(data.buildId);
  return data;
}
