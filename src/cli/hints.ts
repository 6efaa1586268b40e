/**
 * Library errors carry hints for library users ("pass overwrite: true");
 * a CLI user is told the flag instead. Each hint is recognised by the error's
 * code and the library's phrase; the library's messages stay as they are.
 */
import { isVmcraftError } from '../core/errors.js';

const HINTS: readonly { code: string; library: string; cli: string }[] = [
  { code: 'EEXIST', library: 'pass overwrite: true to replace it', cli: 'pass --overwrite to replace it' },
  { code: 'ENOTMOUNTED', library: 'call mount() or mountRoot() first', cli: 'mount one first: -i, or mount / mount-root in the shell' },
  { code: 'EBUSY', library: 'open it with { readonly: true, live: true }', cli: 'add --live (with --ro)' },
];

/** The message of `err` as the CLI prints it: library hints replaced by the CLI's flags. */
export function cliMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!isVmcraftError(err)) return message;
  return HINTS.reduce((text, h) => (h.code === err.code ? text.replace(h.library, h.cli) : text), message);
}

/** `CODE: message`, the code once even where the message starts with it (Node's `ENOENT: …`). */
export function withCode(code: string, message: string): string {
  return message.startsWith(`${code}: `) ? message : `${code}: ${message}`;
}
