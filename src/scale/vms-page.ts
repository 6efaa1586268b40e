/**
 * The dashboard's `/vms` page: one row per VM with what bull-board keeps in
 * a job's detail tabs — state, host, stage, percent, report link, error —
 * server-rendered (every value escaped), reloading itself every few seconds.
 */
import type { VmQueueStatus } from './status.js';

/** How often the page reloads itself. */
export const VMS_REFRESH_SECONDS = 5;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The path of a VM's report on the dashboard. */
export function reportPath(jobId: string): string {
  return `/vms/${encodeURIComponent(jobId)}/report`;
}

const COLUMNS = [['vm', 'VM'], ['state', 'State'], ['host', 'Host'], ['stage', 'Stage'], ['percent', 'Percent'], ['report', 'Report'], ['error', 'Error'], ['attempts', 'Attempts']] as const;

function stateText(s: VmQueueStatus): string {
  if (s.state === 'active') return 'running';
  if (s.state === 'done') return s.result?.status === 'ok' ? 'done' : `done (${s.result?.status ?? 'no result'})`;
  if (s.state === 'delayed' && s.error) return 'retrying';
  return s.state;
}

/** Running VMs first, then waiting, retrying, failed and done ones; by name within each. */
const ORDER: readonly VmQueueStatus['state'][] = ['active', 'waiting', 'delayed', 'failed', 'done'];

function row(s: VmQueueStatus): string {
  const percent = s.progress?.percent;
  const cells = [
    escapeHtml(s.vm),
    escapeHtml(stateText(s)),
    escapeHtml(s.progress?.host || s.result?.host || ''),
    escapeHtml(s.progress?.stage ?? ''),
    percent === undefined ? '' : `<progress max="100" value="${percent.toFixed(0)}"></progress> ${percent.toFixed(0)}%`,
    s.result ? `<a href="${escapeHtml(reportPath(s.jobId))}">report</a>` : '',
    s.error ? `<code>${escapeHtml(s.error.code)}</code> ${escapeHtml(s.error.message)}` : '',
    String(s.attempts.made),
  ];
  return `<tr data-vm="${escapeHtml(s.vm)}" data-state="${escapeHtml(s.state)}">${cells.map((c, i) => `<td class="${COLUMNS[i]![0]}">${c}</td>`).join('')}</tr>`;
}

/** The whole page for the queue's VMs; `problem` (Redis unreachable…) is shown above the table. */
export function vmsPage(queueName: string, statuses: VmQueueStatus[], problem?: string): string {
  const vms = [...statuses].sort((a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state) || a.vm.localeCompare(b.vm));
  const counts = new Map<string, number>();
  for (const s of vms) counts.set(stateText(s), (counts.get(stateText(s)) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${escapeHtml(state)}`).join(', ') || 'no VMs';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${VMS_REFRESH_SECONDS}">
<title>VMs — ${escapeHtml(queueName)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; }
table { border-collapse: collapse; } th, td { padding: .3em .8em; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
tr[data-state="failed"] td.error { color: #b00020; } .problem { color: #b00020; font-weight: bold; }
</style></head><body>
<h1>Migration: ${escapeHtml(queueName)}</h1>
<p><a href="/">queue (bull-board)</a> · ${summary} · reloads every ${VMS_REFRESH_SECONDS} s</p>
${problem ? `<p class="problem">${escapeHtml(problem)}</p>\n` : ''}<table>
<thead><tr>${COLUMNS.map(([, title]) => `<th>${title}</th>`).join('')}</tr></thead>
<tbody>
${vms.map(row).join('\n')}
</tbody></table>
</body></html>
`;
}
