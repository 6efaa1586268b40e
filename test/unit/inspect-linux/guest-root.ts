/** Temporary copies of the fixture guest roots, with a fake ELF binary (../../helpers/elf.ts) where a test needs one. */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/fixtures/distro-roots, the committed fake guest roots. */
export const FIXTURE_ROOTS = fileURLToPath(new URL('../../fixtures/distro-roots/', import.meta.url));

/** Makes and removes copies of fixture roots under one temp directory. */
export class RootCopies {
  private base: string | undefined;
  private count = 0;

  /**
   * Copies fixture root `name` (symlinks kept as they are) to a fresh
   * directory and writes `files` (guest path → content) into the copy.
   */
  async copy(name: string, files: Record<string, string | Buffer> = {}): Promise<string> {
    this.base ??= await mkdtemp(path.join(os.tmpdir(), 'vmcraft-test-distro-roots-'));
    const root = path.join(this.base, `${this.count++}-${name}`);
    await cp(path.join(FIXTURE_ROOTS, name), root, { recursive: true, verbatimSymlinks: true });
    for (const [guestPath, content] of Object.entries(files)) {
      const host = path.join(root, guestPath);
      await mkdir(path.dirname(host), { recursive: true });
      await writeFile(host, content);
    }
    return root;
  }

  /** Removes every copy. */
  async removeAll(): Promise<void> {
    if (this.base) await rm(this.base, { recursive: true, force: true });
    this.base = undefined;
  }
}
