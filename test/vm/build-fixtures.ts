/**
 * The VM fixtures (LVM, LUKS, RAID…): they need a kernel with device-mapper
 * and md, so they are built inside the harness VM and cached.
 *   npx tsx test/vm/build-fixtures.ts --built   exit code 0 when the ones the host's VM-mode tests open are there
 *   npx tsx test/vm/run.ts -- npx tsx test/vm/build-fixtures.ts   builds what is missing (in the VM)
 * scripts/test.sh runs the first, and the second when it fails.
 */
import { existsSync } from 'node:fs';
import { ensureVmFixtures, vmFixturePaths } from './fixtures.js';

if (process.argv.includes('--built')) {
  const { lvm, luks, raid } = vmFixturePaths();
  process.exit([lvm, luks, ...raid].every((f) => existsSync(f)) ? 0 : 1);
}
await ensureVmFixtures();
