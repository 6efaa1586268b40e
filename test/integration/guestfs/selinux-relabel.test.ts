/**
 * selinuxRelabel on a copy of the Debian fixture (no SELinux userland): the
 * fallback /.autorelabel, which a planted symlink cannot turn into a host file; then
 * a guest setfiles stand-in (a shell script recording its arguments, since a
 * real SELinux policy in a Debian guest is too heavy to build here) checks
 * that the guest's own setfiles runs inside the guest with the spec file,
 * the start path and the exclusions, that success drops a pending
 * /.autorelabel, and that its failure falls back to /.autorelabel with a warning.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rejected } from '../../helpers/thrown.js';
import { writableGuest, type WritableGuest } from '../../helpers/writable-guest.js';

const SPEC = '/etc/selinux/targeted/contexts/files/file_contexts';
const ARGS = '/root/setfiles.args';
let guest: WritableGuest;
const warnings: string[] = [];

beforeAll(async () => {
  guest = await writableGuest('selinux-relabel', 'debian12');
  guest.g.on('log', (l) => l.level === 'warn' && warnings.push(l.message));
}, 120_000);
afterAll(async () => guest.close());

it('creates /.autorelabel when the guest has no setfiles', async () => {
  const { g } = guest;
  expect(await g.isFile('/usr/sbin/setfiles', { followSymlinks: true })).toBe(false);
  expect(await g.exists('/.autorelabel')).toBe(false);
  await g.selinuxRelabel(SPEC, '/', { force: true });
  expect(await g.isFile('/.autorelabel')).toBe(true);
  expect(await g.filesize('/.autorelabel')).toBe(0);
  await g.rm('/.autorelabel');
});

it('a /.autorelabel symlink out of the guest stays in the guest', async () => {
  const { g } = guest;
  const hostTarget = `/tmp/vmcraft-autorelabel-escape-${process.pid}`;
  await g.lnS(`../../../../../../..${hostTarget}`, '/.autorelabel');
  try {
    // touch works on regular files only (libguestfs' rule): a planted link is refused, not followed.
    expect((await rejected(g.selinuxRelabel(SPEC, '/'))).code).toBe('EINVAL');
    expect(existsSync(hostTarget)).toBe(false);
    expect(await g.exists(hostTarget)).toBe(false);
  } finally {
    await g.rm('/.autorelabel');
  }
});

it("runs the guest's setfiles inside the guest; its failure falls back to /.autorelabel", async () => {
  const { g } = guest;
  await g.write('/usr/sbin/setfiles', `#!/bin/sh\necho "$@" > ${ARGS}\nexit "$(cat /root/setfiles.exit 2>/dev/null || echo 0)"\n`);
  await g.chmod(0o755, '/usr/sbin/setfiles');
  expect((await rejected(g.selinuxRelabel(SPEC, '/'))).code).toBe('ENOENT');

  await g.mkdirP('/etc/selinux/targeted/contexts/files');
  await g.write(SPEC, '/.* system_u:object_r:default_t:s0\n');
  await g.touch('/.autorelabel');
  await g.selinuxRelabel(SPEC, '/etc', { force: true });
  expect((await g.cat(ARGS)).trim()).toBe(`-F -e /dev -e /proc -e /selinux -e /sys -m -C ${SPEC} /etc`);
  expect(await g.exists('/.autorelabel')).toBe(false);

  await g.write('/root/setfiles.exit', '255\n');
  await g.selinuxRelabel(SPEC, '/');
  expect((await g.cat(ARGS)).trim()).toBe(`-e /dev -e /proc -e /selinux -e /sys -m -C ${SPEC} /`);
  expect(await g.isFile('/.autorelabel')).toBe(true);
  expect(warnings.some((w) => w.includes("the guest's setfiles failed") && w.includes('/.autorelabel'))).toBe(true);
});
