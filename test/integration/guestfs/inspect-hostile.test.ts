/**
 * Inspection and mountRoot of a Debian guest with hostile or broken files:
 * every file read is bounded, a file that cannot be read is absent with a
 * warning, and an fstab entry that cannot be mounted is skipped with one.
 */
import { describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { scratchDir } from '../../helpers/images.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { writableGuest } from '../../helpers/writable-guest.js';

/** Warnings the session logs from now on. */
function warnings(g: GuestFS): string[] {
  const seen: string[] = [];
  g.on('log', (e: { level: string; message: string }) => e.level === 'warn' && seen.push(e.message));
  return seen;
}

/** Changes the guest of a fresh writable copy of the Debian fixture, unmounts it and runs `check` on it. */
async function withChangedGuest(label: string, change: (g: GuestFS) => Promise<void>, check: (g: GuestFS) => Promise<void>): Promise<void> {
  const guest = await writableGuest(label, 'debian12');
  try {
    await change(guest.g);
    await guest.g.umountAll();
    await check(guest.g);
  } finally {
    await guest.close();
  }
}

describe('inspection of hostile files', () => {
  it('ignores a 3 GiB sparse /etc/hostname with a warning, reading none of it', async () => {
    await withChangedGuest('hostile-hostname', (g) => g.truncate('/etc/hostname', 3 * 2 ** 30), async (g) => {
      const seen = warnings(g);
      const [root] = await g.inspectOs();
      expect(root).toBe('/dev/sda2');
      expect(g.inspectOsInfo(root!)).toMatchObject({ distro: 'debian', majorVersion: 12, hostname: 'unknown' });
      expect(seen).toEqual(['inspection of /dev/sda2: /etc/hostname ignored: larger than 65536 bytes']);
    });
  });

  it('ignores a 10 MB one-line os-release with a warning', async () => {
    const change = (g: GuestFS) => g.write('/usr/lib/os-release', `PRETTY_NAME="${'x'.repeat(10_000_000)}"\nID=debian\nVERSION_ID="12"\n`);
    await withChangedGuest('hostile-os-release', change, async (g) => {
      const seen = warnings(g);
      const [root] = await g.inspectOs();
      const info = g.inspectOsInfo(root!);
      expect(info).toMatchObject({ distro: 'debian', majorVersion: 12, hostname: 'vmcraft-debian', osinfo: 'debian12' });
      expect(info.productName.length).toBeLessThanOrEqual(256);
      expect(seen).toEqual([
        'inspection of /dev/sda2: /etc/os-release ignored: larger than 65536 bytes',
        'inspection of /dev/sda2: /usr/lib/os-release ignored: larger than 65536 bytes',
      ]);
    });
  });

  it('goes on past an os-release symlink loop, with a warning', async () => {
    const change = async (g: GuestFS) => {
      await g.rm('/etc/os-release');
      await g.lnS('/etc/os-release', '/etc/os-release');
    };
    await withChangedGuest('os-release-loop', change, async (g) => {
      const seen = warnings(g);
      const [root] = await g.inspectOs();
      expect(g.inspectOsInfo(root!)).toMatchObject({ distro: 'debian', productName: expect.stringMatching(/^12\.\d+$/), prettyName: 'Debian GNU/Linux 12 (bookworm)', majorVersion: 12, hostname: 'vmcraft-debian' });
      expect(seen).toEqual([expect.stringMatching(/^inspection of \/dev\/sda2: \/etc\/os-release ignored: ELOOP: /)]);
    });
  });
});

describe('mountRoot with broken fstab entries', () => {
  it('skips an entry whose mount point is missing, or whose device is not in the session, with a warning; mounts the others', async () => {
    const change = async (g: GuestFS) => {
      await g.writeAppend('/etc/fstab', 'LABEL=boot /srv/missing ext4 defaults 0 2\nUUID=0b1c2d3e-0000-4000-8000-000000000000 /data ext4 defaults 0 2\n');
    };
    await withChangedGuest('hostile-fstab', change, async (g) => {
      const [root] = await g.inspectOs();
      const seen = warnings(g);
      const mounted = await g.mountRoot(root!, { readonly: true });
      expect(mounted.map((m) => m.mountpoint)).toEqual(['/', '/boot']);
      expect(g.mountpoints().map((m) => m.mountpoint)).toEqual(['/', '/boot']);
      expect(await g.ls('/boot')).toContain('config-6.1.0-28-amd64');
      expect(seen).toEqual([
        "mountRoot /dev/sda2: /data skipped: fstab's UUID=0b1c2d3e-0000-4000-8000-000000000000 names no device of this session",
        'mountRoot /dev/sda2: /srv/missing skipped: ENOENT: mount point /srv/missing does not exist in the guest',
      ]);
    });
  });

  it('still throws when the root itself cannot be mounted', async () => {
    const { dir, remove } = await scratchDir('mountroot-root');
    try {
      await using g = await GuestFS.open((await loadFixtures()).debian12!.path, { tmpDir: dir, readonly: true });
      const [root] = await g.inspectOs();
      await g.mount('/dev/sda1', '/');
      await expect(g.mountRoot(root!)).rejects.toMatchObject({ code: 'EMOUNT', message: 'something is already mounted on /' });
    } finally {
      expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
      await remove();
    }
  });
});
