/**
 * The Augeas calls in a VM-mode session: augtool runs inside the VM, on its
 * own staging copy, and answers what it answers in a host-mode session on
 * the same image.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { augeasImage } from '../../helpers/augeas-guest.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;
let hash: string;
const sessions: Record<'host' | 'vm', GuestFS> = {} as never;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('vm-augeas'));
  image = await augeasImage(dir);
  hash = await sha256File(image);
  for (const mode of ['host', 'vm'] as const) {
    const g = await GuestFS.open(image, { format: 'raw', readonly: true, tmpDir: dir, mode });
    await g.mount('/dev/sda', '/');
    await g.augInit('/', 0);
    sessions[mode] = g;
  }
}, 240_000);

afterAll(async () => {
  try {
    await Promise.all(Object.values(sessions).map((g) => g.close()));
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
    expect(await sha256File(image)).toBe(hash);
  } finally {
    await remove();
  }
});

/** What a call gives: its value, or its error's code. */
async function answer(g: GuestFS, fn: (g: GuestFS) => Promise<unknown>): Promise<unknown> {
  return fn(g).catch((err: { code?: string }) => ({ error: err.code }));
}

it('augGet, augMatch, augLs and their errors answer the same in a VM-mode session', async () => {
  const calls: ((g: GuestFS) => Promise<unknown>)[] = [
    (g) => g.augGet('/files/etc/fstab/1/spec'),
    (g) => g.aug_get('/files/etc/ssh/sshd_config/PermitRootLogin'),
    (g) => g.augMatch('/files/etc/network/interfaces/iface'),
    (g) => g.augLs('/files/etc/default/grub'),
    (g) => g.augGet('/files/etc/fstab/['),
    (g) => g.augGet('/files/etc/nothing'),
    (g) => g.augSave(),
  ];
  const host = await Promise.all(calls.map((c) => answer(sessions.host, c)));
  expect(host[0]).toBe('UUID=1111-2222');
  expect(host.slice(4)).toEqual([{ error: 'EAUGEAS' }, { error: 'ENOENT' }, { error: 'EREADONLY' }]);
  for (let i = 0; i < calls.length; i++) expect(await answer(sessions.vm, calls[i]!)).toEqual(host[i]);
});
