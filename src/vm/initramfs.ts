/**
 * Initramfs images of VMs: busybox, the modules that reach the host's files
 * over 9p, an init script and a few files, built once per kernel version and
 * content, and cached. The test harness boots one whose init overlays the
 * host's whole root (src/vm/recipes.ts); VM mode boots one that shares only
 * /usr (src/vm/appliance.ts).
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Runner } from '../core/exec.js';
import { cachedImagePath } from './cache.js';

/** A file an initramfs carries besides busybox, its modules and init. */
export interface InitramfsFile {
  /** Path inside the image (relative, `vmcraft/agent.mjs`). */
  path: string;
  /** Its content, or the target of a symbolic link. */
  content?: string | Buffer;
  symlink?: string;
  /** @default 0o644 */
  mode?: number;
}

/** What goes into an initramfs. */
export interface InitramfsRecipe {
  /** Names the image in the cache (`harness`, `appliance`). */
  name: string;
  /** The /init script (run by busybox sh). */
  init: string;
  /** Modules that init loads, in this order with their dependencies first. */
  modules: readonly string[];
  files?: readonly InitramfsFile[];
}

/**
 * How every recipe's /init starts: busybox's applets, /proc, /sys and /dev,
 * then the recipe's modules (the image's /modules.list, in order).
 */
export const INIT_PRELUDE = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.list); do insmod "/modules/$m" || echo "vmcraft-vm: insmod $m failed"; done
`;

const runner = new Runner();

/** The modules to insmod, in dependency order (from modprobe --show-depends). */
async function moduleFiles(version: string, modules: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const mod of modules) {
    const { stdout } = await runner.run('modprobe', ['-S', version, '--show-depends', mod]);
    for (const line of stdout.split('\n')) {
      const file = /^insmod (\S+)/.exec(line.trim())?.[1];
      if (file && !files.includes(file)) files.push(file);
    }
  }
  return files;
}

/** A hash of everything a recipe puts in the image (the modules come from the kernel version, which names the image). */
function recipeHash(recipe: InitramfsRecipe): string {
  const hash = createHash('sha256').update(recipe.init).update(recipe.modules.join(','));
  for (const f of recipe.files ?? []) hash.update(`\0${f.path}\0${f.mode ?? 0o644}\0${f.symlink ?? ''}\0`).update(f.content ?? '');
  return hash.digest('hex').slice(0, 12);
}

/** The file name of a recipe's image for a kernel version. */
export function initramfsName(version: string, recipe: InitramfsRecipe): string {
  return `initramfs-${recipe.name}-${version}-${recipeHash(recipe)}.cpio.gz`;
}

/** Images of one recipe and kernel kept besides the newest (older ones are removed when a new one is built). */
const KEEP_OLDER = 3;

async function pruneOlder(dir: string, prefix: string, keep: string): Promise<void> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix) && n.endsWith('.cpio.gz') && n !== keep);
  const aged = await Promise.all(names.map(async (n) => ({ n, mtime: (await stat(path.join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  for (const { n } of aged.sort((a, b) => b.mtime - a.mtime).slice(KEEP_OLDER)) await rm(path.join(dir, n), { force: true });
}

/**
 * The cached image of `recipe` for a kernel version, built when missing. The
 * name holds the recipe's name, the kernel version and a hash of what goes
 * in, so a new kernel, init or file gets a new image. A readable image in the
 * shared cache (built by root) is used as it is; otherwise this user's own
 * cache directory is used.
 */
export async function ensureInitramfs(version: string, recipe: InitramfsRecipe): Promise<string> {
  const name = initramfsName(version, recipe);
  const cached = await cachedImagePath(name);
  if (cached.exists) return cached.path;
  const target = cached.path;
  const cache = path.dirname(target);
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-initramfs-'));
  // A temp name of our own: two runs may build the same image at once.
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    await mkdir(path.join(work, 'bin'), { recursive: true });
    await mkdir(path.join(work, 'modules'));
    await copyFile('/bin/busybox', path.join(work, 'bin/busybox'));
    const modules = await moduleFiles(version, recipe.modules);
    for (const file of modules) await copyFile(file, path.join(work, 'modules', path.basename(file)));
    await writeFile(path.join(work, 'modules.list'), `${modules.map((m) => path.basename(m)).join('\n')}\n`);
    await writeFile(path.join(work, 'init'), recipe.init);
    await chmod(path.join(work, 'init'), 0o755);
    for (const f of recipe.files ?? []) {
      const file = path.join(work, f.path);
      await mkdir(path.dirname(file), { recursive: true });
      if (f.symlink !== undefined) await symlink(f.symlink, file);
      else {
        await writeFile(file, f.content ?? '');
        await chmod(file, f.mode ?? 0o644);
      }
    }
    await runner.run('sh', ['-c', 'cd "$1" && find . | cpio -o -H newc --quiet | gzip -1 > "$2"', 'sh', work, tmp]);
    await chmod(tmp, 0o644);
    await rename(tmp, target);
    await pruneOlder(cache, `initramfs-${recipe.name}-${version}-`, name);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(tmp, { force: true });
  }
}
