/**
 * g.sysprep(options) as virt-sysprep's operations, on a private copy of the Debian fixture seeded
 * with the files each operation removes: the plan (dry run) first, then the real run, each
 * effect checked in the guest; the selection options; operations that apply to other distros
 * run through the module with their inspection values; guest symlinks that point at host files;
 * a read-only session (plan only, image byte-identical).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { sysprep, type SysprepOs } from '../../../src/customize/sysprep/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { sha256File } from '../../helpers/images.js';
import { writableGuest, type WritableGuest } from '../../helpers/writable-guest.js';

let g: GuestFS;
let session: WritableGuest;

beforeAll(async () => {
  session = await writableGuest('sysprep', 'debian12');
  g = session.g;
  await g.sh('useradd -m -u 1500 alice && useradd -m -u 1501 bob');
});
afterAll(async () => session.close());

/** Writes each file (making its directory), content `x` unless given. */
async function seed(files: Record<string, string> | string[]): Promise<void> {
  const entries = Array.isArray(files) ? files.map((f) => [f, 'x'] as const) : Object.entries(files);
  for (const [file, content] of entries) {
    await g.mkdirP(path.posix.dirname(file));
    await g.write(file, content);
  }
}

const existing = async (paths: string[]) => (await Promise.all(paths.map(async (p) => ((await g.exists(p)) || (await g.isSymlink(p)) ? p : '')))).filter(Boolean);

/** What the default operations remove, by operation. */
const REMOVED: Record<string, string[]> = {
  'abrt-data': ['/var/spool/abrt/ccpp-1'],
  'backup-files': ['/etc/foo.conf~', '/srv/data.bak', '/var/lib/x.bak'],
  'bash-history': ['/home/alice/.bash_history', '/root/.bash_history'],
  'cloud-init': ['/var/lib/cloud/instance', '/var/lib/cloud/instances'],
  'crash-data': ['/var/crash/127.0.0.1-2024'],
  'cron-spool': ['/var/spool/cron/crontabs/alice'],
  'dhcp-client-state': ['/var/lib/dhcp/dhclient.eth0.leases'],
  'dhcp-server-state': ['/var/lib/dhcpd/dhcpd.leases'],
  'kerberos-hostkeytab': ['/etc/krb5.keytab'],
  logfiles: ['/var/log/alternatives.log', '/var/log/apt/history.log', '/var/log/btmp', '/var/log/dpkg.log', '/var/log/journal/0123', '/var/log/syslog', '/var/log/wtmp'],
  'lvm-system-devices': ['/etc/lvm/devices/system.devices'],
  'mail-spool': ['/var/spool/mail/alice'],
  'pacct-log': ['/var/log/account/pacct.0'],
  'passwd-backups': ['/etc/passwd-', '/etc/shadow-'],
  'ssh-hostkeys': ['/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_ed25519_key.pub'],
  'ssh-userdir': ['/home/alice/.ssh', '/root/.ssh'],
  'tmp-files': ['/tmp/.X0-lock', '/tmp/build', '/var/tmp/cache'],
  'udev-persistent-net': ['/etc/udev/rules.d/70-persistent-net.rules'],
  utmp: ['/var/run/utmp'],
  'zsh-history': ['/root/.zsh_history'],
};

describe('the default operations', () => {
  let plan: Awaited<ReturnType<GuestFS['sysprepPlan']>>;
  beforeAll(async () => {
    await seed([...Object.values(REMOVED).flat().filter((p) => !p.endsWith('/.ssh') && !p.endsWith('/instances') && !p.endsWith('/build') && p !== '/var/lib/cloud/instance'), '/home/alice/.ssh/authorized_keys', '/root/.ssh/id_ed25519', '/var/lib/cloud/instances/i-1/user-data', '/tmp/build/out.o', '/var/log/app/app.log', '/usr/share/keep.bak', '/var/spool/cron/atjobs/.SEQ', '/var/cache/apt/archives/partial/half.deb']);
    await g.lnS('instances/i-1', '/var/lib/cloud/instance');
    await g.write('/etc/machine-id', '0123456789abcdef0123456789abcdef\n');
    await g.write('/var/spool/cron/atjobs/.SEQ', '0002a\n');
    await g.write('/var/log/app/app.log', 'lots of logs\n');
    await g.write('/var/lib/dbus-machine-id-target', 'unrelated\n');
  });

  it('sysprepPlan reports what each would do and writes nothing', async () => {
    plan = await g.sysprepPlan();
    expect(plan.dryRun).toBe(true);
    // A file an earlier step would remove is not counted again (logfiles removes dpkg.log before emptying *.log).
    expect(plan.emptied.filter((p) => plan.removed.includes(p))).toEqual([]);
    for (const [name, paths] of Object.entries(REMOVED)) {
      expect(plan.operations.find((o) => o.name === name)?.removed, name).toEqual(expect.arrayContaining(paths));
    }
    expect(plan.emptied).toEqual(expect.arrayContaining(['/etc/machine-id', '/var/log/app/app.log']));
    expect(plan.changed).toEqual(expect.arrayContaining(['/var/spool/cron/atjobs/.SEQ', '/var/log/account/pacct']));
    // The operations not enabled by default are not in it.
    expect(plan.operations.map((o) => o.name)).not.toContain('user-account');
    expect(plan.operations.at(-1)!.name).toBe('customize');
    const all = Object.values(REMOVED).flat();
    expect(await existing(all)).toEqual(all);
    expect(await g.cat('/etc/machine-id')).toBe('0123456789abcdef0123456789abcdef\n');
  });

  it('sysprep() removes, empties and resets as virt-sysprep does', async () => {
    const debs = (await g.ls('/var/cache/apt/archives')).filter((n) => n.endsWith('.deb'));
    expect(debs.length).toBeGreaterThan(10);
    const report = await g.sysprep();
    // The plan said exactly this.
    expect(report).toEqual({ ...plan, dryRun: false });
    expect(await existing(Object.values(REMOVED).flat())).toEqual([]);
    for (const [name, paths] of Object.entries(REMOVED)) expect(report.operations.find((o) => o.name === name)?.removed, name).toEqual(expect.arrayContaining(paths));
    // machine-id and applications' logs are emptied, not removed; the at counter is reset in place.
    expect(await g.cat('/etc/machine-id')).toBe('');
    expect(await g.cat('/var/log/app/app.log')).toBe('');
    expect(await g.cat('/var/spool/cron/atjobs/.SEQ')).toBe('00000\n');
    expect(await g.isDir('/var/spool/cron/crontabs')).toBe(true);
    // Package cache: the files go, the directories stay.
    expect(await g.ls('/var/cache/apt/archives/partial')).toEqual([]);
    expect((await g.ls('/var/cache/apt/archives')).filter((n) => n.endsWith('.deb'))).toEqual([]);
    expect(report.operations.find((o) => o.name === 'package-manager-cache')!.removed).toHaveLength(debs.length + 1);
    // pacct: the old logs removed and an empty one made.
    expect((await g.stat('/var/log/account/pacct')).size).toBe(0);
    // Backup files outside /etc, /root, /srv, /tmp, /var are left.
    expect(await g.exists('/usr/share/keep.bak')).toBe(true);
    expect(await g.isDir('/tmp')).toBe(true);
    expect(await g.isDir('/var/log/apt')).toBe(true);
    expect(report.warnings).toEqual([]);
    // Once done, a second run has nothing left to remove but the empty pacct it made.
    const again = await g.sysprepPlan();
    expect(again.removed).toEqual(['/var/log/account/pacct']);
  });
});

describe('choosing operations', () => {
  it('operations: names, -name, defaults, all; enable: exactly these', async () => {
    await seed(['/etc/ssh/ssh_host_rsa_key', '/var/log/syslog', '/etc/sysconfig/iptables', '/root/.bash_history']);
    const names = async (options: Parameters<GuestFS['sysprepPlan']>[0]) => (await g.sysprepPlan(options)).operations.map((o) => o.name);
    expect(await names({ operations: ['ssh-hostkeys', 'logfiles'] })).toEqual(['logfiles', 'ssh-hostkeys']);
    expect(await names({ operations: ['-all'] })).toEqual([]);
    const defaults = await names({});
    expect(await names({ operations: ['defaults', '-logfiles', '-lvm-uuids'] })).toEqual(defaults.filter((n) => n !== 'logfiles'));
    expect(await names({ operations: ['all'] })).toContain('user-account');
    expect(await names({ enable: ['firewall-rules'], operations: ['bash-history'] })).toEqual(['bash-history', 'firewall-rules']);
    const r = await g.sysprep({ operations: ['ssh-hostkeys', 'firewall-rules'] });
    expect(r.removed).toEqual(['/etc/sysconfig/iptables', '/etc/ssh/ssh_host_rsa_key']);
    expect(await g.exists('/var/log/syslog')).toBe(true);
    expect(await g.exists('/root/.bash_history')).toBe(true);
  });

  it('bad choices are typed errors, before anything is written', async () => {
    await expect(g.sysprep({ operations: ['no-such-op'] })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('not a known operation') });
    await expect(g.sysprep({ operations: ['lvm-uuids'] })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('does not implement') });
    await expect(g.sysprep({ operations: [''] })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.sysprep({ enable: [] })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.sysprep({ removeUserAccounts: ['alice'] })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('"user-account" operation is not enabled') });
    await expect(g.sysprep({ nope: 1 } as never)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.sysprep({ operations: 'logfiles' } as never)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await g.exists('/var/log/syslog')).toBe(true);
  });

  it('sysprepListOperations lists the table: name, default, description', async () => {
    const list = await g.sysprepListOperations();
    expect(list.find((o) => o.name === 'machine-id')).toEqual({ name: 'machine-id', enabledByDefault: true, description: 'Remove the local machine ID' });
    expect(list.find((o) => o.name === 'user-account')!.enabledByDefault).toBe(false);
    expect(list.map((o) => o.name)).toEqual([...list.map((o) => o.name)].sort());
  });
});

describe('user-account', () => {
  it('removes the users (uid in UID_MIN..UID_MAX) asked, with their home, mail and group; keeps the others', async () => {
    await seed({ '/var/mail/alice': 'mail', '/home/bob/notes': 'b' });
    const r = await g.sysprep({ enable: ['user-account'], keepUserAccounts: ['bob'] });
    expect(r.removed).toEqual(['/var/spool/mail/alice', '/home/alice']);
    expect(r.changed).toEqual(['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow']);
    for (const file of ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow']) {
      const names = (await g.readLines(file)).map((l) => l.split(':')[0]);
      expect(names, file).not.toContain('alice');
      expect(names, file).toContain('bob');
      expect(names, file).toContain('root');
    }
    expect(await g.exists('/home/alice')).toBe(false);
    expect(await g.cat('/home/bob/notes')).toBe('b');
    // System users (uid below UID_MIN) are never touched.
    expect(await g.sh('id -u _apt')).toMatch(/^\d+\n$/);
  });
});

describe('operations for other guests', () => {
  const rhel: SysprepOs = { type: 'linux', distro: 'rhel', packageFormat: 'rpm', packageManagement: 'yum' };

  it('the Red Hat ones: ifcfg HOSTNAME/HWADDR lines, NetworkManager profiles, rpm and yum state', async () => {
    await seed({
      '/etc/sysconfig/network-scripts/ifcfg-eth0': 'DEVICE=eth0\nHWADDR=52:54:00:12:34:56\nHOSTNAME=web1\nDHCP_HOSTNAME=web1\nONBOOT=yes\n',
      '/etc/NetworkManager/system-connections/eth0.nmconnection': '[connection]\n',
      '/var/lib/rpm/__db.001': 'x', '/var/lib/yum/uuid': 'u', '/etc/sysconfig/rhn/systemid': 's', '/etc/pki/entitlement/1.pem': 'e',
      '/var/cache/yum/x86_64/repomd.xml': 'r', '/var/account/pacct': 'p', '/var/account/pacct.1': 'p',
    });
    const r = await sysprep(g, rhel, { enable: ['net-hostname', 'net-hwaddr', 'net-nmconn', 'rpm-db', 'yum-uuid', 'rhn-systemid', 'rh-subscription-manager', 'package-manager-cache', 'pacct-log'] });
    expect(await g.cat('/etc/sysconfig/network-scripts/ifcfg-eth0')).toBe('DEVICE=eth0\nONBOOT=yes\n');
    expect(r.removed).toEqual(expect.arrayContaining(['/etc/NetworkManager/system-connections/eth0.nmconnection', '/var/lib/rpm/__db.001', '/var/lib/yum/uuid', '/etc/sysconfig/rhn/systemid', '/etc/pki/entitlement/1.pem', '/var/cache/yum/x86_64/repomd.xml', '/var/account/pacct.1']));
    expect(await g.isDir('/var/cache/yum/x86_64')).toBe(true);
    expect((await g.stat('/var/account/pacct')).size).toBe(0);
    // On Debian the same operations leave these files alone.
    await seed({ '/var/lib/rpm/__db.002': 'x' });
    expect((await g.sysprep({ enable: ['rpm-db', 'net-hwaddr'] })).removed).toEqual([]);
  });

  it('a Windows guest gets none of the Linux clean-ups', async () => {
    await g.write('/etc/machine-id', 'abc\n');
    await seed(['/var/log/syslog', '/etc/ssh/ssh_host_rsa_key']);
    const r = await sysprep(g, { type: 'windows', distro: 'windows', packageFormat: 'unknown', packageManagement: 'unknown' }, { operations: ['machine-id', 'logfiles', 'ssh-hostkeys'] });
    expect(r.removed).toEqual([]);
    expect(r.emptied).toEqual([]);
    expect(await g.cat('/etc/machine-id')).toBe('abc\n');
  });

  it('ca-certificates removes the certificates and rebuilds the store, at first boot when the guest has no update-ca-certificates', async () => {
    await seed(['/etc/pki/tls/certs/mine.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/pki/tls/private/mine.key']);
    const r = await g.sysprep({ enable: ['ca-certificates'] });
    expect(r.removed).toEqual(['/etc/pki/tls/private/mine.key', '/etc/pki/tls/certs/mine.crt']);
    expect(await g.exists('/etc/pki/tls/certs/ca-bundle.crt')).toBe(true);
    expect(r.warnings).toEqual([expect.stringContaining("update-ca-certificates failed here")]);
    expect(r.changed).toEqual(['/usr/local/lib/vmcraft/firstboot.d/vmcraft-update-ca-store']);
    expect(await g.cat('/usr/local/lib/vmcraft/firstboot.d/vmcraft-update-ca-store')).toContain('update-ca-certificates');
  });
});

describe('hostile guests', () => {
  it('guest symlinks to host files: the links go, the host files stay', async () => {
    const host = path.join(session.dir, 'host-files');
    await mkdir(path.join(host, 'tmp'), { recursive: true });
    const files = { secret: 'host secret\n', 'machine-id': 'host id\n', 'tmp/keep': 'host tmp\n', 'shadow~': 'backup\n' };
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(host, name), content);
    // Absolute links name host paths; relative ones climb past the guest root.
    await g.rmRf('/etc/machine-id');
    await g.lnS(path.join(host, 'machine-id'), '/etc/machine-id');
    await g.rmRf('/var/log/syslog');
    await g.lnS(`../../../../../../../../..${host}/secret`, '/var/log/syslog');
    await g.rmRf('/var/tmp');
    await g.lnS(path.join(host, 'tmp'), '/var/tmp');
    await g.rmRf('/var/cache/apt/archives');
    await g.lnS(path.join(host, 'tmp'), '/var/cache/apt/archives');
    await g.lnS(host, '/srv/host');
    await g.lnS(path.join(host, 'tmp'), '/root/.ssh');
    await g.mkdirP('/home/eve');
    await g.lnS(path.join(host, 'secret'), '/home/eve/.bash_history');
    // A log that names /etc/shadow: in the guest that is the guest's own, and only the link goes.
    await g.lnS('/etc/shadow', '/var/log/secure');
    const hostShadow = await sha256File('/etc/shadow');
    const guestShadow = await g.checksum('sha256', '/etc/shadow');
    const r = await g.sysprep();
    expect(await sha256File('/etc/shadow')).toBe(hostShadow);
    expect(await g.checksum('sha256', '/etc/shadow')).toBe(guestShadow);
    expect(await g.exists('/var/log/secure')).toBe(false);
    for (const [name, content] of Object.entries(files)) expect(await readFile(path.join(host, name), 'utf8'), name).toBe(content);
    expect(r.removed).toEqual(expect.arrayContaining(['/var/log/syslog', '/root/.ssh', '/home/eve/.bash_history']));
    expect(r.emptied).not.toContain('/etc/machine-id');
    expect(await g.isSymlink('/etc/machine-id')).toBe(true);
  });

  it('/var/log pointing at the guest root: only the guest is touched', async () => {
    await g.write('/hostile.log', 'in the guest\n');
    await g.rmRf('/var/log');
    await g.lnS('/', '/var/log');
    const r = await g.sysprep({ operations: ['logfiles'] });
    // The glob resolves inside the guest: its own /hostile.log is what goes.
    expect(r.removed).toContain('/var/log/hostile.log');
    expect(await g.exists('/hostile.log')).toBe(false);
    expect(await g.isDir('/etc')).toBe(true);
  });
});

describe('a read-only session', () => {
  it('refuses sysprep (EREADONLY), plans, and leaves the image byte-identical', async () => {
    const image = (await loadFixtures()).debian12!.path;
    const before = await sha256File(image);
    const ro = await GuestFS.open(image, { readonly: true, tmpDir: session.dir });
    try {
      await ro.mountRoot((await ro.inspectOs())[0]!);
      await expect(ro.sysprep()).rejects.toMatchObject({ code: 'EREADONLY' });
      const plan = await ro.sysprepPlan();
      expect(plan.operations.find((o) => o.name === 'package-manager-cache')!.removed.length).toBeGreaterThan(10);
      expect(plan.operations.find((o) => o.name === 'logfiles')!.removed).toContain('/var/log/dpkg.log');
    } finally {
      await ro.close();
    }
    expect(await sha256File(image)).toBe(before);
  });

  it('sysprep needs the inspected guest mounted', async () => {
    const image = (await loadFixtures()).debian12!.path;
    const ro = await GuestFS.open(image, { readonly: true, tmpDir: session.dir });
    try {
      await expect(ro.sysprepPlan()).rejects.toMatchObject({ code: 'ENOTMOUNTED' });
    } finally {
      await ro.close();
    }
  });
});
