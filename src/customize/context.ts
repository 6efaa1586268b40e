/** Idempotent file edits for the customisation calls. */
import type { GuestTarget } from '../guest-target.js';

/** Writes `content` unless the file already has it; true when it wrote. */
export async function writeIfChanged(t: GuestTarget, path: string, content: string): Promise<boolean> {
  if ((await t.isFile(path, { followSymlinks: true })) && (await t.read(path, 'utf8')) === content) return false;
  await t.write(path, content);
  return true;
}

/** Appends a line unless the file already has it; true when it wrote. */
export async function appendLineOnce(t: GuestTarget, path: string, line: string): Promise<boolean> {
  const current = (await t.isFile(path, { followSymlinks: true })) ? await t.read(path, 'utf8') : '';
  if (current.split('\n').includes(line)) return false;
  await t.write(path, `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}${line}\n`);
  return true;
}
