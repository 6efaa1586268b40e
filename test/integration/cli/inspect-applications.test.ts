/**
 * `vmcraft inspect` lists each root's installed applications: in --json the
 * library's list, in human form a count and one line each; a database that
 * cannot be read is reported for its root without failing the command.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { cliRunner } from '../../helpers/cli.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { ext4Image, RPM_DBPATH, rpmTree } from '../../helpers/package-images.js';

let dir: string;
let remove: () => Promise<void>;
let rpmRoot: string;
let image: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('cli-apps'));
  rpmRoot = await rpmTree(dir);
  image = await ext4Image(rpmRoot, path.join(dir, 'rocky.raw'));
}, 120_000);
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

const vmcraft = cliRunner(() => dir);

describe('vmcraft inspect', () => {
  it('--json gives the applications the library lists; the human form a count and one line each', async () => {
    const before = await sha256File(image);
    let apps;
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      const [root] = await g.inspectOs();
      await g.mountRoot(root!);
      apps = await g.inspectListApplications2(root!);
    }
    const json = await vmcraft(['inspect', '--json', image]);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ root: '/dev/sda', distro: 'rocky', applications: apps })]);
    const human = await vmcraft(['inspect', image]);
    expect(human.stdout.split('\n').slice(-4)).toEqual(['  3 applications:', '    Zz-upper 10-7 (noarch)', '    libtiny 0.9-1.el9 (x86_64)', '    tiny-tool 2:1.2-3.el9 (noarch)']);
    expect(await sha256File(image)).toBe(before);
  });

  it('reports a database rpm cannot read for its root, and exits 0', async () => {
    const broken = path.join(dir, 'broken');
    await execa('cp', ['-a', rpmRoot, broken]);
    await execa('sh', ['-c', `head -c 100000 /dev/zero > ${path.join(broken, RPM_DBPATH, 'rpmdb.sqlite')}; rm -f ${path.join(broken, RPM_DBPATH)}/rpmdb.sqlite-*`]);
    const brokenImage = await ext4Image(broken, path.join(dir, 'broken.raw'));
    const json = await vmcraft(['inspect', '--json', brokenImage]);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ distro: 'rocky', applicationsError: expect.stringMatching(/^EINSPECT: rpm reading the database in \/usr\/lib\/sysimage\/rpm failed/) })]);
    const human = await vmcraft(['inspect', brokenImage]);
    expect(human.stdout).toMatch(/\n {2}applications not listed: EINSPECT: rpm reading the database in \/usr\/lib\/sysimage\/rpm failed: .*$/);
  });
});
