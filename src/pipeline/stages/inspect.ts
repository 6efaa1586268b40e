/** INSPECT: what is on the disks, read-only; later stages and the report use it. */
import type { Stage, StageContext } from '../stage.js';
import type { OsInfo } from '../../inspect/types.js';
import { guestRoot, openableBeforeRun, withDisks } from './session.js';

/** What INSPECT found. */
export interface InspectResult {
  os: OsInfo;
}

async function inspect(ctx: StageContext): Promise<InspectResult> {
  return withDisks(ctx, ctx.disks, true, async (g) => ({ os: await guestRoot(ctx, g) }));
}

export const inspectStage: Stage = {
  name: 'inspect',
  options: (plan) => ({ keys: plan.keys.length }),
  async plan(ctx) {
    if (!openableBeforeRun(ctx.disks)) {
      ctx.note('the disks can be inspected only once FETCH/FLATTEN have run (an OVA to unpack or a VHD chain to merge)');
      return { result: undefined };
    }
    return { result: await inspect(ctx) };
  },
  async run(ctx) {
    return { result: await inspect(ctx) };
  },
};
