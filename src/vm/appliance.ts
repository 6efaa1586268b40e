/**
 * The VM that runs a session in VM mode: Debian's kernel, an initramfs whose
 * init builds a root on tmpfs from the host's /usr (9p, read-only), a curated
 * /etc (no shadow, no keys, no host configuration beyond what the tools
 * read) and the agent (dist/vm-agent.js: vmcraft's own code, all in one file),
 * then runs the agent, which serves the session over a virtio-serial port.
 */
import { readdir, readFile, readlink, lstat } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VmcraftError } from '../core/errors.js';
import { INIT_PRELUDE, type InitramfsFile, type InitramfsRecipe } from './initramfs.js';

/** Made by the second stage once the storage layers' modules are loaded. */
export const MODULES_LOADED = '/run/vmcraft-modules';

/** The virtio-serial port the agent talks on. */
export const AGENT_PORT = 'org.vmcraft.agent';

/** Modules the first stage loads: disks, the agent's port, 9p. Everything else is loaded on demand from /usr/lib/modules. */
const APPLIANCE_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_console', 'virtio_rng', '9pnet_virtio', '9p'];

/**
 * First stage: a root on tmpfs with the host's /usr (read-only) and the
 * initramfs's /etc, agent and second stage, then switch into it.
 */
const INIT = `${INIT_PRELUDE}R=/newroot
mkdir -p $R && mount -t tmpfs -o mode=0755 tmpfs $R
mkdir -p $R/usr $R/proc $R/sys $R/dev $R/tmp $R/run $R/root $R/mnt $R/var/tmp $R/var/lib $R/vmcraft/share
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 usr $R/usr || { echo "vmcraft-vm: cannot mount /usr"; poweroff -f; }
for d in bin sbin lib lib64; do ln -s usr/$d $R/$d; done
cp -a /vmcraft/etc $R/etc
cp /vmcraft/agent.js /vmcraft/stage2.sh /bin/busybox $R/vmcraft/
for d in proc sys dev; do mount --move /$d $R/$d; done
exec switch_root $R /vmcraft/busybox sh /vmcraft/stage2.sh
`;

/**
 * Second stage (PID 1 in the new root): the usual mounts, the session's
 * share, the network when asked, then the agent; power off when it ends.
 */
const STAGE2 = `B=/vmcraft/busybox
mark() { [ "$(arg vmcraft.debug)" = 1 ] && echo "vmcraft-vm: $1 at $($B cut -d' ' -f1 /proc/uptime) s"; }
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin HOME=/root LANG=C.UTF-8 TMPDIR=/tmp
$B mount -t tmpfs -o mode=1777 tmpfs /tmp
$B mount -t tmpfs -o mode=0755 tmpfs /run
$B mkdir -p /run/lock /dev/pts /dev/shm
$B mount -t devpts devpts /dev/pts
$B mount -t tmpfs tmpfs /dev/shm
$B hostname vmcraft
arg() { $B sed -n "s/.*$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
mark 'second stage'
opts=trans=virtio,version=9p2000.L,msize=512000
[ "$(arg vmcraft.share)" = 1 ] && $B mount -t 9p -o $opts share /vmcraft/share
NODE=$(arg vmcraft.node)
case "$NODE" in /usr/*) ;; ?*) $B mkdir -p "$NODE" && $B mount -t 9p -o $opts,ro,cache=loose node "$NODE" ;; esac
if [ "$(arg vmcraft.net)" = 1 ]; then
  $B modprobe virtio_net 2>/dev/null || modprobe virtio_net
  $B ip link set lo up; $B ip link set eth0 up
  $B ip addr add 10.0.2.15/24 dev eth0; $B ip route add default via 10.0.2.2
  echo nameserver 10.0.2.3 > /etc/resolv.conf
else
  echo '# vmcraft VM: no network (the session was opened without vm.network)' > /etc/resolv.conf
fi
$B ip link set lo up 2>/dev/null
# The storage layers' modules load while node starts; the agent waits for the mark before it launches.
( modprobe -a dm-mod dm-crypt raid1 md-mod loop fuse 2>/dev/null; : > /run/vmcraft-modules ) &
mark 'agent starts'
# 127 is the shell's "cannot execute": seen once in CI while modprobe walked the same 9p share, so try again and say so.
for try in 1 2 3; do
  "\${NODE:-/usr/bin/node}" /vmcraft/agent.js
  rc=$?
  [ $rc = 127 ] || break
  echo "vmcraft-vm: cannot execute \${NODE:-/usr/bin/node} (try $try): $($B ls -lL \${NODE:-/usr/bin/node} /lib64/ld-linux-x86-64.so.2 2>&1 | $B tr '\n' ' ')"
  $B sleep 1
done
echo "vmcraft-vm: agent exited with $rc"
$B sync
$B poweroff -f
`;

/**
 * What of the host's /etc the VM gets: what the tools read (the loader's
 * cache, user and group names, alternatives, mkfs defaults…), never secrets
 * (shadow, keys, the host's own configuration).
 */
const ETC_FILES = [
  'passwd', 'group', 'nsswitch.conf', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives', 'localtime', 'os-release',
  'debian_version', 'mke2fs.conf', 'e2scrub.conf', 'fuse.conf', 'magic', 'magic.mime', 'mtools.conf', 'hosts', 'host.conf',
  'services', 'protocols', 'networks', 'ethertypes', 'gai.conf',
];

/** The curated /etc as initramfs files (directories one level deep; links kept as links). */
async function etcFiles(): Promise<InitramfsFile[]> {
  const files: InitramfsFile[] = [{ path: 'vmcraft/etc/mtab', symlink: '../proc/self/mounts' }];
  const add = async (rel: string): Promise<void> => {
    const host = path.join('/etc', rel);
    const info = await lstat(host).catch(() => undefined);
    if (!info) return;
    const at = path.join('vmcraft/etc', rel);
    if (info.isSymbolicLink()) files.push({ path: at, symlink: await readlink(host) });
    else if (info.isFile()) files.push({ path: at, content: await readFile(host), mode: info.mode & 0o755 });
    else if (info.isDirectory() && !rel.includes('/')) for (const name of (await readdir(host)).sort()) await add(path.join(rel, name));
  };
  for (const rel of ETC_FILES) await add(rel);
  return files;
}

/** The agent, built beside this module (dist/) or, from the sources, in the package's dist/. */
export function agentPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'vm-agent.js'), path.resolve(here, '../../dist/vm-agent.js')];
  for (const candidate of candidates) {
    try {
      return realpathSync(candidate);
    } catch {
      // next
    }
  }
  throw new VmcraftError('ETOOLMISSING', `the VM agent is not built (looked for ${candidates.join(', ')}): run npm run build`);
}

/** The appliance's initramfs recipe: init, second stage, agent and the curated /etc. */
export async function applianceRecipe(): Promise<InitramfsRecipe> {
  const files: InitramfsFile[] = [
    { path: 'vmcraft/agent.js', content: await readFile(agentPath()) },
    { path: 'vmcraft/stage2.sh', content: STAGE2, mode: 0o755 },
    ...(await etcFiles()),
  ];
  return { name: 'appliance', init: INIT, modules: APPLIANCE_MODULES, files };
}

/** The node this process runs, which the VM runs too: its install prefix is shared when it is not under /usr. */
export function nodePrefix(): string | undefined {
  const node = realpathSync(process.execPath);
  return node.startsWith('/usr/') ? undefined : path.dirname(path.dirname(node));
}
