/**
 * FLATTEN: a disk whose chain qemu cannot read by itself (a differencing VHD)
 * is merged into a standalone qcow2 in the work directory; every other disk
 * is left where it is (qemu reads vmdk and qcow2 chains itself, and CONVERT
 * writes standalone outputs), so no bytes are moved for them.
 */
import path from 'node:path';
import { flatten } from '../../convert/flatten.js';
import type { Stage } from '../stage.js';
import { stampKnown } from '../state.js';
import type { DiskRef } from '../types.js';
import { needsMerge } from './session.js';

export const flattenStage: Stage = {
  name: 'flatten',
  options: () => ({}),
  async plan(ctx) {
    const merges = ctx.disks.filter((d) => needsMerge(d.format, d.files.length)).map((d) => d.path);
    for (const m of merges) ctx.note(`${m}: a differencing VHD chain, would be merged into ${ctx.workDir}`);
    return { result: { merged: merges } };
  },
  async run(ctx) {
    const disks: DiskRef[] = [];
    const merged: { from: string; to: string; chain: string[] }[] = [];
    for (const [i, disk] of ctx.disks.entries()) {
      if (!needsMerge(disk.format, disk.files.length)) {
        disks.push(disk);
        continue;
      }
      const to = path.join(ctx.workDir, `disk${i}-flat.qcow2`);
      const result = await flatten(disk.path, to, { format: 'qcow2', sourceFormat: disk.format, chain: disk.files, overwrite: true, signal: ctx.signal, onProgress: ctx.progress, runner: ctx.runner });
      disks.push({ path: to, format: 'qcow2', files: [await stampKnown(to, result.sha256!)] });
      merged.push({ from: disk.path, to, chain: result.chain.map((l) => l.path) });
    }
    return { result: { merged }, disks };
  },
};
