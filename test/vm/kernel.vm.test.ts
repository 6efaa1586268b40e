/**
 * Proves the VM harness: the kernel features these machines lack (nbd with
 * partitions, device-mapper, LVM without udev, dm-crypt, md RAID1) work in the
 * VM with the host's own tools. Plain tools only; vmcraft's own nbd/LVM/LUKS/md
 * code is tested in the other *.vm.test.ts files.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CleanupStack } from '../../src/core/cleanup.js';
import { Runner } from '../../src/core/exec.js';
import { kernelLeftovers, NO_KERNEL_LEFTOVERS } from './leaks.js';

const runner = new Runner();
const PASSPHRASE = 'vmcraft kernel test';
let dir: string;
let stack: CleanupStack;

beforeAll(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-kernel-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));
beforeEach(() => void (stack = new CleanupStack()));
afterEach(async () => {
  await stack.releaseAll();
  expect(await kernelLeftovers()).toEqual(NO_KERNEL_LEFTOVERS);
  expect(await loopDevicesOf(dir)).toEqual([]);
});

/** Polls until `check` holds (device nodes appear a moment after the ioctl that makes them). */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function sectors(dev: string): Promise<number> {
  return Number(await readFile(`/sys/block/${path.basename(dev)}/size`, 'utf8'));
}

/** The first /dev/nbdN with nothing connected. */
async function freeNbd(): Promise<string> {
  const names = (await readdir('/sys/block')).filter((n) => /^nbd\d+$/.test(n)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  for (const name of names) if (!existsSync(`/sys/block/${name}/pid`) && (await sectors(name)) === 0) return `/dev/${name}`;
  throw new Error('no free nbd device');
}

/** Loop devices whose backing file is under `root`. */
async function loopDevicesOf(root: string): Promise<string[]> {
  const { stdout } = await runner.run('losetup', ['-n', '-l', '-O', 'NAME,BACK-FILE']);
  return stdout.split('\n').filter((l) => l.includes(root)).map((l) => l.trim().split(/\s+/)[0]!);
}

/** A new qcow2 image connected with qemu-nbd, with one GPT partition; returns the device. */
async function nbdWithPartition(name: string): Promise<string> {
  const image = path.join(dir, `${name}.qcow2`);
  await runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', image, '128M']);
  stack.push(`image ${image}`, () => rm(image, { force: true }));
  const dev = await freeNbd();
  await runner.run('qemu-nbd', [`--connect=${dev}`, '--format=qcow2', image]);
  stack.push(`nbd ${dev}`, async () => {
    await runner.run('qemu-nbd', ['--disconnect', dev]);
    await waitFor(`${dev} to disconnect`, async () => (await sectors(dev)) === 0);
  });
  await waitFor(`${dev} to connect`, async () => (await sectors(dev)) === 128 * 2048);
  await runner.run('sfdisk', ['-q', dev], { input: 'label: gpt\n,,L\n' });
  await waitFor(`${dev}p1`, () => existsSync(`${dev}p1`));
  return dev;
}

/** A loop device over a new sparse file of `mib` MiB. */
async function loopDevice(name: string, mib: number): Promise<string> {
  const file = path.join(dir, `${name}.raw`);
  await runner.run('truncate', ['-s', `${mib}M`, file]);
  stack.push(`file ${file}`, () => rm(file, { force: true }));
  const { stdout } = await runner.run('losetup', ['--find', '--show', file]);
  const dev = stdout.trim();
  stack.push(`loop ${dev}`, async () => void (await runner.run('losetup', ['-d', dev])));
  return dev;
}

/** Makes an ext4 on `dev`, writes a file through a mount and reads it back. */
async function ext4RoundTrip(dev: string): Promise<string> {
  await runner.run('mkfs.ext4', ['-q', '-F', dev]);
  const mnt = await mkdtemp(path.join(dir, 'mnt-'));
  await runner.run('mount', [dev, mnt]);
  try {
    await writeFile(path.join(mnt, 'hello'), `written through ${dev}\n`);
    return await readFile(path.join(mnt, 'hello'), 'utf8');
  } finally {
    await runner.run('umount', [mnt]);
    await rm(mnt, { recursive: true });
  }
}

describe('the VM kernel', () => {
  it('loads nbd with partitions and connects a qcow2 whose new partition appears', async () => {
    await runner.run('modprobe', ['nbd', 'max_part=16']);
    expect(existsSync('/dev/nbd0')).toBe(true);
    // The kernel rounds max_part up to a power of two minus one.
    expect(Number(await readFile('/sys/module/nbd/parameters/max_part', 'utf8'))).toBeGreaterThanOrEqual(16);
    const dev = await nbdWithPartition('nbd');
    const { stdout } = await runner.run('lsblk', ['-n', '-r', '-o', 'NAME,TYPE', dev]);
    expect(stdout.trim().split('\n')).toEqual([`${path.basename(dev)} disk`, `${path.basename(dev)}p1 part`]);
    expect(await ext4RoundTrip(`${dev}p1`)).toBe(`written through ${dev}p1\n`);
  });

  it('has device-mapper loaded', async () => {
    expect(existsSync('/dev/mapper/control')).toBe(true);
    const { stdout } = await runner.run('dmsetup', ['version']);
    expect(stdout).toMatch(/Driver version:\s+4\./);
  });

  it('creates and activates an LVM volume on nbd with a private, udev-less config', async () => {
    const dev = await nbdWithPartition('lvm');
    const pv = `${dev}p1`;
    const systemDir = await mkdtemp(path.join(dir, 'lvm-'));
    stack.push(`lvm dir ${systemDir}`, () => rm(systemDir, { recursive: true, force: true }));
    // Only this test's PV is seen; no udev in the VM, so LVM makes its own /dev nodes.
    await writeFile(path.join(systemDir, 'lvm.conf'), `devices { filter = [ "a|^${pv}$|", "r|.*|" ] obtain_device_list_from_udev = 0 use_devicesfile = 0 }
activation { udev_sync = 0 udev_rules = 0 }
backup { backup = 0 archive = 0 }
`);
    const lvm = (...args: string[]) => runner.run('lvm', args, { env: { LVM_SYSTEM_DIR: systemDir } });
    await lvm('pvcreate', '-q', pv);
    await lvm('vgcreate', '-q', 'vmcraftkt', pv);
    stack.push('vg vmcraftkt', async () => void (await lvm('vgchange', '-q', '-an', 'vmcraftkt')));
    await lvm('lvcreate', '-q', '-y', '-n', 'data', '-L', '32M', 'vmcraftkt');
    await lvm('vgchange', '-q', '-ay', 'vmcraftkt');
    await lvm('vgscan', '-q', '--mknodes');
    const { stdout } = await lvm('lvs', '--noheadings', '-o', 'lv_name,lv_attr,lv_size', '--units', 'm', 'vmcraftkt');
    expect(stdout.trim().split(/\s+/)).toEqual(['data', '-wi-a-----', '32.00m']);
    expect(existsSync('/dev/mapper/vmcraftkt-data')).toBe(true);
    expect(await ext4RoundTrip('/dev/mapper/vmcraftkt-data')).toBe('written through /dev/mapper/vmcraftkt-data\n');
  });

  it('formats and opens LUKS2 with cryptsetup, and refuses a wrong passphrase', async () => {
    const dev = await loopDevice('luks', 48);
    // pbkdf2 with few iterations: argon2's memory-hard default takes long under emulation.
    await runner.run('cryptsetup', ['luksFormat', '-q', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file=-', dev], { input: PASSPHRASE });
    const wrong = runner.run('cryptsetup', ['open', '--key-file=-', dev, 'vmcraftkt-crypt'], { input: 'not the passphrase' });
    await expect(wrong).rejects.toMatchObject({ command: { exitCode: 2 } });
    await runner.run('cryptsetup', ['open', '--key-file=-', dev, 'vmcraftkt-crypt'], { input: PASSPHRASE });
    stack.push('luks vmcraftkt-crypt', async () => void (await runner.run('cryptsetup', ['close', 'vmcraftkt-crypt'])));
    const { stdout } = await runner.run('cryptsetup', ['status', 'vmcraftkt-crypt']);
    expect(stdout).toMatch(/is active/);
    expect(stdout).toMatch(/type:\s+LUKS2/);
    expect(await ext4RoundTrip('/dev/mapper/vmcraftkt-crypt')).toBe('written through /dev/mapper/vmcraftkt-crypt\n');
  });

  it('creates a RAID1 from two loop devices with mdadm and assembles it again', async () => {
    const [a, b] = [await loopDevice('md-a', 32), await loopDevice('md-b', 32)];
    const md = '/dev/md91';
    const stop = async () => void (await runner.run('mdadm', ['--stop', md]));
    await runner.run('mdadm', ['--create', md, '--run', '--quiet', '--config=none', '--level=1', '--raid-devices=2', '--metadata=1.2', '--assume-clean', a, b]);
    let array = stack.push(`md ${md}`, stop);
    expect(await readFile('/proc/mdstat', 'utf8')).toMatch(new RegExp(`md91 : active raid1 (${path.basename(b)}\\[1\\] ${path.basename(a)}\\[0\\]|${path.basename(a)}\\[0\\] ${path.basename(b)}\\[1\\])`));
    expect(await ext4RoundTrip(md)).toBe(`written through ${md}\n`);
    await stack.releaseOne(array);
    await runner.run('mdadm', ['--assemble', md, '--run', '--config=none', a, b]);
    array = stack.push(`md ${md}`, stop);
    const { stdout } = await runner.run('mdadm', ['--detail', md]);
    expect(stdout).toMatch(/Raid Level : raid1/);
    expect(stdout).toMatch(/Active Devices : 2/);
  });
});
