/**
 * The customisation calls (the virt-customize jobs): each is idempotent and
 * says whether it changed anything. They need the guest mounted read-write
 * (`mountRoot`); the package calls also need it inspected (for its manager).
 */
import { VmcraftError } from '../core/errors.js';
import { appendLineOnce, writeIfChanged } from '../customize/context.js';
import { installPackages, updatePackages } from '../customize/packages.js';
import { addFirstBootScript, setHostname, setTimezone, sysprep, type SysprepReport } from '../customize/system.js';
import { injectSshKey, setPassword, type PasswordSpec } from '../customize/users.js';
import { GuestFSGuest } from './guest.js';

/** Customising a guest before its first boot. */
export class GuestFSCustomize extends GuestFSGuest {
  /** Sets /etc/hostname and the 127.0.1.1 line of /etc/hosts. */
  setHostname(name: string): Promise<boolean> { return setHostname(this, name); }
  /** Sets the timezone (`Europe/Paris`) from the guest's own zoneinfo. */
  setTimezone(zone: string): Promise<boolean> { return setTimezone(this, zone); }
  /** Sets a user's password from a crypt(3) hash or a plain password hashed here; never logged. */
  setPassword(user: string, spec: PasswordSpec): Promise<void> { return setPassword(this, user, spec, this.runner); }
  /** Adds an OpenSSH public key to a user's authorized_keys (~/.ssh made with the user's owner and modes). */
  injectSshKey(user: string, key: string): Promise<boolean> { return injectSshKey(this, user, key); }
  /** Writes a file only when its content differs. */
  writeFile(path: string, content: string): Promise<boolean> { return writeIfChanged(this, path, content); }
  /** Appends a line to a file unless it already has it. */
  appendLine(path: string, line: string): Promise<boolean> { return appendLineOnce(this, path, line); }
  /** Installs packages with the guest's package manager (apt, dnf, yum, zypper, apk, pacman), with network. */
  async installPackages(packages: string[]): Promise<string> { return installPackages(this, this.#manager(), packages); }
  /** Updates all packages with the guest's package manager, with network. */
  async updatePackages(): Promise<string> { return updatePackages(this, this.#manager()); }
  /** Adds a script that runs once at the guest's next boot (a systemd unit); returns its guest path. */
  runFirstBoot(script: string, name = 'vmcraft-firstboot'): Promise<string> { return addFirstBootScript(this, name, script); }
  /** Empties /etc/machine-id so that systemd makes a new one at the next boot. */
  async setMachineIdForFirstBoot(): Promise<boolean> { return this.writeFile('/etc/machine-id', ''); }
  /** Sysprep-style clean-up: machine-id, SSH host keys, persistent-net rules, cloud-init state, leases, logs. */
  sysprep(): Promise<SysprepReport> { return sysprep(this); }

  #manager(): string {
    const root = this.mountpoints().find((m) => m.mountpoint === '/')?.device;
    if (!root) throw new VmcraftError('ENOTMOUNTED', 'mount the guest first (mountRoot)');
    return this.inspectOsInfo(root).packageManagement;
  }
}
