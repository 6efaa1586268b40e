/**
 * The VM-mode appliance's initramfs recipe (src/vm/appliance.ts), built from
 * this host's /etc and dist/vm-agent.js (npm run build makes it): what of
 * /etc goes into the VM (what the tools read) and what never does (secrets,
 * the host's own configuration).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentPath, applianceRecipe } from '../../../src/vm/appliance.js';
import type { InitramfsFile, InitramfsRecipe } from '../../../src/vm/initramfs.js';

const AGENT = new URL('../../../dist/vm-agent.js', import.meta.url);
const readableShadow = ((): boolean => {
  try {
    accessSync('/etc/shadow', constants.R_OK);
    return true;
  } catch {
    return false;
  }
})();

describe('applianceRecipe (needs dist/vm-agent.js: npm run build)', () => {
  let recipe: InitramfsRecipe;
  let files: Map<string, InitramfsFile>;

  beforeAll(async () => {
    // The test command builds first: a missing agent is a broken build, not something to skip.
    expect(existsSync(AGENT), `${AGENT.pathname} is missing: run npm run build`).toBe(true);
    recipe = await applianceRecipe();
    files = new Map(recipe.files!.map((f) => [f.path, f]));
  });

  it('lists each path once, every one below vmcraft/, none climbing out', () => {
    const paths = recipe.files!.map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of paths) {
      expect(p.startsWith('vmcraft/'), p).toBe(true);
      expect(p.split('/'), p).not.toContain('..');
    }
  });

  it('carries no secret of the host: no shadow, gshadow, ssh, ssl/private, sudoers or machine-id', () => {
    const secret = /(^|\/)(shadow|gshadow|shadow-|gshadow-|ssh|sudoers|sudoers\.d|machine-id)(\/|$)|ssl\/private/;
    const leaked = recipe.files!.map((f) => f.path).filter((p) => secret.test(p));
    expect(leaked).toEqual([]);
    // Nor the host's own configuration beyond what the tools read.
    for (const host of ['fstab', 'crypttab', 'hostname', 'resolv.conf', 'sudoers', 'ssh', 'machine-id', 'shadow']) {
      expect(files.has(`vmcraft/etc/${host}`), host).toBe(false);
    }
  });

  // Only a user who can read /etc/shadow could leak it.
  it.skipIf(!readableShadow)('carries no line of /etc/shadow under another name', async () => {
    const lines = (await readFile('/etc/shadow', 'utf8')).split('\n').filter((l) => l.includes(':'));
    expect(lines.length).toBeGreaterThan(0);
    for (const f of recipe.files!) {
      if (f.content === undefined) continue;
      const text = String(f.content);
      expect(lines.filter((l) => text.includes(l)), f.path).toEqual([]);
    }
  });

  it('carries passwd, group and the loader cache, as on the host, with no set-id or write-for-others bits', async () => {
    for (const name of ['passwd', 'group', 'ld.so.cache']) {
      const file = files.get(`vmcraft/etc/${name}`);
      expect(file, name).toBeDefined();
      expect(Buffer.from(file!.content!).equals(await readFile(`/etc/${name}`)), name).toBe(true);
    }
    for (const f of recipe.files!) if (f.mode !== undefined) expect(f.mode & ~0o755, f.path).toBe(0);
  });

  it('carries /etc/alternatives as symbolic links to the same targets', async () => {
    const links: [string, string][] = [];
    for (const name of (await readdir('/etc/alternatives')).sort()) {
      if ((await lstat(`/etc/alternatives/${name}`)).isSymbolicLink()) links.push([name, await readlink(`/etc/alternatives/${name}`)]);
    }
    expect(links.length).toBeGreaterThan(0);
    for (const [name, target] of links) {
      const file = files.get(`vmcraft/etc/alternatives/${name}`);
      expect(file, name).toEqual({ path: `vmcraft/etc/alternatives/${name}`, symlink: target });
    }
  });

  it('carries the agent (dist/vm-agent.js) and the second stage', async () => {
    expect(agentPath()).toMatch(/\/dist\/vm-agent\.js$/);
    const agent = files.get('vmcraft/agent.js');
    expect(agent).toBeDefined();
    expect(Buffer.from(agent!.content!).equals(await readFile(AGENT))).toBe(true);
    const stage2 = files.get('vmcraft/stage2.sh');
    expect(stage2?.mode).toBe(0o755);
    expect(String(stage2?.content)).toContain('/vmcraft/agent.js');
  });

  it('makes /etc/mtab the kernel mount table (../proc/self/mounts)', () => {
    expect(files.get('vmcraft/etc/mtab')).toEqual({ path: 'vmcraft/etc/mtab', symlink: '../proc/self/mounts' });
  });

  it('loads the disk, serial-port and 9p modules first, and mounts the host /usr read-only', () => {
    expect(recipe.name).toBe('appliance');
    expect(recipe.modules).toEqual(expect.arrayContaining(['virtio_blk', 'virtio_console', '9pnet_virtio', '9p']));
    expect(recipe.init).toMatch(/mount -t 9p -o [^ ]*\bro\b[^ ]* usr \$R\/usr/);
  });
});
