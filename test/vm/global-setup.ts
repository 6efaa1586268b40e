/** Builds (or finds cached) the VM fixtures before the kernel tests run. */
import { ensureVmFixtures, writeFixtureFacts } from './fixtures.js';

export default async function setup(): Promise<void> {
  if (process.env.VMCRAFT_IN_VM !== '1') throw new Error('the kernel tests run inside the VM: npx tsx test/vm/run.ts -- npx vitest run -c vitest.vm.config.ts');
  await writeFixtureFacts(await ensureVmFixtures());
}
