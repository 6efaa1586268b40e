/**
 * What users get: the tarball `npm pack` makes from the build, installed in a
 * scratch project and used from plain JavaScript as ESM and as CommonJS (each
 * opens the Debian fixture and inspects it, and the guest-command sandbox runs
 * a guest binary), `vmcraft/convert` from both, the CLI from dist/, and the
 * types under both module resolutions.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from '../../fixtures/lib/manifest.js';

const REPO = path.join(import.meta.dirname, '../../..');
// Inside the repo's node_modules: the package's own dependencies resolve from the repo's (same lock file).
const PROJECT = path.join(REPO, 'node_modules/.cache/vmcraft-pack-test');
let image: string;
let files: string[];

beforeAll(async () => {
  image = (await loadFixtures()).debian12!.path;
  await rm(PROJECT, { recursive: true, force: true });
  await mkdir(path.join(PROJECT, 'node_modules/vmcraft'), { recursive: true });
  const { stdout } = await execa('npm', ['pack', '--json', '--pack-destination', PROJECT], { cwd: REPO });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  files = packed!.files.map((f) => f.path);
  await execa('tar', ['-xzf', path.join(PROJECT, packed!.filename), '-C', path.join(PROJECT, 'node_modules/vmcraft'), '--strip-components=1']);
}, 120_000);
afterAll(async () => rm(PROJECT, { recursive: true, force: true }));

/** Writes `code` as `name` in the scratch project and runs it with node there. */
async function runScript(name: string, code: string): Promise<string> {
  await writeFile(path.join(PROJECT, name), code);
  const r = await execa('node', [name, image], { cwd: PROJECT, reject: false });
  expect(r.stderr, `${name} failed`).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

describe('the packed package', () => {
  it('holds the builds, their types, the docs the README links, and no source maps', async () => {
    for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/convert.js', 'dist/convert.cjs', 'dist/cli.js', 'README.md', 'LICENSE']) expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const linked = [...(await readFile(path.join(REPO, 'README.md'), 'utf8')).matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]!);
    expect(linked.length).toBeGreaterThan(0);
    for (const doc of linked) expect(files).toContain(doc);
  });

  it('works from ESM: opens an image, inspects it, runs a guest command in the sandbox', async () => {
    const out = await runScript('esm.mjs', `
      import { GuestFS } from 'vmcraft';
      import { imageInfo } from 'vmcraft/convert';
      const info = await imageInfo(process.argv[2]);
      await GuestFS.with(process.argv[2], { readonly: true }, async (g) => {
        const [root] = await g.inspectOs();
        await g.mountRoot(root);
        console.log(info.format, g.inspectOsInfo(root).distro, (await g.sh('cat /etc/hostname')).trim());
      });
    `);
    expect(out).toBe('qcow2 debian vmcraft-debian');
  });

  it('works from CommonJS: the same through require()', async () => {
    const out = await runScript('cjs.cjs', `
      const { GuestFS, VmcraftError } = require('vmcraft');
      const { imageInfo } = require('vmcraft/convert');
      (async () => {
        const info = await imageInfo(process.argv[2]);
        await GuestFS.with(process.argv[2], { readonly: true }, async (g) => {
          const [root] = await g.inspectOs();
          await g.mountRoot(root);
          console.log(info.format, g.inspectOsInfo(root).distro, (await g.sh('cat /etc/hostname')).trim());
        });
        const err = await GuestFS.open('/nonexistent.qcow2').catch((e) => e);
        console.log(err instanceof VmcraftError, err.code);
      })().catch((e) => { console.error(e); process.exit(1); });
    `);
    expect(out).toBe('qcow2 debian vmcraft-debian\ntrue ENOENT');
  });

  it('runs a session in VM mode from ESM and from CommonJS: each build finds the packed VM agent', async () => {
    expect(files).toContain('dist/vm-agent.js');
    const body = `
        const [root] = await g.inspectOs();
        await g.mountRoot(root);
        console.log(g.mode, g.inspectOsInfo(root).distro, (await g.sh('cat /etc/hostname')).trim());`;
    const esm = await runScript('vm.mjs', `
      import { GuestFS } from 'vmcraft';
      await GuestFS.with(process.argv[2], { readonly: true, mode: 'vm' }, async (g) => {${body}
      });
    `);
    const cjs = await runScript('vm.cjs', `
      const { GuestFS } = require('vmcraft');
      GuestFS.with(process.argv[2], { readonly: true, mode: 'vm' }, async (g) => {${body}
      }).catch((e) => { console.error(e); process.exit(1); });
    `);
    expect([esm, cjs]).toEqual(['vm debian vmcraft-debian', 'vm debian vmcraft-debian']);
  }, 300_000);

  it('loads no dependency when imported: each is loaded by the first call that needs it', async () => {
    const dist = path.join(PROJECT, 'node_modules/vmcraft/dist');
    const read = new Set<string>();
    const external = new Set<string>();
    // The static imports of the ESM build, chunk by chunk (an import() is what a call loads when it runs).
    const visit = async (file: string): Promise<void> => {
      if (read.has(file)) return;
      read.add(file);
      for (const [, spec] of (await readFile(path.join(dist, file), 'utf8')).matchAll(/^import\s(?:[^'"]*?\sfrom\s*)?["']([^"']+)["']/gm)) {
        if (spec!.startsWith('./')) await visit(spec!.slice(2));
        else external.add(spec!);
      }
    };
    await visit('index.js');
    expect([...external].filter((spec) => !isBuiltin(spec))).toEqual([]);
  });

  it('its CLI runs from dist/', async () => {
    const r = await execa('node', [path.join(PROJECT, 'node_modules/vmcraft/dist/cli.js'), 'inspect', '--json', image], { cwd: PROJECT, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('"distro": "debian"');
  });

  it('its types resolve for vmcraft and vmcraft/convert under node16 and the older node resolution', async () => {
    await writeFile(path.join(PROJECT, 'use.ts'), `
      import { GuestFS, type OsInfo } from 'vmcraft';
      import { imageInfo, type ImageInfo } from 'vmcraft/convert';
      export async function f(p: string): Promise<[OsInfo['distro'], ImageInfo['format']]> {
        const g = await GuestFS.open(p, { readonly: true });
        const [root] = await g.inspectOs();
        return [g.inspectOsInfo(root!).distro, (await imageInfo(p)).format];
      }
    `);
    const tsc = path.join(REPO, 'node_modules/.bin/tsc');
    for (const resolution of [['--module', 'node16', '--moduleResolution', 'node16'], ['--module', 'commonjs', '--moduleResolution', 'node']]) {
      const r = await execa(tsc, ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', ...resolution, 'use.ts'], { cwd: PROJECT, reject: false });
      expect(r.stdout, resolution.join(' ')).toBe('');
    }
  }, 60_000);
});

