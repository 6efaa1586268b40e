import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { loadFixtures, type Fixture, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let manifest: FixtureManifest;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  manifest = await loadFixtures();
  ({ dir, remove } = await scratchDir('fixtures'));
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

const IMAGES = ['debian12', 'gpt', 'gpt-vmdk', 'gpt-vhdx', 'plain'] as const;

describe.each(IMAGES)('fixture %s, read-only', (name) => {
  let fixture: Fixture;
  let before: string;
  let g: GuestFS;

  beforeAll(async () => {
    fixture = manifest[name]!;
    before = await sha256File(fixture.path);
    g = await GuestFS.open(fixture.path, { readonly: true, tmpDir: dir });
  });
  afterAll(async () => {
    await g.close();
    expect(await sha256File(fixture.path), 'the image must be byte-identical').toBe(before);
  });

  it('finds the partitions and filesystems it was built with', async () => {
    expect(g.listFilesystems()).toEqual(fixture.partitions.map((p) => ({ device: p.device, vfsType: p.fs })));
    for (const p of fixture.partitions) {
      expect(g.vfsUuid(p.device)).toBe(p.uuid);
      expect(g.vfsLabel(p.device)).toBe(p.label ?? '');
      expect(await g.blockdevGetSize64(p.device)).toBe(p.sizeMiB * 1024 * 1024);
    }
    if (fixture.table === 'none') {
      expect(g.listPartitions()).toEqual([]);
      await expect(g.partGetParttype('/dev/sda')).rejects.toMatchObject({ code: 'EINVAL' });
      return;
    }
    expect(await g.partGetParttype('/dev/sda')).toBe(fixture.table === 'gpt' ? 'gpt' : 'msdos');
    if (fixture.table === 'gpt') {
      for (const [i, p] of fixture.partitions.entries()) {
        expect(await g.partGetName('/dev/sda', i + 1)).toBe(p.name);
        expect(await g.partGetGptType('/dev/sda', i + 1)).toBe('0FC63DAF-8483-4772-8E79-3D69D8477DE4');
        if (p.partUuid) expect(await g.partGetGptGuid('/dev/sda', i + 1)).toBe(p.partUuid);
      }
    }
  });

  it('inspects the OS as it was built, mounts it and reads its files', async () => {
    const roots = await g.inspectOs();
    if (!fixture.os) {
      expect(roots).toEqual([]);
      await g.mountRo('/dev/sda', '/');
    } else {
      expect(roots).toEqual([fixture.os.root]);
      const info = g.inspectOsInfo(fixture.os.root);
      const { root, mountpoints, ...facts } = fixture.os;
      expect(info).toMatchObject({ type: 'linux', root, ...facts });
      expect(info.mountpoints).toEqual(mountpoints);
      // The libguestfs calls answer what libguestfs answers (Debian's product name is /etc/debian_version).
      expect(g.inspect_get_product_name(root)).toBe(facts.productName);
      expect(g.inspect_get_build_id(root)).toBe('unknown');
      expect(g.inspect_get_filesystems(root)).toEqual(expect.arrayContaining(mountpoints.map((m) => m.device)));
      // Windows-only facts: libguestfs' answers for a Linux root.
      expect(g.inspectGetProductVariant(root)).toBe('unknown');
      expect(() => g.inspectGetWindowsSystemroot(root)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      for (const call of ['inspect_get_windows_system_hive', 'inspect_get_windows_software_hive', 'inspect_get_windows_current_control_set'] as const) {
        expect(() => g[call](root), call).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      }
      await g.mountRoot(root);
    }
    for (const [file, sha] of Object.entries(fixture.files)) expect(await g.checksum('sha256', file), file).toBe(sha);
    await g.umountAll();
  });
});

describe('the Debian fixture (debootstrap)', () => {
  it('answers the libguestfs inspect_get_* calls and reads real guest files', async () => {
    await using g = await GuestFS.open(manifest.debian12!.path, { readonly: true, tmpDir: dir });
    const [root] = await g.inspect_os();
    expect(g.inspect_get_type(root!)).toBe('linux');
    expect(g.inspect_get_distro(root!)).toBe('debian');
    expect(g.inspect_get_major_version(root!)).toBe(12);
    expect(g.inspect_get_package_management(root!)).toBe('apt');
    expect(g.inspectGetFilesystems(root!)).toEqual(['/dev/sda2', '/dev/sda1']);
    expect(g.inspect_get_build_id(root!)).toBe('unknown');
    // libguestfs' product name for Debian is /etc/debian_version; os-release's PRETTY_NAME is vmcraft's extra prettyName.
    expect(g.inspectOsInfo(root!)).toMatchObject({ productName: expect.stringMatching(/^12\.\d+$/), prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    await g.mountRoot(root!);
    expect(await g.cat('/etc/debian_version')).toBe(`${g.inspect_get_product_name(root!)}\n`);
    expect(await g.isSymlink('/bin')).toBe(true);
    expect(await g.readlink('/bin')).toBe('usr/bin');
    expect(await g.isFile('/bin/sh')).toBe(false);
    expect(await g.isFile('/bin/sh', { followSymlinks: true })).toBe(true);
    expect((await g.readLines('/etc/passwd'))[0]).toMatch(/^root:x:0:0:/);
    expect(await g.ls('/boot')).toEqual(['config-6.1.0-28-amd64', 'lost+found', 'vmlinuz-6.1.0-28-amd64']);
    expect((await g.globExpand('/boot/vmlinuz-*'))).toEqual(['/boot/vmlinuz-6.1.0-28-amd64']);
    expect(await g.exists('/var/lib/dpkg/status')).toBe(true);
    const st = await g.stat('/srv/bench/100M.bin');
    expect(st.size).toBe(100 * 1024 * 1024);
  });
});

describe('an ext4 image whose journal needs recovery', () => {
  it('is read without replaying the journal: byte-identical afterwards', async () => {
    const fixture = manifest.dirty!;
    const before = await sha256File(fixture.path);
    {
      await using g = await GuestFS.open(fixture.path, { readonly: true, tmpDir: dir });
      await g.mountRo('/dev/sda', '/');
      expect(await g.cat('/before.txt')).toBe('written before the mount\n');
      await g.find('/');
      expect(await g.inspectOs()).toEqual([]);
    }
    expect(await sha256File(fixture.path)).toBe(before);
  });
});
