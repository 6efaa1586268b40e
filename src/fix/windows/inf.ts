/** Windows driver .inf files: the parts driver injection needs. */

/** What an .inf says about a driver. */
export interface InfDriver {
  /** Device class (`SCSIAdapter`, `Net`). */
  className: string;
  classGuid: string;
  /** PCI hardware ids the driver binds (`PCI\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00`). */
  hardwareIds: string[];
  /** The service it installs. */
  service?: { name: string; type: number; start: number; errorControl: number; group?: string; binary?: string };
}

type Sections = Map<string, string[]>;

/** Splits an .inf into sections of logical lines (comments and `\` continuations handled), names lower-cased. */
export function infSections(text: string): Sections {
  const sections: Sections = new Map();
  let current: string[] | undefined;
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.replace(/;.*$/, '').trim();
    if (!line) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!.toLowerCase()) ?? [];
      sections.set(header[1]!.toLowerCase(), current);
    } else current?.push(line);
  }
  return sections;
}

function entries(lines: string[] = []): [string, string][] {
  return lines.map((l) => {
    const eq = l.indexOf('=');
    return eq < 0 ? [l, ''] : [l.slice(0, eq).trim(), l.slice(eq + 1).trim()];
  });
}

function value(lines: string[] | undefined, key: string): string | undefined {
  return entries(lines).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
}

const unq = (s: string) => s.replace(/^"(.*)"$/, '$1');

/** Parses an .inf (viostor.inf, netkvm.inf…) for the facts injection needs, for one architecture decoration (`NTamd64`). */
export function parseInf(text: string, decoration = 'ntamd64'): InfDriver {
  const s = infSections(text);
  const strings = new Map(entries(s.get('strings')).map(([k, v]) => [k.toLowerCase(), unq(v)]));
  // %NAME% tokens name [Strings] entries (%12% and other numbers are directory ids: kept).
  const expand = (v: string | undefined) => v?.replace(/%([^%]+)%/g, (whole, name: string) => strings.get(name.toLowerCase()) ?? whole);
  const version = s.get('version');
  const hardwareIds: string[] = [];
  let install: string | undefined;
  for (const [, models] of entries(s.get('manufacturer'))) {
    const [section, ...decorations] = models.split(',').map((p) => p.trim());
    const names = [decorations.some((d) => d.toLowerCase().startsWith(decoration)) ? `${section}.${decorations.find((d) => d.toLowerCase().startsWith(decoration))}` : section];
    for (const name of names) {
      for (const [, rhs] of entries(s.get(name!.toLowerCase()))) {
        const [inst, ...ids] = rhs.split(',').map((p) => p.trim());
        install ??= inst;
        hardwareIds.push(...ids.filter((id) => /^PCI\\/i.test(id)));
      }
    }
  }
  let service: InfDriver['service'];
  const servicesSection = install && (s.get(`${install.toLowerCase()}.services`) ?? s.get(`${install.toLowerCase()}.${decoration}.services`));
  const addService = servicesSection && value(servicesSection, 'AddService');
  if (addService) {
    const [name, , inst] = addService.split(',').map((p) => p.trim());
    const lines = s.get(inst!.toLowerCase());
    const num = (k: string) => Number(expand(value(lines, k)) ?? 0);
    service = {
      name: name!,
      type: num('ServiceType'),
      start: num('StartType'),
      errorControl: num('ErrorControl'),
      ...(value(lines, 'LoadOrderGroup') ? { group: unq(expand(value(lines, 'LoadOrderGroup'))!) } : {}),
      ...(value(lines, 'ServiceBinary') ? { binary: value(lines, 'ServiceBinary')! } : {}),
    };
  }
  return { className: unq(expand(value(version, 'Class')) ?? ''), classGuid: unq(expand(value(version, 'ClassGuid')) ?? '').toUpperCase(), hardwareIds: [...new Set(hardwareIds)], ...(service ? { service } : {}) };
}
