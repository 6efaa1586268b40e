/**
 * How inspection reads a guest's files. A guest is untrusted: every read is
 * bounded, and a file that cannot be read (a symlink loop, an I/O error, a
 * file larger than its bound) is treated as absent with a warning, so one bad
 * file never fails the inspection of a root.
 */
import { formatError } from '../core/errors.js';
import type { GuestReader } from '../fs/reader.js';

/** Bound of the one-line and release files (hostname, os-release, lsb-release, *-release…): 64 KiB. */
export const SMALL_FILE_LIMIT = 64 * 1024;

/** Bound of the table files (fstab, crypttab): 1 MiB, thousands of entries. */
export const TABLE_FILE_LIMIT = 1024 * 1024;

/** Receives one warning (a file skipped, a value dropped). */
export type Warn = (message: string) => void;

/** The guest reader the detectors use: reads bounded, failures as absence. */
export interface InspectFiles {
  /**
   * The text of a regular file of at most `maxBytes` (default
   * {@link SMALL_FILE_LIMIT}), or undefined when it is absent, larger, or
   * cannot be read (the last two with a warning). Only `maxBytes + 1` bytes
   * are ever read.
   */
  readText(guestPath: string, maxBytes?: number): Promise<string | undefined>;
  /** The first `length` bytes of a regular file, or undefined. */
  readHead(guestPath: string, length: number): Promise<Buffer | undefined>;
  /** Whether the path exists. */
  exists(guestPath: string): Promise<boolean>;
  /** Whether the path is a directory. */
  isDir(guestPath: string): Promise<boolean>;
  /** Entry names of a directory, or []. */
  list(guestPath: string): Promise<string[]>;
}

/** Wraps a {@link GuestReader} so that reads are bounded and a failing path reads as absent, with a warning. */
export function inspectFiles(reader: GuestReader, warn: Warn): InspectFiles {
  async function orAbsent<T>(guestPath: string, absent: T, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      warn(`${guestPath} ignored: ${formatError(err)}`);
      return absent;
    }
  }
  return {
    readText: (guestPath, maxBytes = SMALL_FILE_LIMIT) =>
      orAbsent(guestPath, undefined, async () => {
        const bytes = await reader.readHead(guestPath, maxBytes + 1);
        if (bytes === undefined || bytes.length <= maxBytes) return bytes?.toString('utf8');
        warn(`${guestPath} ignored: larger than ${maxBytes} bytes`);
        return undefined;
      }),
    readHead: (guestPath, length) => orAbsent(guestPath, undefined, () => reader.readHead(guestPath, length)),
    exists: (guestPath) => orAbsent(guestPath, false, () => reader.exists(guestPath)),
    isDir: (guestPath) => orAbsent(guestPath, false, () => reader.isDir(guestPath)),
    list: (guestPath) => orAbsent(guestPath, [], () => reader.list(guestPath)),
  };
}
