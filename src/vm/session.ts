/**
 * A VM-mode session: the VM started with the session's verified drives, the
 * agent's session launched over them, its events re-emitted on the session
 * and its state mirrored there, and a {@link VmRemote} for the calls.
 */
import path from 'node:path';
import type { VerifiedDrive } from '../attach/types.js';
import type { TraceEvent } from '../core/exec.js';
import type { PhaseEvent } from '../core/metrics.js';
import type { RemoteSession, Session } from '../api/session.js';
import { startVm } from './launch.js';
import { VmRemote } from './remote.js';

/** The agent's own launch and shutdown are phases inside the session's; they are named apart so they do not add to them. */
const GUEST_PHASE: Record<string, string> = { launch: 'vm.launch', shutdown: 'vm.shutdown' };

/** Re-emits an event of the agent's session on `session`. */
function relay(session: Session, event: 'trace' | 'log' | 'progress' | 'phase', data: unknown): void {
  if (event === 'phase') {
    const phase = data as PhaseEvent;
    const name = GUEST_PHASE[phase.phase] ?? phase.phase;
    session.timings.add(name, phase.durationMs);
    session.emit('phase', { ...phase, phase: name });
  } else if (event === 'trace') session.emit('trace', { ...(data as TraceEvent), inVm: true });
  else if (event === 'log') session.emit('log', data as { level: 'info' | 'warn'; message: string });
  else session.emit('progress', data as { operation: string; percent: number });
}

/** Starts the VM of `session` over `drives`, launches the session in it and returns it. */
export async function openVmSession(session: Session, drives: readonly VerifiedDrive[]): Promise<RemoteSession> {
  const { options } = session;
  const vm = await session.timings.time('vm.boot', () =>
    startVm({
      drives,
      settings: options.vm,
      workDir: session.workDir,
      runner: session.runner,
      cleanup: session.cleanup,
      onEvent: (event, data) => relay(session, event, data),
      onState: (state) => session.mirror(state),
      onStarted: ({ accel, accelReason, bootMs }) => session.emit('log', { level: 'info', message: `VM up in ${bootMs} ms under ${accel.toUpperCase()} (${accelReason})` }),
      // The agent's own commands time out after commandTimeoutMs; a VM silent for longer is hung.
      silenceLimitMs: options.commandTimeoutMs + 30_000,
    }),
  );
  await vm.request({
    t: 'launch',
    drives: drives.map((d, i) => ({ serial: `vmcraft${i}`, readonly: d.readonly })),
    options: { readonly: options.readonly, keys: options.keys, commandTimeoutMs: options.commandTimeoutMs },
  });
  return new VmRemote(vm, path.join(session.workDir, 'share'));
}
