/**
 * FETCH: the sources as the later stages read them. A disk image is used in
 * place, nothing copied, its chain verified again: exactly the chain the plan
 * verified (the later stages open exactly that chain, their disks' `files`);
 * an OVA is unpacked into the work directory with its manifest checked, and
 * its disks checked to read nothing else.
 */
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { detectFormat } from '../../attach/detect.js';
import { resolveChain } from '../../attach/chain.js';
import { lazy } from '../../core/lazy.js';
import type { Stage } from '../stage.js';
import type { DiskRef } from '../types.js';

// OVA extraction brings tar and the XML parser: loaded for the first OVA.
const loadOva = lazy(() => import('../../convert/ova.js'));

export const fetchStage: Stage = {
  name: 'fetch',
  options: (plan) => plan.sources.map((s) => ({ path: s.path, chain: s.chain })),
  async plan(ctx) {
    for (const d of ctx.disks) if (d.format === 'ova') ctx.note(`${d.path} would be unpacked into ${ctx.workDir}`);
    return { result: { sources: ctx.disks.map((d) => ({ path: d.path, format: d.format, chain: d.files.map((f) => f.path) })) } };
  },
  async run(ctx) {
    const disks: DiskRef[] = [];
    const ovas: unknown[] = [];
    for (const [i, source] of ctx.disks.entries()) {
      if (source.format !== 'ova') {
        await resolveChain(source.path, { format: source.format, chain: source.files });
        disks.push(source);
        continue;
      }
      const dir = path.join(ctx.workDir, `ova-${i}`);
      await rm(dir, { recursive: true, force: true });
      const { extractOva } = await loadOva();
      const contents = await extractOva(source.path, dir);
      ovas.push({ path: source.path, descriptor: contents.descriptor, manifestVerified: contents.manifestVerified });
      for (const disk of contents.disks) {
        if (!disk.path) {
          ctx.note(`${source.path}: disk ${disk.id} has no file (an empty disk of the VM definition): not migrated`);
          continue;
        }
        const file = contents.files.find((f) => f.path === disk.path)!;
        const info = await stat(disk.path);
        const format = (await detectFormat(disk.path)).format;
        await resolveChain(disk.path, { format });
        disks.push({ path: disk.path, format, files: [{ path: disk.path, size: info.size, mtimeMs: info.mtimeMs, sha256: file.sha256 }] });
      }
    }
    // The stamps themselves, not copies: the sources' sha256s may still be computed in the background (run.ts).
    return { result: { disks: disks.map((d) => ({ path: d.path, format: d.format, files: d.files })), ...(ovas.length ? { ova: ovas } : {}) }, disks };
  },
};
