/** A read-write session on a private copy of a fixture, inspected and mounted, with leak checks on close. */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { GuestFS } from '../../src/index.js';
import { loadFixtures, type FixtureManifest } from '../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from './leaks.js';
import { scratchDir } from './images.js';

/** What {@link writableGuest} gives a test file. */
export interface WritableGuest {
  g: GuestFS;
  /** The scratch directory (session tmpDir, image copy). */
  dir: string;
  /** Closes the session, checks nothing is left and removes the scratch directory. */
  close(): Promise<void>;
}

/** Copies fixture `name`, opens it read-write, mounts its inspected root. */
export async function writableGuest(label: string, name: keyof FixtureManifest & string): Promise<WritableGuest> {
  const { dir, remove } = await scratchDir(label);
  const fixture = (await loadFixtures())[name]!;
  const copy = path.join(dir, path.basename(fixture.path));
  await copyFile(fixture.path, copy);
  const g = await GuestFS.open(copy, { tmpDir: dir });
  await g.mountRoot((await g.inspectOs())[0]!);
  return {
    g,
    dir,
    close: async () => {
      await g.close();
      expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
      await remove();
    },
  };
}
