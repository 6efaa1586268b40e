/** The short human summary of a pipeline report. */
import type { PipelineReport, VmReport } from './types.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

function vmLines(vm: VmReport): string[] {
  const stages = vm.stages.map((s) => `${s.name} ${s.status}${s.status === 'done' || s.status === 'planned' ? ` ${seconds(s.durationMs)}` : ''}`).join(' · ');
  const lines = [`${vm.name}: ${vm.status} in ${seconds(vm.durationMs)} — ${stages}`];
  for (const p of vm.produced) lines.push(`  → ${p.path} (${p.format}, ${size(p.size)}, sha256 ${p.sha256.slice(0, 16)}…)`);
  if (vm.error) lines.push(`  ✗ ${vm.error.code}: ${vm.error.message.split('\n').join('\n    ')}`);
  return lines;
}

/** A few lines per VM (status, stages with their times, outputs, the error) and a total. */
export function formatSummary(report: PipelineReport): string {
  const lines = report.vms.flatMap(vmLines);
  lines.push(`${report.vms.length} VM(s): ${report.ok} ok, ${report.failed} failed, ${seconds(report.durationMs)}`);
  return `${lines.join('\n')}\n`;
}
