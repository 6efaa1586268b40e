import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../src/index.js';
import { Runner } from '../../src/core/exec.js';
import { sha256File } from '../../src/core/hash.js';
import { readFixtureFacts, type VmFixtures } from './fixtures.js';
import { kernelLeftovers, NO_KERNEL_LEFTOVERS } from './leaks.js';

let fx: VmFixtures;
beforeAll(async () => (fx = await readFixtureFacts()));
afterEach(async () => expect(await kernelLeftovers()).toEqual(NO_KERNEL_LEFTOVERS));

async function inspectDebian(images: string[], options: { keys?: string[] } = {}) {
  const before = await Promise.all(images.map(sha256File));
  const logs: string[] = [];
  const g = new GuestFS({ readonly: true, ...options });
  g.on('log', (l) => logs.push(l.message));
  for (const i of images) g.addDrive(i);
  await g.launch();
  try {
    const roots = await g.inspectOs();
    expect(roots).toHaveLength(1);
    const os = g.inspectOsInfo(roots[0]!);
    expect(os).toMatchObject({ distro: 'debian', majorVersion: 12, hostname: 'vmcraft-vm-fixture', packageManagement: 'apt' });
    await g.mountRoot(roots[0]!);
    expect(await g.cat('/etc/debian_version')).toMatch(/^12\./);
    expect(await g.isFile('/usr/bin/dpkg')).toBe(true);
    return { g, os, logs, before };
  } finally {
    await g.close();
    expect(await Promise.all(images.map(sha256File))).toEqual(before);
  }
}

describe('Debian on LVM (GPT + /boot + PV: root xfs, var ext4), vmdk through nbd', () => {
  it('activates the VG read-only, resolves /dev/mapper and UUID= fstab entries, leaves the image identical', async () => {
    const { g, os } = await inspectDebian([fx.lvm.path]);
    expect(os.root).toBe('/dev/vmcraftvg/root');
    expect(os.mountpoints).toEqual([
      { mountpoint: '/', device: '/dev/vmcraftvg/root' },
      { mountpoint: '/boot', device: '/dev/sda1' },
      { mountpoint: '/var', device: '/dev/vmcraftvg/var' },
    ]);
    expect(g.status).toBe('closed');
  });

  it('refuses to activate a VG whose name is already active on the host (a second session on the same image)', async () => {
    await using first = await GuestFS.open(fx.lvm.path, { readonly: true });
    expect(first.vgs()).toEqual(['vmcraftvg']);
    await expect(GuestFS.open(fx.lvm.path, { readonly: true })).rejects.toMatchObject({ code: 'EATTACH', message: expect.stringContaining('already active on this host') });
  });

  it('a session killed with SIGKILL leaves its VG active; the next launch deactivates it and can open the image again', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-vm-sigkill-'));
    // The holder opens the image (the VG is activated at launch) and waits to be killed.
    const script = `import('${path.resolve('src/index.ts')}').then(async ({ GuestFS }) => { await GuestFS.open('${fx.lvm.path}', { readonly: true, tmpDir: '${tmp}' }); console.log('ready'); setInterval(() => {}, 1000); });`;
    const child = execa('node', ['--import', 'tsx', '-e', script], { reject: false });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.on('close', () => reject(new Error(`child exited before it was ready: ${stderr}`))); // after its output is read
    });
    child.kill('SIGKILL');
    await child;
    const left = await kernelLeftovers();
    expect(left.dm.join('\n')).toContain('vmcraftvg-root');
    expect(left.nbd).toHaveLength(1);
    const warnings: string[] = [];
    const g = new GuestFS({ readonly: true });
    g.on('log', (l) => l.level === 'warn' && warnings.push(l.message));
    g.addDrive(fx.lvm.path);
    await g.launch(); // without the reaper: EATTACH, the VG name is still active
    try {
      expect(g.vgs()).toEqual(['vmcraftvg']);
      expect(warnings).toEqual([expect.stringMatching(/^released what process \d+ \(gone\) left in .*: lvm vgchange -a n/)]);
    } finally {
      await g.close();
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('lists LVs, VGs and PVs and uses nbd', async () => {
    await using g = await GuestFS.open(fx.lvm.path, { readonly: true });
    expect(g.lvs()).toEqual(['/dev/vmcraftvg/root', '/dev/vmcraftvg/var']);
    expect(g.vgs()).toEqual(['vmcraftvg']);
    expect(g.pvs()).toEqual(['/dev/sda2']);
    expect(g.hostDevice('/dev/sda')).toMatch(/^\/dev\/nbd\d+$/);
    expect(g.vfsType('/dev/vmcraftvg/root')).toBe('xfs');
    expect(g.listFilesystems().map((f) => f.device)).toEqual(['/dev/sda1', '/dev/vmcraftvg/root', '/dev/vmcraftvg/var']);
  });
});

describe('Debian root inside LUKS2 (qcow2)', () => {
  it('opens it with the passphrase and maps the crypttab name in fstab (/dev/mapper/sda2_crypt) to it', async () => {
    const { os } = await inspectDebian([fx.luks.path], { keys: [fx.luks.passphrase] });
    expect(os.root).toBe(`/dev/mapper/luks-${fx.luks.luksUuid}`);
    expect(os.crypttab.map((c) => c.name)).toEqual(['sda2_crypt']);
    expect(os.mountpoints).toEqual([
      { mountpoint: '/', device: `/dev/mapper/luks-${fx.luks.luksUuid}` },
      { mountpoint: '/boot', device: '/dev/sda1' },
    ]);
  });

  it('takes a key given for one device by its LUKS UUID', async () => {
    await using g = await GuestFS.open(fx.luks.path, { readonly: true, keys: [{ device: fx.luks.luksUuid, key: fx.luks.passphrase }, 'a wrong one for other devices'] });
    expect(g.vfsType(`/dev/mapper/luks-${fx.luks.luksUuid}`)).toBe('ext4');
  });

  it('a wrong passphrase is EBADKEY and leaves nothing open', async () => {
    const g = new GuestFS({ readonly: true, keys: ['wrong passphrase'] });
    g.addDrive(fx.luks.path);
    await expect(g.launch()).rejects.toMatchObject({ code: 'EBADKEY' });
  });

  it('without a key the volume stays locked (with a warning), and luksOpen opens it later', async () => {
    const logs: string[] = [];
    const g = new GuestFS({ readonly: true });
    g.on('log', (l) => logs.push(l.message));
    g.addDrive(fx.luks.path);
    await g.launch();
    try {
      expect(logs.join('\n')).toMatch(/LUKS-encrypted and no key/);
      expect(await g.inspectOs()).toEqual([]);
      await expect(g.luksOpen('/dev/sda2', 'nope')).rejects.toMatchObject({ code: 'EBADKEY' });
      expect(await g.luksOpen('/dev/sda2', fx.luks.passphrase)).toEqual([`/dev/mapper/luks-${fx.luks.luksUuid}`]);
      expect(await g.inspectOs()).toEqual([`/dev/mapper/luks-${fx.luks.luksUuid}`]);
    } finally {
      await g.close();
    }
  });
});

describe('Debian root on RAID1 over two images', () => {
  it('assembles the array from both images', async () => {
    const { os } = await inspectDebian(fx.raid.paths);
    expect(os.root).toBe('/dev/md/root');
  });

  it('assembles it degraded, with a warning, when a member is missing', async () => {
    const { logs } = await inspectDebian([fx.raid.paths[0]]);
    expect(logs.join('\n')).toMatch(/1 of its 2 members: assembling it degraded/);
  });
});

describe('a VG with a PV missing', () => {
  it('warns, activates what it can, and cleans up', async () => {
    const logs: string[] = [];
    const g = new GuestFS({ readonly: true });
    g.on('log', (l) => logs.push(l.message));
    g.addDrive(fx.twoDiskVg.paths[0]);
    await g.launch().catch((err: { code: string }) => expect(err.code).toBe('ECOMMAND'));
    await g.close();
    expect(logs.join('\n')).toMatch(/spanvg is missing 1 of its 2 PVs/);
  });

  it('activates fully with both images', async () => {
    await using g = await GuestFS.open(fx.twoDiskVg.paths, { readonly: true });
    expect(g.lvs()).toEqual(['/dev/spanvg/data']);
    expect(g.vfsType('/dev/spanvg/data')).toBe('ext4');
  });
});

/** Opens `image` read-only, runs `check` on the launched session, closes it; no warnings, image byte-identical. */
async function withStackedSession(image: string, options: { keys?: string[] }, check: (g: GuestFS) => Promise<void>): Promise<void> {
  const before = await sha256File(image);
  const warnings: string[] = [];
  const g = new GuestFS({ readonly: true, ...options });
  g.on('log', (l) => l.level === 'warn' && warnings.push(l.message));
  g.addDrive(image);
  await g.launch();
  try {
    await check(g);
  } finally {
    await g.close();
  }
  expect(warnings).toEqual([]);
  expect(await sha256File(image)).toBe(before);
}

/** Mounts `device` read-only on / and reads the file the fixture wrote. */
async function readStackedText(g: GuestFS, device: string): Promise<string> {
  await g.mountRo(device, '/');
  return g.cat('/stacked.txt');
}

describe('stacked layouts (small qcow2 images, ext4 with /stacked.txt inside)', () => {
  it('LVM on LUKS: the key opens sda1, the VG inside is activated whole, its LV mounts (an active host VG cryptvg-old is no clash)', async () => {
    const { lvmOnLuks, passphrase } = fx.stacked;
    const mapping = `/dev/mapper/luks-${lvmOnLuks.luksUuid}`;
    // The LV of a host VG "cryptvg-old": dm name cryptvg--old-root, an LVM dm UUID; its node made as udev would.
    const run = new Runner();
    await run.run('dmsetup', ['create', 'cryptvg--old-root', '--uuid', `LVM-${'0'.repeat(32)}${'1'.repeat(32)}`, '--table', '0 8 zero']);
    await run.run('dmsetup', ['mknodes', 'cryptvg--old-root']);
    try {
      await withStackedSession(lvmOnLuks.path, { keys: [passphrase] }, async (g) => {
        expect(g.pvs()).toEqual([mapping]);
        expect(g.lvs()).toEqual(['/dev/cryptvg/data']);
        expect(g.listMdDevices()).toEqual([]);
        // As libguestfs' list_filesystems: the LUKS container is not a filesystem.
        expect(g.listFilesystems()).toEqual([{ device: '/dev/cryptvg/data', vfsType: 'ext4' }]);
        expect(await readStackedText(g, '/dev/cryptvg/data')).toBe(`${lvmOnLuks.text}\n`);
      });
    } finally {
      await run.run('dmsetup', ['remove', 'cryptvg--old-root']);
      await run.run('dmsetup', ['mknodes']); // no udev: removes the node
    }
  });

  it('LVM on LUKS without a key: stays locked at launch; luksOpen opens it and activates the VG inside', async () => {
    const { lvmOnLuks, passphrase } = fx.stacked;
    const mapping = `/dev/mapper/luks-${lvmOnLuks.luksUuid}`;
    const before = await sha256File(lvmOnLuks.path);
    const logs: string[] = [];
    const g = new GuestFS({ readonly: true });
    g.on('log', (l) => logs.push(l.message));
    g.addDrive(lvmOnLuks.path);
    await g.launch();
    try {
      expect(logs.join('\n')).toMatch(/sda1 is LUKS-encrypted and no key/);
      expect(g.lvs()).toEqual([]);
      expect(await g.luksOpen('/dev/sda1', passphrase)).toEqual([mapping, '/dev/cryptvg/data']);
      expect(g.lvs()).toEqual(['/dev/cryptvg/data']);
      expect(await readStackedText(g, '/dev/cryptvg/data')).toBe(`${lvmOnLuks.text}\n`);
    } finally {
      await g.close();
    }
    expect(await sha256File(lvmOnLuks.path)).toBe(before);
  });

  it('LUKS on LVM: the VG is activated, the key opens its LV, the filesystem inside mounts', async () => {
    const { luksOnLvm, passphrase } = fx.stacked;
    const mapping = `/dev/mapper/luks-${luksOnLvm.luksUuid}`;
    await withStackedSession(luksOnLvm.path, { keys: [passphrase] }, async (g) => {
      expect(g.pvs()).toEqual(['/dev/sda1']);
      expect(g.lvs()).toEqual(['/dev/outervg/secret']);
      expect(g.listMdDevices()).toEqual([]);
      expect(g.listFilesystems()).toEqual([{ device: mapping, vfsType: 'ext4' }]);
      expect(await readStackedText(g, mapping)).toBe(`${luksOnLvm.text}\n`);
    });
  });

  it('LVM on md: the RAID1 of sda1 and sda2 is assembled, the VG on it is activated, its LV mounts', async () => {
    const { lvmOnMd } = fx.stacked;
    await withStackedSession(lvmOnMd.path, {}, async (g) => {
      expect(g.listMdDevices()).toEqual(['/dev/md/lvmraid']);
      expect(g.pvs()).toEqual(['/dev/md/lvmraid']);
      expect(g.lvs()).toEqual(['/dev/mdvg/data']);
      // The members (sda1, sda2) and the PV on the array hold no filesystem.
      expect(g.listFilesystems()).toEqual([{ device: '/dev/mdvg/data', vfsType: 'ext4' }]);
      expect(await readStackedText(g, '/dev/mdvg/data')).toBe(`${lvmOnMd.text}\n`);
    });
  });
});
