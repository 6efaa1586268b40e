/**
 * A VM's JSON report, as the dashboard serves it: only the file recorded in
 * that VM's finished job (its MigrationResult's `reportFile`), never a path
 * from the request. The file is also checked to be what the pipeline wrote —
 * an absolute, normalised `.json` path, a regular file (a symbolic link is
 * refused, not followed), JSON naming this VM and this path — so a report
 * replaced by a link or a result rewritten in Redis cannot make the dashboard
 * hand out another file of the host.
 */
import { constants, open } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import type { VmQueueStatus } from './status.js';

/** Reports are a few KiB; more is not a report. */
const MAX_REPORT_BYTES = 16 * 2 ** 20;

function refuse(reportFile: string, why: string): never {
  throw new VmcraftError('EUNSAFE', `the report of this VM is not served: ${why}`, { path: reportFile });
}

/** Reads and checks the report recorded for a VM; returns its JSON text. ENOENT when it has none (yet), EUNSAFE when the file is not its report. */
export async function recordedReport(vm: Pick<VmQueueStatus, 'vm' | 'result'>): Promise<string> {
  const reportFile = vm.result?.reportFile;
  if (!reportFile) throw new VmcraftError('ENOENT', `${vm.vm} has no report (yet)`);
  if (!path.isAbsolute(reportFile) || path.normalize(reportFile) !== reportFile || !reportFile.endsWith('.json')) refuse(reportFile, 'the recorded path is not an absolute, normalised .json path');
  // O_NOFOLLOW: a link in place of the report is not followed; O_NONBLOCK: a FIFO there cannot hang the server.
  const handle = await open(reportFile, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ELOOP') refuse(reportFile, 'it is a symbolic link');
    throw new VmcraftError('ENOENT', `the report of ${vm.vm} cannot be read: ${err.code ?? err.message}`, { path: reportFile, cause: err });
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) refuse(reportFile, 'it is not a regular file');
    if (stat.size > MAX_REPORT_BYTES) refuse(reportFile, `it is larger than ${MAX_REPORT_BYTES} bytes`);
    const text = await handle.readFile('utf8');
    let report: unknown;
    try {
      report = JSON.parse(text);
    } catch {
      refuse(reportFile, 'it is not JSON');
    }
    const { name, reportFile: recorded } = (report ?? {}) as { name?: unknown; reportFile?: unknown };
    if (name !== vm.vm || recorded !== reportFile) refuse(reportFile, 'it is not the report of this VM');
    return `${JSON.stringify(report, null, 2)}\n`;
  } finally {
    await handle.close();
  }
}
