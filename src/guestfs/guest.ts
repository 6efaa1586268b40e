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
    const root = this.rootDir();
    const release = await this.#blockServices();
    try {
      const { stdout, stderr, exitCode, durationMs } = await this.timings.time('command', () => runGuestCommand(root, argv, options, this.runner));
      return { stdout, stderr, exitCode, durationMs };
    } finally {
      await release();
    }
  }

  /**
   * Debian-style guests start services from package scripts through
   * invoke-rc.d unless /usr/sbin/policy-rc.d says no: put one there for the
   * command (removed after it, or on shutdown if the process dies first).
   */
  async #blockServices(): Promise<() => Promise<void>> {
    const policy = '/usr/sbin/policy-rc.d';
    if (this.isReadonlyPath(policy) || !(await this.isDir('/usr/sbin')) || (await this.exists(policy)) || (await this.isSymlink(policy))) return async () => {};
    await this.write(policy, '#!/bin/sh\n# vmcraft: no services start while vmcraft runs commands in this guest\nexit 101\n');
    await this.chmod(0o755, policy);
    const entry = this.cleanup.push(`${policy} in the guest`, () => this.rm(policy));
    return () => this.cleanup.releaseOne(entry);
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
