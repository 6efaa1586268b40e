/**
 * Same API, same answers: the calls of the table, with arguments of every
 * kind and results of every kind, give in a VM-mode session what they give
 * in a host-mode session on the same image — values, bytes, errors (by code)
 * and host files they write. A coverage check fails when the table gains an
 * argument or return kind that no call here exercises.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { API } from '../../../src/api/table.js';
import { isVmcraftError } from '../../../src/core/errors.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { scratchDir } from '../../helpers/images.js';
import { closeSessions } from '../../helpers/close-sessions.js';

type Call = [name: string, ...args: unknown[]];

/** Read-only calls of the table, with arguments; `$OUT` is a host file the call writes (compared after). */
const CALLS: Call[] = [
  ['listDevices'], ['listPartitions'], ['listFilesystems'], ['lvs'], ['vgs'], ['pvs'], ['listMdDevices'],
  ['blockdevGetSize64', '/dev/sda'], ['hostDevice', '/dev/sda9'],
  ['vfsType', '/dev/sda2'], ['vfsUuid', '/dev/sda2'], ['vfsLabel', '/dev/sda1'],
  ['partGetParttype', '/dev/sda'], ['partList', '/dev/sda'], ['partGetMbrId', '/dev/sda', 1], ['partGetBootable', '/dev/sda', 1],
  ['partGetGptType', '/dev/sda', 1], ['partToDev', '/dev/sda2'], ['partToPartnum', '/dev/sda2'],
  ['mountpoints'], ['mounts'],
  ['read', '/etc/hostname'], ['read', '/etc/hostname', 'utf8'], ['cat', '/etc/os-release'], ['readLines', '/etc/os-release'],
  ['cat', '/etc/no-such-file'], ['cat', '/etc'],
  ['exists', '/etc/passwd'], ['isFile', '/etc/os-release'], ['isFile', '/etc/os-release', { followSymlinks: true }], ['isDir', '/etc'], ['isSymlink', '/bin'],
  ['ls', '/etc/apt'], ['ls', '/etc/apt', { encoding: 'buffer' }], ['stat', '/etc/passwd'], ['lstat', '/bin'], ['readlink', '/bin'],
  ['globExpand', '/etc/*.conf'], ['globExpand', '/etc/apt*', { directorySlash: false }], ['find', '/etc/apt'], ['findModifiedSince', '/etc/apt', new Date(0)],
  ['checksum', 'SHA256', '/etc/passwd'], ['checksums', 'md5', '/etc/apt'], ['checksumsOut', 'sha1', '/etc/apt', '$OUT'],
  ['download', '/usr/bin/ls', '$OUT'], ['du', '/etc'], ['statvfs', '/'], ['caseSensitivePath', '/etc/HOSTNAME'], ['filesize', '/usr/bin/ls'],
  ['inspectGetRoots'], ['inspectGetType', '/dev/sda2'], ['inspectGetDistro', '/dev/sda2'], ['inspectGetProductName', '/dev/sda2'],
  ['inspectGetMajorVersion', '/dev/sda2'], ['inspectGetArch', '/dev/sda2'], ['inspectGetHostname', '/dev/sda2'],
  ['inspectGetMountpoints', '/dev/sda2'], ['inspectGetFilesystems', '/dev/sda2'], ['inspectFstabDevices', '/dev/sda2'], ['inspectOsInfo', '/dev/sda2'],
  ['inspectGetWindowsSystemroot', '/dev/sda2'],
  ['command', ['cat', '/etc/hostname']], ['sh', 'echo $((6 * 7)); exit 3'], ['shLines', 'printf "a\\nb\\n"'],
  ['windowsPath', '/etc/hostname'], ['registryKeys', '/etc/passwd', '\\'],
  ['hivexOpen', '/etc/passwd'], ['hivexRoot'], ['hivexNodeName', 2 ** 40], ['hivexNodeSetValue', 1, 'k', 1, Buffer.from([0, 255])], ['fixers'], ['fixPlan', ['network'], {}], ['luksOpen', '/dev/sda2', 'not a key', 'x'], ['injectVirtioDrivers', '/usr/share/doc/bash'], ['injectVirtioDrivers', '/no/such/dir'],
  ['augInit', '/', 0], ['augMatch', '/files/etc/passwd/*'], ['augGet', '/files/etc/passwd/root/uid'], ['augInsert', '/files/etc/passwd/root', 'vmcraft', true], ['augLs', '/files/etc/passwd/vmcraft'], ['augGet', '/no/such/node['], ['augClose'],
];

let dir: string;
let remove: () => Promise<void>;
const sessions: Record<'host' | 'vm', GuestFS> = {} as never;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('vm-calls'));
  const image = (await loadFixtures()).debian12!.path;
  for (const mode of ['host', 'vm'] as const) {
    const g = await GuestFS.open(image, { readonly: true, tmpDir: dir, mode });
    await g.mountRoot((await g.inspectOs())[0]!);
    sessions[mode] = g;
  }
}, 240_000);

afterAll(() => closeSessions(sessions, dir, remove));

/** What a call gave: its value, or its error's code; with the host file it wrote. */
async function outcome(g: GuestFS, [name, ...args]: Call, label: string): Promise<unknown> {
  const out = path.join(dir, `${label}-${name}.out`);
  const given = args.map((a) => (a === '$OUT' ? out : a));
  try {
    const value: unknown = await (g as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...given);
    // A guest command's duration differs between two runs; a stat's st_dev is the number the mounting
    // kernel gave the device (the VM's, or a host loop device's; libguestfs gives its appliance's).
    const kept = name === 'command' ? { ...(value as object), durationMs: undefined } : name === 'stat' || name === 'lstat' ? { ...(value as object), dev: undefined } : value;
    return { value: kept, ...(args.includes('$OUT') ? { file: await readFile(out) } : {}) };
  } catch (err) {
    if (!isVmcraftError(err)) throw err;
    // The message says the same, naming the caller's paths (not the VM's): only the devices the kernels gave differ.
    return { error: err.code, ...(err.path !== undefined ? { path: err.path } : {}) };
  }
}

it('every call gives the same answer in a VM as on the host', async () => {
  for (const call of CALLS) {
    const host = await outcome(sessions.host, call, 'host');
    const vm = await outcome(sessions.vm, call, 'vm');
    // hostDevice names the device that carries the drive, which is the VM's own in VM mode.
    if (call[0] === 'hostDevice') continue;
    expect(vm, JSON.stringify(call)).toEqual(host);
  }
  expect(sessions.vm.mode).toBe('vm');
  expect(sessions.vm.hostDevice('/dev/sda2')).toBe('/dev/vda2');
}, 240_000);

it('the calls above use every argument kind and return kind of the table that a read-only session can', () => {
  const used = new Set(CALLS.map(([name]) => name));
  const entries = API.filter((e) => used.has(e.name));
  expect(entries.length).toBe(used.size);
  const argKinds = new Set(entries.flatMap((e) => e.args.map((a) => a.kind)));
  const returnKinds = new Set(entries.map((e) => e.returns));
  // Content, modes and files to read in (buffer, mode, hostPathIn) are taken by writing calls only: the writable VM-mode tests use them.
  const readOnly = API.filter((e) => !e.writes && !e.noShell);
  for (const kind of new Set(readOnly.flatMap((e) => e.args.map((a) => a.kind)))) expect(argKinds, `argument kind ${kind}`).toContain(kind);
  for (const kind of new Set(readOnly.map((e) => e.returns))) expect(returnKinds, `return kind ${kind}`).toContain(kind);
});
