/**
 * inspectListApplications2 in a VM-mode session answers what it answers in
 * host mode: the Debian fixture (dpkg status) and an rpm guest (the rpm of
 * the VM's /usr, which is the host's, on a copy of the database inside the
 * VM), both drives of one session; the images are unchanged.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, type Application } from '../../../src/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { ext4Image, rpmTree } from '../../helpers/package-images.js';

const VM_TIMEOUT = 240_000;
let dir: string;
let remove: () => Promise<void>;
let images: string[];

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('vm-apps'));
  images = [(await loadFixtures()).debian12!.path, await ext4Image(await rpmTree(dir), path.join(dir, 'rocky.raw'))];
}, VM_TIMEOUT);
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

/** Each root's applications in a read-only session of `mode`. */
async function applications(mode: 'host' | 'vm'): Promise<Record<string, Application[]>> {
  await using g = await GuestFS.open(images, { readonly: true, tmpDir: dir, mode });
  const found: Record<string, Application[]> = {};
  for (const root of await g.inspectOs()) {
    await g.mountRoot(root);
    found[root] = await g.inspectListApplications2(root);
    await g.umountAll();
  }
  return found;
}

describe('VM mode', () => {
  it('lists the same applications as host mode, for deb and rpm', async () => {
    const before = await Promise.all(images.map(sha256File));
    const host = await applications('host');
    expect(Object.keys(host).sort()).toEqual(['/dev/sda2', '/dev/sdb']);
    expect(host['/dev/sda2']!.length).toBeGreaterThan(80);
    expect(host['/dev/sdb']!.map((a) => a.name)).toEqual(['Zz-upper', 'libtiny', 'tiny-tool']);
    expect(await applications('vm')).toEqual(host);
    expect(await Promise.all(images.map(sha256File))).toEqual(before);
  }, VM_TIMEOUT);
});
