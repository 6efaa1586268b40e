/**
 * enqueuePipeline(): one BullMQ job per VM of a plan, with an id made from the
 * VM's name and its inputs' stamps, so enqueuing the same batch again adds
 * nothing while a changed input makes a new job.
 */
import os from 'node:os';
import { VmcraftError } from '../core/errors.js';
import type { PipelineConfig } from '../pipeline/index.js';
import { plan as makePlan } from '../pipeline/plan.js';
import { hashOf, stampFile } from '../pipeline/state.js';
import type { PipelinePlan, VmPlan } from '../pipeline/types.js';
import { withQueue, type QueueOptions } from './queue.js';
import type { MigrationJobData } from './job.js';

/** What {@link enqueuePipeline} did for each VM. */
export interface EnqueueResult {
  /** The jobs added now. */
  added: { vm: string; jobId: string }[];
  /** The VMs whose job (same name, same inputs) was already on the queue, and the state it is in. */
  existing: { vm: string; jobId: string; state: string }[];
}

/**
 * The job id of a VM: its name (characters BullMQ ids cannot hold replaced)
 * and a hash of its name and the size and mtime of every file it reads.
 */
export async function migrationJobId(vm: VmPlan): Promise<string> {
  const stamps = [];
  for (const file of vm.sources.flatMap((s) => s.chain)) {
    const { size, mtimeMs } = await stampFile(file.path, [], false);
    stamps.push([file.path, size, mtimeMs]);
  }
  return `${vm.name.replace(/[^A-Za-z0-9._-]/g, '_')}-${hashOf({ name: vm.name, stamps }).slice(0, 16)}`;
}

/** LUKS passphrases would be stored in Redis in clear: a plan that carries some is refused. */
function refuseInlineKeys(p: PipelinePlan): void {
  const withKeys = p.vms.filter((vm) => vm.keys.length > 0).map((vm) => vm.name);
  if (withKeys.length) throw new VmcraftError('EINVAL', `${withKeys.join(', ')}: LUKS passphrases in the plan would be stored in Redis in clear; give them in a key file the workers can read (keyFile: in the configuration) instead of keys:`);
}

/**
 * Puts one job per VM on the queue (job name: the VM's name; data: its
 * resolved plan, see MigrationJobData). The retry policy is the plan's
 * (`retry:` in the configuration). Plans with `keys` are refused (EINVAL):
 * passphrases go in a `keyFile`, read by the worker.
 *
 * @example
 * ```ts
 * const config = await loadPipelineConfig(['batch.yaml']);
 * const { added, existing } = await enqueuePipeline(config, { connection: { url: 'redis://queue.example:6379' } });
 * ```
 */
export async function enqueuePipeline(configOrPlan: PipelineConfig | PipelinePlan, options: QueueOptions = {}): Promise<EnqueueResult> {
  const p = 'version' in configOrPlan ? configOrPlan : await makePlan(configOrPlan);
  refuseInlineKeys(p);
  const retry = p.retry ?? { attempts: 3, backoffSec: 30 };
  const jobs = await Promise.all(p.vms.map(async (vm) => ({ vm, jobId: await migrationJobId(vm) })));
  return withQueue(options, async (queue) => {
    const result: EnqueueResult = { added: [], existing: [] };
    for (const { vm, jobId } of jobs) {
      const found = await queue.getJob(jobId);
      if (found) {
        result.existing.push({ vm: vm.name, jobId, state: await found.getState() });
        continue;
      }
      const data: MigrationJobData = { version: 1, vm, enqueuedFrom: os.hostname() };
      // BullMQ adds nothing when a job with this id exists (two enqueuers at once included).
      await queue.add(vm.name, data, { jobId, attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.backoffSec * 1000 } });
      result.added.push({ vm: vm.name, jobId });
    }
    return result;
  });
}
