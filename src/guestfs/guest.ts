/** Guest commands of the GuestFS façade: run guest binaries in the mounted root. */
import { runGuestCommand, type GuestCommandOptions } from '../chroot/command.js';
import { GuestFSInspect } from './inspect.js';

/** What a guest command printed, and how it ended. */
export interface GuestCommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

/** Running commands inside the guest. */
export class GuestFSGuest extends GuestFSInspect {
  /**
   * Runs `argv` inside the mounted guest (mount with `mountRoot` first), with
   * /proc, /sys, /dev and /run, the guest's own PATH, services blocked
   * (`SYSTEMD_OFFLINE=1`), and no network unless `network: true`. In its own
   * pid and mount namespaces: nothing it starts or mounts outlives it.
   * @throws VmcraftError `ECOMMAND` (with stderr) on a non-zero exit, `ETIMEOUT`, `EARCH` for a foreign-architecture guest
   */
  async command(argv: string[], options: GuestCommandOptions = {}): Promise<GuestCommandResult> {
    const { stdout, stderr, exitCode, durationMs } = await this.timings.time('command', () => runGuestCommand(this.rootDir(), argv, options, this.runner));
    return { stdout, stderr, exitCode, durationMs };
  }

  /** Runs a shell script with the guest's /bin/sh; returns its standard output. */
  async sh(script: string, options: GuestCommandOptions = {}): Promise<string> {
    return (await this.command(['/bin/sh', '-c', script], options)).stdout;
  }

  /** Like {@link GuestFSGuest.sh}, split into lines (without a trailing empty one). */
  async shLines(script: string, options: GuestCommandOptions = {}): Promise<string[]> {
    const out = await this.sh(script, options);
    return out === '' ? [] : out.replace(/\n$/, '').split('\n');
  }
}
