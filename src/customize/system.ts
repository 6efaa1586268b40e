/** Hostname, timezone and first-boot scripts. */
import { VmcraftError } from '../core/errors.js';
import { writeIfChanged } from './context.js';
import type { GuestTarget } from '../guest-target.js';

/** Throws `EINVAL` unless `name` is a valid hostname. */
export function checkHostname(name: string): void {
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$/.test(name)) throw new VmcraftError('EINVAL', `\`${name}\` is not a valid hostname`);
}

/** Sets /etc/hostname and the 127.0.1.1 line of /etc/hosts. */
export async function setHostname(t: GuestTarget, name: string): Promise<boolean> {
  checkHostname(name);
  let changed = await writeIfChanged(t, '/etc/hostname', `${name}\n`);
  if (await t.isFile('/etc/hosts', { followSymlinks: true })) {
    const hosts = await t.read('/etc/hosts', 'utf8');
    const short = name.split('.')[0]!;
    const line = `127.0.1.1\t${name === short ? name : `${name} ${short}`}`;
    const next = /^127\.0\.1\.1\s.*$/m.test(hosts) ? hosts.replace(/^127\.0\.1\.1\s.*$/m, line) : `${hosts.replace(/\n?$/, '\n')}${line}\n`;
    changed = (await writeIfChanged(t, '/etc/hosts', next)) || changed;
  }
  return changed;
}

/** Throws `EINVAL` unless the guest has zoneinfo for `zone`. */
export async function checkTimezone(t: GuestTarget, zone: string): Promise<void> {
  if (zone.includes('..') || !(await t.isFile(`/usr/share/zoneinfo/${zone}`, { followSymlinks: true }))) throw new VmcraftError('EINVAL', `the guest has no zoneinfo for \`${zone}\``);
}

/** Points /etc/localtime at the guest's zoneinfo file (and /etc/timezone where the distro has it). */
export async function setTimezone(t: GuestTarget, zone: string): Promise<boolean> {
  await checkTimezone(t, zone);
  const target = `../usr/share/zoneinfo/${zone}`;
  let changed = false;
  const current = (await t.isSymlink('/etc/localtime')) ? await t.readlink('/etc/localtime') : undefined;
  if (current !== target) {
    await t.rmRf('/etc/localtime');
    await t.lnS(target, '/etc/localtime');
    changed = true;
  }
  if (await t.exists('/etc/timezone')) changed = (await writeIfChanged(t, '/etc/timezone', `${zone}\n`)) || changed;
  return changed;
}

const FIRSTBOOT_UNIT = `[Unit]
Description=vmcraft first-boot scripts
After=network-online.target
Wants=network-online.target
ConditionPathExists=!/var/lib/vmcraft/firstboot-done

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'for s in /usr/local/lib/vmcraft/firstboot.d/*; do [ -x "$s" ] && "$s"; done; mkdir -p /var/lib/vmcraft; touch /var/lib/vmcraft/firstboot-done'
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
`;

/** Throws `EINVAL` unless `name` is a plain first-boot script name. */
export function checkFirstBootName(name: string): void {
  if (!/^[\w.-]+$/.test(name)) throw new VmcraftError('EINVAL', `\`${name}\` is not a plain script name`);
}

/** Installs a script that systemd runs once, on the guest's next boot. Returns the script's guest path. */
export async function addFirstBootScript(t: GuestTarget, name: string, script: string): Promise<string> {
  checkFirstBootName(name);
  const dir = '/usr/local/lib/vmcraft/firstboot.d';
  await t.mkdirP(dir);
  const path = `${dir}/${name}`;
  await t.write(path, script.startsWith('#!') ? script : `#!/bin/sh\n${script}`);
  await t.chmod(0o755, path);
  await writeIfChanged(t, '/etc/systemd/system/vmcraft-firstboot.service', FIRSTBOOT_UNIT);
  await t.mkdirP('/etc/systemd/system/multi-user.target.wants');
  if (!(await t.isSymlink('/etc/systemd/system/multi-user.target.wants/vmcraft-firstboot.service'))) {
    await t.lnS('/etc/systemd/system/vmcraft-firstboot.service', '/etc/systemd/system/multi-user.target.wants/vmcraft-firstboot.service');
  }
  return path;
}
