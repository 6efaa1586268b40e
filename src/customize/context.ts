/** The file and command calls the customisation helpers use (GuestFS implements them). */
import type { GuestCommandOptions } from '../chroot/command.js';

export interface CustomizeTarget {
  read(path: string, encoding: BufferEncoding): Promise<string>;
  write(path: string, content: string | Uint8Array): Promise<void>;
  exists(path: string): Promise<boolean>;
  isFile(path: string): Promise<boolean>;
  isSymlink(path: string): Promise<boolean>;
  readlink(path: string): Promise<string>;
  mkdirP(path: string): Promise<void>;
  chmod(mode: number, path: string): Promise<void>;
  chown(owner: number, group: number, path: string): Promise<void>;
  lnS(target: string, linkname: string): Promise<void>;
  rm(path: string): Promise<void>;
  rmRf(path: string): Promise<void>;
  globExpand(pattern: string): Promise<string[]>;
  truncate(path: string, size?: number): Promise<void>;
  command(argv: string[], options?: GuestCommandOptions): Promise<{ stdout: string }>;
}

/** Writes `content` unless the file already has it; true when it wrote. */
export async function writeIfChanged(t: CustomizeTarget, path: string, content: string): Promise<boolean> {
  if ((await t.isFile(path)) && (await t.read(path, 'utf8')) === content) return false;
  await t.write(path, content);
  return true;
}

/** Appends a line unless the file already has it; true when it wrote. */
export async function appendLineOnce(t: CustomizeTarget, path: string, line: string): Promise<boolean> {
  const current = (await t.isFile(path)) ? await t.read(path, 'utf8') : '';
  if (current.split('\n').includes(line)) return false;
  await t.write(path, `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}${line}\n`);
  return true;
}
