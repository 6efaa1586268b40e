/**
 * virt-sysprep's user-account operation: removes the accounts whose uid is between the
 * guest's UID_MIN and UID_MAX (/etc/login.defs), root never, with their passwd, shadow and
 * same-named group lines, their mail spool and their home directory.
 */
import { posix } from 'node:path';
import { parsePasswd, type PasswdEntry } from '../users.js';
import type { GuestEdits, SysprepOperation, SysprepOperationOptions, SysprepTarget } from './operation.js';

/** UID_MIN and UID_MAX of a login.defs text (shadow's defaults, 1000 and 60000, where unset). */
export function uidRange(loginDefs: string): { min: number; max: number } {
  const value = (key: string, fallback: number) => {
    const m = new RegExp(`^\\s*${key}\\s+(\\d+)\\s*$`, 'm').exec(loginDefs);
    return m ? Number(m[1]) : fallback;
  };
  return { min: value('UID_MIN', 1000), max: value('UID_MAX', 60000) };
}

/** Whether the options say to remove `name`: kept users never; else all, or those listed to remove. */
export function shouldRemove(name: string, options: SysprepOperationOptions): boolean {
  if (options.keepUserAccounts?.includes(name)) return false;
  return !options.removeUserAccounts?.length || options.removeUserAccounts.includes(name);
}

/** `text` without the lines of a colon-separated file whose first field is in `names`. */
export function dropEntries(text: string, names: ReadonlySet<string>): string {
  return text.split('\n').filter((line) => !names.has(line.split(':')[0]!) || !line.includes(':')).join('\n');
}

/** The users of `passwd` to remove. */
export function usersToRemove(passwd: PasswdEntry[], range: { min: number; max: number }, options: SysprepOperationOptions): PasswdEntry[] {
  return passwd.filter((u) => u.uid >= range.min && u.uid <= range.max && u.name !== 'root' && shouldRemove(u.name, options));
}

async function readIfFile(t: SysprepTarget, edit: GuestEdits, path: string): Promise<string | undefined> {
  return (await edit.kind(path)) === 'file' ? t.read(path, 'utf8') : undefined;
}

/** A guest name a crafted passwd could make into a path elsewhere (`..`, `a/b`). */
const unsafeName = (name: string) => name === '' || name === '.' || name === '..' || name.includes('/');

export const userAccount: SysprepOperation = {
  name: 'user-account', enabledByDefault: false, heading: 'Remove the user accounts in the guest',
  run: async (t, { os, edit, options }) => {
    if (os.type === 'windows') return;
    const passwd = await readIfFile(t, edit, '/etc/passwd');
    if (passwd === undefined) return;
    const range = uidRange((await readIfFile(t, edit, '/etc/login.defs')) ?? '');
    const users = usersToRemove(parsePasswd(passwd), range, options);
    if (!users.length) return;
    const names = new Set(users.map((u) => u.name));
    // shadow and group as virt-sysprep; gshadow too, so the group is not left half-removed.
    for (const file of ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow']) {
      const text = file === '/etc/passwd' ? passwd : await readIfFile(t, edit, file);
      if (text !== undefined && dropEntries(text, names) !== text) await edit.write(file, dropEntries(text, names));
    }
    for (const u of users) {
      if (!unsafeName(u.name)) await edit.rmRf(`/var/spool/mail/${u.name}`);
      // A home of `/` (or a relative one) is not removed: it is not the user's own.
      if (u.home.startsWith('/') && posix.normalize(u.home) !== '/') await edit.rmRf(u.home);
    }
  },
};
