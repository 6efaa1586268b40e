/**
 * Fixtures for the kernel tests, built inside the VM (they need LVM, LUKS and
 * md) and cached in /var/cache/vmcraft/vm-fixtures, which the VM shares with
 * the host. Each holds the real Debian root the host fixtures debootstrapped.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../src/core/exec.js';

export const VM_FIXTURES = '/var/cache/vmcraft/vm-fixtures';
const DEBIAN_TAR = '/var/cache/vmcraft/debian12-minbase.tar';
const run = new Runner({ timeoutMs: 20 * 60_000 });
const sh = (script: string) => run.run('sh', ['-ec', script]);

/** Facts of the VM fixtures, for assertions. */
export interface VmFixtures {
  lvm: { path: string; vg: string };
  luks: { path: string; passphrase: string; luksUuid: string };
  raid: { paths: [string, string] };
  twoDiskVg: { paths: [string, string] };
  /** Small stacked layouts, each with an ext4 holding /stacked.txt (its content is `text`). */
  stacked: {
    passphrase: string;
    /** MBR: sda1 LUKS2 → PV → VG cryptvg → LV data (ext4). */
    lvmOnLuks: { path: string; luksUuid: string; text: string };
    /** GPT: sda1 PV → VG outervg → LV secret, a LUKS2 container → ext4. */
    luksOnLvm: { path: string; luksUuid: string; text: string };
    /** MBR: sda1 + sda2 RAID1 (metadata 1.2, name lvmraid) → PV → VG mdvg → LV data (ext4). */
    lvmOnMd: { path: string; text: string };
  };
}

const LUKS_PASSPHRASE = 'correct horse battery staple';
const VERSION = 'v1';
/** v2: Debian-installer style names (crypttab sda2_crypt, fstab /dev/mapper/sda2_crypt). */
const LUKS_VERSION = 'v2';

/** Runs `build` into a fresh work dir under tmpfs; `outputs` appear only when it succeeded. */
async function cached(name: string, outputs: string[], build: (work: string, tmpOutputs: string[]) => Promise<void>): Promise<void> {
  const finals = outputs.map((o) => path.join(VM_FIXTURES, o));
  if (finals.every(existsSync)) return;
  await mkdir(VM_FIXTURES, { recursive: true });
  const work = await mkdtemp(`/tmp/vmcraft-vmfix-${name}-`);
  try {
    const tmps = finals.map((f) => `${f}.tmp`);
    await build(work, tmps);
    for (const [i, t] of tmps.entries()) await rename(t, finals[i]!);
  } finally {
    await sh(`grep -q " ${work}/" /proc/mounts && umount -R ${work}/mnt 2>/dev/null || true`);
    await rm(work, { recursive: true, force: true });
  }
}

/** Fills a mounted root with the Debian tree and a few files the tests read. */
function populateDebian(mnt: string, fstab: string, extra = ''): string {
  return `
tar -C ${mnt} --numeric-owner -xf ${DEBIAN_TAR}
echo vmcraft-vm-fixture > ${mnt}/etc/hostname
cat > ${mnt}/etc/fstab <<'FSTAB'
${fstab}
FSTAB
${extra}`;
}

/** GPT: /boot ext4 + LVM PV → vg "vmcraftvg": root (xfs) and var (ext4). As vmdk. */
async function buildLvm(): Promise<void> {
  await cached('lvm', [`lvm-${VERSION}.vmdk`], async (work, [out]) => {
    await sh(`
cd ${work}; truncate -s 1600M disk.raw
printf 'label: gpt\\nsize=256M, type=L, name=boot\\ntype=E6D6D379-F507-44C2-A23C-238F2A3DF928, name=lvm\\n' | sfdisk -q disk.raw
L=$(losetup --find --show disk.raw); partx -a $L
C='devices { filter=["a|^/dev/loop.*|","r|.*|"] obtain_device_list_from_udev=0 use_devicesfile=0 } activation { udev_sync=0 udev_rules=0 }'
mkfs.ext4 -q -L boot \${L}p1
lvm pvcreate -q --config "$C" \${L}p2 && lvm vgcreate -q --config "$C" vmcraftvg \${L}p2
lvm lvcreate -q --config "$C" -n root -L 900M vmcraftvg && lvm lvcreate -q --config "$C" -n var -L 300M vmcraftvg
lvm vgmknodes --config "$C" vmcraftvg
mkfs.xfs -q /dev/mapper/vmcraftvg-root && mkfs.ext4 -q /dev/mapper/vmcraftvg-var
VARUUID=$(blkid -s UUID -o value /dev/mapper/vmcraftvg-var)
mkdir -p mnt && mount /dev/mapper/vmcraftvg-root mnt && mkdir -p mnt/boot mnt/var
mount \${L}p1 mnt/boot && mount /dev/mapper/vmcraftvg-var mnt/var
${populateDebian(`${work}/mnt`, '/dev/mapper/vmcraftvg-root / xfs defaults 0 1\nUUID=$VARUUID /var ext4 defaults 0 2\nLABEL=boot /boot ext4 defaults 0 2')}
sed -i "s/\\$VARUUID/$VARUUID/" mnt/etc/fstab
umount mnt/var mnt/boot mnt
lvm vgchange -an -q --config "$C" vmcraftvg
partx -d $L; losetup -d $L
qemu-img convert -f raw -O vmdk disk.raw ${out}`);
  });
}

/** MBR: /boot ext4 + LUKS2 → ext4 root; crypttab names it sda2_crypt and fstab mounts /dev/mapper/sda2_crypt. As qcow2. */
async function buildLuks(): Promise<string> {
  await cached('luks', [`luks-${LUKS_VERSION}.qcow2`], async (work, [out]) => {
    await sh(`
cd ${work}; truncate -s 1100M disk.raw
printf 'label: dos\\n,256M,83\\n,,83\\n' | sfdisk -q disk.raw
L=$(losetup --find --show disk.raw); partx -a $L
mkfs.ext4 -q -L boot \${L}p1
printf '%s' '${LUKS_PASSPHRASE}' | cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file=- \${L}p2
LU=$(cryptsetup luksUUID \${L}p2)
printf '%s' '${LUKS_PASSPHRASE}' | cryptsetup open --key-file=- \${L}p2 luks-$LU
mkfs.ext4 -q -L cryptroot /dev/mapper/luks-$LU
mkdir -p mnt && mount /dev/mapper/luks-$LU mnt && mkdir -p mnt/boot && mount \${L}p1 mnt/boot
${populateDebian(`${work}/mnt`, '/dev/mapper/sda2_crypt / ext4 errors=remount-ro 0 1\nLABEL=boot /boot ext4 defaults 0 2', `echo "sda2_crypt UUID=$LU none luks,discard" > ${work}/mnt/etc/crypttab`)}
umount mnt/boot mnt
cryptsetup close luks-$LU
partx -d $L; losetup -d $L
qemu-img convert -f raw -O qcow2 disk.raw ${out}`);
  });
  const { stdout } = await run.run('sh', ['-c', `qemu-img convert -f qcow2 -O raw ${VM_FIXTURES}/luks-${LUKS_VERSION}.qcow2 /tmp/luks-probe.raw && L=$(losetup -f --show -r /tmp/luks-probe.raw) && partx -a $L && cryptsetup luksUUID \${L}p2; partx -d $L; losetup -d $L; rm -f /tmp/luks-probe.raw`]);
  return stdout.trim();
}

/** RAID1 (metadata 1.2) over one partition on each of two qcow2 images, ext4 root. */
async function buildRaid(): Promise<void> {
  await cached('raid', [`raid-a-${VERSION}.qcow2`, `raid-b-${VERSION}.qcow2`], async (work, [a, b]) => {
    await sh(`
cd ${work}; truncate -s 700M a.raw b.raw
for f in a.raw b.raw; do printf 'label: dos\\n,,fd\\n' | sfdisk -q $f; done
LA=$(losetup --find --show a.raw); partx -a $LA; LB=$(losetup --find --show b.raw); partx -a $LB
mdadm --create /dev/md90 --run --quiet --config=none --level=1 --raid-devices=2 --metadata=1.2 --name=root --assume-clean \${LA}p1 \${LB}p1
mkfs.ext4 -q -L raidroot /dev/md90
R=$(blkid -s UUID -o value /dev/md90)
mkdir -p mnt && mount /dev/md90 mnt
${populateDebian(`${work}/mnt`, 'UUID=RAIDUUID / ext4 errors=remount-ro 0 1')}
sed -i "s/RAIDUUID/$R/" mnt/etc/fstab
umount mnt; mdadm --stop /dev/md90
partx -d $LA; losetup -d $LA; partx -d $LB; losetup -d $LB
qemu-img convert -f raw -O qcow2 a.raw ${a}; qemu-img convert -f raw -O qcow2 b.raw ${b}`);
  });
}

/** A VG over two small images, one LV spanning both (for the missing-PV test). */
async function buildTwoDiskVg(): Promise<void> {
  await cached('twodisk', [`pv-a-${VERSION}.qcow2`, `pv-b-${VERSION}.qcow2`], async (work, [a, b]) => {
    await sh(`
cd ${work}; truncate -s 64M a.raw b.raw
LA=$(losetup --find --show a.raw); LB=$(losetup --find --show b.raw)
C='devices { filter=["a|^/dev/loop.*|","r|.*|"] obtain_device_list_from_udev=0 use_devicesfile=0 } activation { udev_sync=0 udev_rules=0 }'
lvm pvcreate -q --config "$C" $LA $LB && lvm vgcreate -q --config "$C" spanvg $LA $LB
lvm lvcreate -q --config "$C" -n data -l 100%FREE spanvg && lvm vgmknodes --config "$C" spanvg
mkfs.ext4 -q /dev/mapper/spanvg-data
lvm vgchange -an -q --config "$C" spanvg
losetup -d $LA; losetup -d $LB
qemu-img convert -f raw -O qcow2 a.raw ${a}; qemu-img convert -f raw -O qcow2 b.raw ${b}`);
  });
}

const STACKED_VERSION = 'v1';
/** Fixed LUKS UUIDs, so the tests know the mapping names (luks-<UUID>) without probing. */
const LVM_ON_LUKS_UUID = '5a1e0001-7c3d-4b1e-9a51-000000000001';
const LUKS_ON_LVM_UUID = '5a1e0002-7c3d-4b1e-9a51-000000000002';
const STACKED_TEXT = { lvmOnLuks: 'LVM on LUKS', luksOnLvm: 'LUKS on LVM', lvmOnMd: 'LVM on md' };
/** LVM confined to one device, no udev (none runs in the VM). */
const lvmConf = (device: string) => `devices { filter=["a|^${device}$|","r|.*|"] obtain_device_list_from_udev=0 use_devicesfile=0 } activation { udev_sync=0 udev_rules=0 }`;
const luksFormat = (uuid: string, device: string) =>
  `printf '%s' '${LUKS_PASSPHRASE}' | cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --uuid ${uuid} --key-file=- ${device}`;
/** Makes ext4 on `device` and writes /stacked.txt into it. */
const ext4WithText = (device: string, label: string, text: string) =>
  `mkfs.ext4 -q -L ${label} ${device}; mkdir -p mnt; mount ${device} mnt; echo '${text}' > mnt/stacked.txt; umount mnt`;

/**
 * The stacked layouts: LVM on LUKS, LUKS on LVM, LVM on a RAID1 of two partitions
 * (2–19 MB each as qcow2, most of it the 16 MiB LUKS2 header). Deactivated and
 * closed before conversion.
 */
async function buildStacked(): Promise<void> {
  await cached('lvm-on-luks', [`lvm-on-luks-${STACKED_VERSION}.qcow2`], async (work, [out]) => {
    await sh(`
cd ${work}; truncate -s 48M disk.raw
printf 'label: dos\\n,,83\\n' | sfdisk -q disk.raw
L=$(losetup --find --show disk.raw); partx -a $L
${luksFormat(LVM_ON_LUKS_UUID, '"$L"p1')}
printf '%s' '${LUKS_PASSPHRASE}' | cryptsetup open --key-file=- \${L}p1 vmfix-lvm-on-luks
C='${lvmConf('/dev/mapper/vmfix-lvm-on-luks')}'
lvm pvcreate -q --config "$C" /dev/mapper/vmfix-lvm-on-luks && lvm vgcreate -q --config "$C" cryptvg /dev/mapper/vmfix-lvm-on-luks
lvm lvcreate -q --config "$C" -n data -L 16M cryptvg && lvm vgmknodes --config "$C" cryptvg
${ext4WithText('/dev/mapper/cryptvg-data', 'lvmonluks', STACKED_TEXT.lvmOnLuks)}
lvm vgchange -an -q --config "$C" cryptvg
cryptsetup close vmfix-lvm-on-luks
partx -d $L; losetup -d $L
qemu-img convert -f raw -O qcow2 disk.raw ${out}`);
  });
  await cached('luks-on-lvm', [`luks-on-lvm-${STACKED_VERSION}.qcow2`], async (work, [out]) => {
    await sh(`
cd ${work}; truncate -s 64M disk.raw
printf 'label: gpt\\ntype=E6D6D379-F507-44C2-A23C-238F2A3DF928, name=lvm\\n' | sfdisk -q disk.raw
L=$(losetup --find --show disk.raw); partx -a $L
C='${lvmConf('/dev/loop.*')}'
lvm pvcreate -q --config "$C" \${L}p1 && lvm vgcreate -q --config "$C" outervg \${L}p1
lvm lvcreate -q --config "$C" -n secret -L 40M outervg && lvm vgmknodes --config "$C" outervg
${luksFormat(LUKS_ON_LVM_UUID, '/dev/mapper/outervg-secret')}
printf '%s' '${LUKS_PASSPHRASE}' | cryptsetup open --key-file=- /dev/mapper/outervg-secret vmfix-luks-on-lvm
${ext4WithText('/dev/mapper/vmfix-luks-on-lvm', 'luksonlvm', STACKED_TEXT.luksOnLvm)}
cryptsetup close vmfix-luks-on-lvm
lvm vgchange -an -q --config "$C" outervg
partx -d $L; losetup -d $L
qemu-img convert -f raw -O qcow2 disk.raw ${out}`);
  });
  await cached('lvm-on-md', [`lvm-on-md-${STACKED_VERSION}.qcow2`], async (work, [out]) => {
    await sh(`
cd ${work}; truncate -s 72M disk.raw
printf 'label: dos\\n,32M,fd\\n,32M,fd\\n' | sfdisk -q disk.raw
L=$(losetup --find --show disk.raw); partx -a $L
mdadm --create /dev/md91 --run --quiet --config=none --level=1 --raid-devices=2 --metadata=1.2 --name=lvmraid --assume-clean \${L}p1 \${L}p2
C='${lvmConf('/dev/md91')}'
lvm pvcreate -q --config "$C" /dev/md91 && lvm vgcreate -q --config "$C" mdvg /dev/md91
lvm lvcreate -q --config "$C" -n data -L 16M mdvg && lvm vgmknodes --config "$C" mdvg
${ext4WithText('/dev/mapper/mdvg-data', 'lvmonmd', STACKED_TEXT.lvmOnMd)}
lvm vgchange -an -q --config "$C" mdvg
mdadm --stop /dev/md91
partx -d $L; losetup -d $L
qemu-img convert -f raw -O qcow2 disk.raw ${out}`);
  });
}

/** Builds what is missing and returns where everything is. */
export async function ensureVmFixtures(): Promise<VmFixtures> {
  if (!existsSync(DEBIAN_TAR)) throw new Error(`${DEBIAN_TAR} is missing: build the host fixtures first (bash scripts/fixtures.sh)`);
  await buildLvm();
  const luksUuid = await buildLuks();
  await buildRaid();
  await buildTwoDiskVg();
  await buildStacked();
  const f = (n: string) => path.join(VM_FIXTURES, n);
  return {
    lvm: { path: f(`lvm-${VERSION}.vmdk`), vg: 'vmcraftvg' },
    luks: { path: f(`luks-${LUKS_VERSION}.qcow2`), passphrase: LUKS_PASSPHRASE, luksUuid },
    raid: { paths: [f(`raid-a-${VERSION}.qcow2`), f(`raid-b-${VERSION}.qcow2`)] },
    twoDiskVg: { paths: [f(`pv-a-${VERSION}.qcow2`), f(`pv-b-${VERSION}.qcow2`)] },
    stacked: {
      passphrase: LUKS_PASSPHRASE,
      lvmOnLuks: { path: f(`lvm-on-luks-${STACKED_VERSION}.qcow2`), luksUuid: LVM_ON_LUKS_UUID, text: STACKED_TEXT.lvmOnLuks },
      luksOnLvm: { path: f(`luks-on-lvm-${STACKED_VERSION}.qcow2`), luksUuid: LUKS_ON_LVM_UUID, text: STACKED_TEXT.luksOnLvm },
      lvmOnMd: { path: f(`lvm-on-md-${STACKED_VERSION}.qcow2`), text: STACKED_TEXT.lvmOnMd },
    },
  };
}

/** Where the fixtures this host's tests open in VM mode are (built in the harness VM by scripts/test.sh when missing). */
export function vmFixturePaths(): { lvm: string; luks: string; raid: [string, string]; passphrase: string } {
  const f = (n: string) => path.join(VM_FIXTURES, n);
  return { lvm: f(`lvm-${VERSION}.vmdk`), luks: f(`luks-${LUKS_VERSION}.qcow2`), raid: [f(`raid-a-${VERSION}.qcow2`), f(`raid-b-${VERSION}.qcow2`)], passphrase: LUKS_PASSPHRASE };
}

const FACTS = '/tmp/vmcraft-vm-fixtures.json';

/**
 * The fixtures' facts: built (or found cached) by the first test file that asks
 * in this VM run, then read back from /tmp by the others (files run one after
 * another), so a run of files that need no fixtures builds none.
 */
export async function readFixtureFacts(): Promise<VmFixtures> {
  if (existsSync(FACTS)) return JSON.parse(await readFile(FACTS, 'utf8')) as VmFixtures;
  const facts = await ensureVmFixtures();
  await writeFile(FACTS, JSON.stringify(facts));
  return facts;
}
