/**
 * sysprep in a VM-mode session gives what it gives in a host-mode session on overlays of the
 * same Debian image: the plan, the report, the files left in the guest, and a guest symlink to
 * a host file changes nothing on the host. Needs dist/ (`npm run build`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { scratchDir } from '../../helpers/images.js';
import { closeSessions } from '../../helpers/close-sessions.js';

const MODES = ['host', 'vm'] as const;
type Mode = (typeof MODES)[number];

let dir: string;
let remove: () => Promise<void>;
let sentinel: string;
const sessions = {} as Record<Mode, GuestFS>;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('vm-sysprep'));
  const image = (await loadFixtures()).debian12!.path;
  sentinel = path.join(dir, 'host-secret');
  await writeFile(sentinel, 'host\n');
  for (const mode of MODES) {
    const overlay = path.join(dir, `${mode}.qcow2`);
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', image, '-F', 'qcow2', overlay]);
    const g = await GuestFS.open(overlay, { tmpDir: dir, mode, chain: { allowDir: path.dirname(image) } });
    await g.mountRoot((await g.inspectOs())[0]!);
    await g.mkdirP('/etc/ssh');
    await g.write('/etc/ssh/ssh_host_ed25519_key', 'key\n');
    await g.write('/etc/machine-id', '0123456789abcdef0123456789abcdef\n');
    await g.lnS(sentinel, '/var/log/syslog');
    sessions[mode] = g;
  }
}, 240_000);

afterAll(() => closeSessions(sessions, dir, remove));

it('sysprepPlan, sysprep and sysprepListOperations answer the same in both modes', async () => {
  const run = async (g: GuestFS) => ({
    mode: g.mode,
    list: await g.sysprepListOperations(),
    plan: await g.sysprepPlan({ operations: ['ssh-hostkeys', 'machine-id', 'logfiles'] }),
    done: await g.sysprep({ operations: ['ssh-hostkeys', 'machine-id', 'logfiles'] }),
    left: { keys: await g.globExpand('/etc/ssh/*'), machineId: await g.cat('/etc/machine-id'), syslog: await g.exists('/var/log/syslog') },
  });
  const host = await run(sessions.host);
  const vm = await run(sessions.vm);
  expect(vm.mode).toBe('vm');
  expect({ ...vm, mode: 'host' }).toEqual(host);
  expect(host.done.removed).toEqual(expect.arrayContaining(['/etc/ssh/ssh_host_ed25519_key', '/var/log/syslog']));
  expect(host.plan).toEqual({ ...host.done, dryRun: true });
  expect(host.left).toEqual({ keys: [], machineId: '', syslog: false });
  expect(await readFile(sentinel, 'utf8')).toBe('host\n');
}, 120_000);
