/** Users of the guest: passwords in /etc/shadow and SSH keys in their homes, from the guest's own passwd. */
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { appendLineOnce } from './context.js';
import type { GuestTarget } from '../guest-target.js';

/** One /etc/passwd entry. */
export interface PasswdEntry { name: string; uid: number; gid: number; home: string; shell: string }

/** Parses /etc/passwd (`root:x:0:0:root:/root:/bin/bash`). */
export function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 7 || line.startsWith('#')) return [];
    return [{ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6]! }];
  });
}

/** The guest's /etc/passwd entry of `name`; `EINVAL` when there is none. */
export async function guestUser(t: GuestTarget, name: string): Promise<PasswdEntry> {
  const entry = parsePasswd(await t.read('/etc/passwd', 'utf8')).find((u) => u.name === name);
  if (!entry) throw new VmcraftError('EINVAL', `the guest has no user ${name}`);
  return entry;
}

/**
 * The password of a user: a crypt(3) hash, or a plain password that is hashed here (SHA-512).
 * `locked`: the account is locked (`!!` before the hash in /etc/shadow, as virt-customize's
 * `locked:` selectors write it; `passwd -u` unlocks it).
 */
export type PasswordSpec = ({ hash: string } | { password: string }) & { locked?: boolean };

/** Hashes a password with SHA-512 crypt through openssl; the password goes through stdin only. */
export async function hashPassword(password: string, runner: Runner): Promise<string> {
  const { stdout } = await runner.run('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n`, redact: [password] });
  return stdout.trim();
}

const shadowEntry = (line: string, name: string) => line.split(':')[0] === name && line.includes(':');
const noShadowEntry = (name: string) => new VmcraftError('EINVAL', `the guest's /etc/shadow has no entry for ${name}`);

/** Throws `EINVAL` unless the guest has `name` in /etc/passwd and /etc/shadow (where a password goes). */
export async function checkPasswordUser(t: GuestTarget, name: string): Promise<void> {
  await guestUser(t, name);
  if (!(await t.read('/etc/shadow', 'utf8')).split('\n').some((line) => shadowEntry(line, name))) throw noShadowEntry(name);
}

/** Replaces the hash field of a user's /etc/shadow line; returns the new text. */
export function setShadowHash(shadow: string, name: string, hash: string): string {
  let found = false;
  const out = shadow.split('\n').map((line) => {
    if (!shadowEntry(line, name)) return line;
    const f = line.split(':');
    found = true;
    f[1] = hash;
    f[2] = String(Math.floor(Date.now() / 86_400_000));
    return f.join(':');
  });
  if (!found) throw noShadowEntry(name);
  return out.join('\n');
}

/** Sets a user's password (never written in plain text anywhere). */
export async function setPassword(t: GuestTarget, name: string, spec: PasswordSpec, runner: Runner): Promise<void> {
  await guestUser(t, name);
  const hash = 'hash' in spec ? spec.hash : await hashPassword(spec.password, runner);
  if (!/^\$(1|5|6|y|2[aby])\$/.test(hash) && hash !== '*' && hash !== '!') throw new VmcraftError('EINVAL', 'the hash is not a crypt(3) hash ($6$…, $y$…)');
  await t.write('/etc/shadow', setShadowHash(await t.read('/etc/shadow', 'utf8'), name, spec.locked ? `!!${hash}` : hash));
}

/** Throws `EINVAL` unless `key` looks like an OpenSSH public key. */
export function checkSshKey(key: string): void {
  if (!/^(ssh-|ecdsa-|sk-)\S+ \S+/.test(key.trim())) throw new VmcraftError('EINVAL', 'that is not an OpenSSH public key');
}

/** Adds a public key to a user's authorized_keys, creating ~/.ssh with the right owner and modes. */
export async function injectSshKey(t: GuestTarget, name: string, key: string): Promise<boolean> {
  checkSshKey(key);
  const u = await guestUser(t, name);
  const dir = `${u.home.replace(/\/$/, '')}/.ssh`;
  const file = `${dir}/authorized_keys`;
  await t.mkdirP(dir);
  const changed = await appendLineOnce(t, file, key.trim());
  await t.chmod(0o700, dir);
  await t.chmod(0o600, file);
  await t.chown(u.uid, u.gid, dir);
  await t.chown(u.uid, u.gid, file);
  return changed;
}
