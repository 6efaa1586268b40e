/**
 * Guest roots for the inspection tests, under one temp directory: copies of
 * the committed fixture roots (test/fixtures/distro-roots), with a fake ELF
 * binary (../../helpers/elf.ts) where a test needs one, and trees a test
 * writes itself.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/fixtures/distro-roots, the committed fake guest roots. */
export const FIXTURE_ROOTS = fileURLToPath(new URL('../../fixtures/distro-roots/', import.meta.url));

/** Writes `files` (guest path → content) under `root`, making the directories they need. */
export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [guestPath, content] of Object.entries(files)) {
    const host = path.join(root, guestPath);
    await mkdir(path.dirname(host), { recursive: true });
    await writeFile(host, content);
  }
}

/** Makes and removes guest roots under one temp directory. */
export class GuestRoots {
  private base: string | undefined;
  private count = 0;

  /** A fresh path for a root called `name` (not yet created). */
  private async next(name: string): Promise<string> {
    this.base ??= await mkdtemp(path.join(os.tmpdir(), 'vmcraft-test-distro-roots-'));
    return path.join(this.base, `${this.count++}-${name}`);
  }

  /**
   * Copies fixture root `name` (symlinks kept as they are) to a fresh
   * directory and writes `files` (guest path → content) into the copy.
   */
  async copy(name: string, files: Record<string, string | Buffer> = {}): Promise<string> {
    const root = await this.next(name);
    await cp(path.join(FIXTURE_ROOTS, name), root, { recursive: true, verbatimSymlinks: true });
    await writeFiles(root, files);
    return root;
  }

  /** A fresh directory holding only `files` (guest path → content). */
  async create(name: string, files: Record<string, string | Buffer> = {}): Promise<string> {
    const root = await this.next(name);
    await mkdir(root, { recursive: true });
    await writeFiles(root, files);
    return root;
  }

  /** Removes every root. */
  async removeAll(): Promise<void> {
    if (this.base) await rm(this.base, { recursive: true, force: true });
    this.base = undefined;
  }
}
