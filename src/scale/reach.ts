/**
 * What a worker checks before it takes a VM: every file the VM reads, the
 * directories it writes to, are there on this host (the shared storage is
 * mounted, the permissions let it in). A worker that cannot reach them
 * refuses the job before anything starts, and another worker may take it.
 */
import { access, constants } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fromFsError } from '../core/errors.js';
import type { VmPlan } from '../pipeline/types.js';

/** The nearest directory of `dir` and its parents that exists. */
async function nearestExisting(dir: string): Promise<string> {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((await access(d).then(() => true, () => false)) || d === path.dirname(d)) return d;
  }
}

async function reach(file: string, mode: number, what: string, vm: VmPlan): Promise<void> {
  await access(file, mode).catch((err: unknown) => {
    throw fromFsError(err, file, `worker ${os.hostname()} refuses ${vm.name} before starting: it cannot reach the ${what}`);
  });
}

/** Throws (ENOENT, EACCES… naming the path) unless this host can read every input of `vm` and write where it writes. */
export async function checkReach(vm: VmPlan): Promise<void> {
  for (const file of vm.sources.flatMap((s) => s.chain)) await reach(file.path, constants.R_OK, 'input', vm);
  if (vm.keyFile) await reach(vm.keyFile, constants.R_OK, 'key file', vm);
  if (vm.fix.virtioWin) await reach(vm.fix.virtioWin, constants.R_OK, 'virtio-win tree', vm);
  await reach(path.dirname(vm.output.path), constants.W_OK, 'output directory', vm);
  await reach(await nearestExisting(vm.workDir), constants.W_OK, 'work directory', vm);
}
