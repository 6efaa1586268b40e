/**
 * Migration pipeline: a VMware disk to a KVM-ready qcow2. The configuration
 * is two YAML files merged in order (site defaults, then the VM), planned
 * (nothing touched), dry-run (the fixers' plans), then run; a re-run resumes
 * from the state file beside the output. A custom stage records an inventory
 * line after INSPECT.
 *
 *   npx tsx examples/migration.ts <disk.vmdk> <output directory>
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatSummary, loadPipelineConfig, plan, run, type Stage } from '../src/index.js';

/** A custom stage: one inventory line per VM, from what INSPECT found. */
const inventory: Stage = {
  name: 'inventory',
  after: 'inspect',
  async run(ctx) {
    const { os } = ctx.results.inspect as { os: { productName: string; prettyName?: string; hostname: string; arch: string } };
    return { result: `${ctx.plan.name}: ${os.prettyName ?? os.productName}, ${os.arch}, hostname ${os.hostname}` };
  },
};

async function main(): Promise<void> {
  const [disk, outDir] = process.argv.slice(2);
  if (!disk || !outDir) throw new Error('usage: migration.ts <disk.vmdk> <output directory>');
  const site = path.join(outDir, 'site.yaml');
  const vm = path.join(outDir, 'web01.yaml');
  await writeFile(site, 'concurrency: 2\nvms: []\n');
  await writeFile(vm, [
    'vms:',
    '  - name: web01',
    `    input: [${path.resolve(disk)}]`,
    '    output: { path: web01.qcow2, format: qcow2 }',
    '    fixers: [fstab, network, hypervisor-tools, grub, initramfs]',
    '    validate: { check: true, inspect: true }',
    '',
  ].join('\n'));
  const config = await loadPipelineConfig([site, vm]);
  const thePlan = await plan(config, { stages: [inventory] });
  for (const p of thePlan.vms) console.log(`plan: ${p.name}: ${p.stages.join(' → ')} → ${p.output.path}`);

  const dry = await run(thePlan, { dryRun: true, stages: [inventory] });
  const fix = dry.vms[0]!.stages.find((s) => s.name === 'fix')!.result as { plans: { fixer: string; changes: { path: string; reasons: string[] }[] }[] };
  for (const f of fix.plans) for (const c of f.changes) console.log(`dry run: ${f.fixer}: ${c.path}: ${c.reasons.join('; ')}`);

  const report = await run(thePlan, {
    stages: [inventory],
    onEvent: (e) => e.type === 'stage-end' && console.log(`  ${e.vm} ${e.stage}: ${e.status}`),
  });
  console.log(`inventory: ${report.vms[0]!.stages.find((s) => s.name === 'inventory')!.result as string}`);
  process.stdout.write(formatSummary(report));
  console.log(`report: ${report.vms[0]!.reportFile}`);

  const again = await run(await plan(config, { stages: [inventory] }), { stages: [inventory] });
  console.log(`re-run: ${again.vms[0]!.stages.map((s) => s.status).join(', ')}`);
  if (report.failed || again.failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`migration: ${err.code ?? 'ERROR'}: ${err.message}`);
  process.exit(1);
});
