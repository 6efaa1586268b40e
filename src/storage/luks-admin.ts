/**
 * LUKS header changes with cryptsetup: format, add a key, kill a key slot,
 * read the UUID. None needs device-mapper as long as the kernel's crypto API
 * has the cipher (cryptsetup falls back to a dm-crypt mapping otherwise), so
 * they run on a host without it too. Keys never go in an argument and are
 * redacted from traces and errors.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { missingKernelFeature } from './kernel.js';

/** Exit code cryptsetup uses for a wrong passphrase (also in ./luks.ts). */
export const WRONG_KEY = 2;
/** Highest LUKS2 key slot (LUKS1 has 0-7: cryptsetup refuses the others on it). */
const MAX_KEYSLOT = 31;
/** Header writes with the default PBKDF (argon2id) take seconds, more in a slow VM. */
const TIMEOUT_MS = 300_000;

function checkKeyslot(keyslot: number): void {
  if (!Number.isInteger(keyslot) || keyslot < 0 || keyslot > MAX_KEYSLOT) throw new VmcraftError('EINVAL', `keyslot must be from 0 to ${MAX_KEYSLOT}, got ${keyslot}`);
}

/**
 * Runs cryptsetup with `key` on stdin: EBADKEY when the key opens no slot,
 * EUNSUPPORTED when cryptsetup needed device-mapper and the kernel has none.
 */
async function withKey(runner: Runner, device: string, args: string[], key: string, redact: string[] = [key]): Promise<void> {
  try {
    await runner.run('cryptsetup', args, { input: key, redact, timeoutMs: TIMEOUT_MS });
  } catch (err) {
    if (!(err instanceof VmcraftError)) throw err;
    if (err.command?.exitCode === WRONG_KEY) throw new VmcraftError('EBADKEY', `the key given does not open ${device}`, { path: device });
    if (err.command?.stderr?.includes('Cannot initialize device-mapper')) throw missingKernelFeature('deviceMapper', `cryptsetup ${args[0] === '-q' ? args[1] : args[0]} on ${device}`);
    throw err;
  }
}

/**
 * Formats `hostPath` as LUKS (cryptsetup's default version, LUKS2) with
 * `key` in `keyslot`, erasing what the device held.
 */
export async function luksFormat(runner: Runner, device: string, hostPath: string, key: string, keyslot: number, cipher?: string): Promise<void> {
  checkKeyslot(keyslot);
  if (cipher !== undefined && !/^[a-z0-9][a-z0-9:-]*$/i.test(cipher)) throw new VmcraftError('EINVAL', `${JSON.stringify(cipher)} is not a cipher specification such as aes-xts-plain64`);
  await withKey(runner, device, ['-q', 'luksFormat', '--key-file=-', '--key-slot', String(keyslot), ...(cipher ? ['--cipher', cipher] : []), hostPath], key);
}

/**
 * Adds `newKey` in `keyslot` (which must be free), `key` being any key that
 * opens the device. stdin carries `key`; cryptsetup reads the new key from a
 * file only (an inherited socket cannot be opened by path), so it is written
 * mode 0600 in the session's private (0700) `workDir` and removed at once.
 */
export async function luksAddKey(runner: Runner, workDir: string, device: string, hostPath: string, key: string, newKey: string, keyslot: number): Promise<void> {
  checkKeyslot(keyslot);
  const file = path.join(workDir, `newkey-${randomBytes(8).toString('hex')}`);
  await writeFile(file, newKey, { mode: 0o600, flag: 'wx' });
  try {
    await withKey(runner, device, ['luksAddKey', '--key-file=-', '--key-slot', String(keyslot), hostPath, file], key, [key, newKey]);
  } finally {
    await rm(file, { force: true });
  }
}

/** Wipes `keyslot`; `key` must open one of the other slots (no batch mode: it would skip that check). */
export async function luksKillSlot(runner: Runner, device: string, hostPath: string, key: string, keyslot: number): Promise<void> {
  checkKeyslot(keyslot);
  await withKey(runner, device, ['luksKillSlot', '--key-file=-', hostPath, String(keyslot)], key);
}

/** The LUKS UUID of a device. */
export async function luksUuid(runner: Runner, hostPath: string): Promise<string> {
  return (await runner.run('cryptsetup', ['luksUUID', hostPath])).stdout.trim();
}
