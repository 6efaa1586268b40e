/**
 * The dashboard's `/vms` page: one row per VM with what bull-board keeps in
 * a job's detail tabs — state, host, stage, percent, report link, error —
 * server-rendered (every value escaped), reloading itself every few seconds.
 */
import type { VmStatus } from './vm-status.js';

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

function stateText(s: VmStatus): string {
  if (s.state === 'active') return 'running';
  if (s.state === 'completed') return s.result?.status === 'ok' ? 'done' : `done (${s.result?.status ?? 'no result'})`;
  if (s.state === 'delayed' && s.error) return 'retrying';
  return s.state;
}

function row(s: VmStatus): string {
  const cells = [
    escapeHtml(s.vm),
    escapeHtml(stateText(s)),
    escapeHtml(s.host ?? ''),
    escapeHtml(s.stage ?? ''),
    s.percent === undefined ? '' : `<progress max="100" value="${s.percent.toFixed(0)}"></progress> ${s.percent.toFixed(0)}%`,
    s.result ? `<a href="${escapeHtml(reportPath(s.jobId))}">report</a>` : '',
    s.error ? `<code>${escapeHtml(s.error.code)}</code> ${escapeHtml(s.error.message)}` : '',
    String(s.attempts),
  ];
  return `<tr data-vm="${escapeHtml(s.vm)}" data-state="${escapeHtml(s.state)}">${cells.map((c, i) => `<td class="${COLUMNS[i]![0]}">${c}</td>`).join('')}</tr>`;
}

/** The whole page for the queue's VMs; `problem` (Redis unreachable…) is shown above the table. */
export function vmsPage(queueName: string, vms: VmStatus[], problem?: string): string {
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
