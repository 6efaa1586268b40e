/**
 * `win-reg` (virt-win-reg): export a registry key of a Windows guest as .reg text with
 * full `HKEY_LOCAL_MACHINE\…` key names, or `--merge` .reg files written that way. Made of
 * registryExport/registryMerge, which speak hive-relative keys (`[\Microsoft\…]`).
 */
import type { Command } from 'commander';
import type { GuestFS } from '../../guestfs.js';
import { VmcraftError } from '../../core/errors.js';
import type { ShellIo } from '../shell.js';
import { readCliFile } from '../read.js';
import { addDriveOptions, allDrives, splitOperands, usage, withTool, type DriveFlags } from './session.js';

/** The HKLM hives virt-win-reg maps, by their key under HKLM (and HKU\.DEFAULT). */
const HIVES: Record<string, string> = { SOFTWARE: 'software', SYSTEM: 'system', SAM: 'sam', SECURITY: 'security', '.DEFAULT': 'default' };

/** `HKLM\SOFTWARE\Microsoft` → the hive file's name and the key inside it (`\Microsoft`), with the root's full name. */
export function splitRegistryPath(key: string): { hive: string; key: string; prefix: string } {
  const parts = key.split('\\').filter(Boolean);
  const root = parts.shift()?.toUpperCase();
  const hiveKey = parts.shift()?.toUpperCase();
  const machine = root === 'HKLM' || root === 'HKEY_LOCAL_MACHINE';
  const users = (root === 'HKU' || root === 'HKEY_USERS') && hiveKey === '.DEFAULT';
  if (!(machine || users) || !hiveKey || !HIVES[hiveKey] || (machine && hiveKey === '.DEFAULT')) {
    throw usage(`win-reg: ${key}: expected HKLM\\SOFTWARE, HKLM\\SYSTEM, HKLM\\SAM, HKLM\\SECURITY or HKU\\.DEFAULT and a key below (user hives are not supported)`);
  }
  return { hive: HIVES[hiveKey]!, key: `\\${parts.join('\\')}`, prefix: `${machine ? 'HKEY_LOCAL_MACHINE' : 'HKEY_USERS'}\\${machine ? hiveKey : '.DEFAULT'}` };
}

/** Mounts the Windows guest; returns the guest path of a hive file by name, `<systemroot>/system32/config/<name>` (registry calls match it case-insensitively). */
async function mountWindows(g: GuestFS): Promise<(name: string) => string> {
  const [root] = await g.inspectOs();
  if (!root || g.inspectGetType(root) !== 'windows') throw new VmcraftError('EINSPECT', 'win-reg: no Windows guest found in the image');
  await g.mountRoot(root);
  const systemroot = g.inspectGetWindowsSystemroot(root);
  return (name) => `${systemroot}/system32/config/${name}`;
}

/** .reg text with hive-relative key headers (`[\…]`, `[-\…]`) under `prefix`, and back. */
const toFull = (text: string, prefix: string) => text.replace(/^\[(-?)\\/gm, (_m, del: string) => `[${del}${prefix}\\`);

/** Splits a .reg text written with full key names into one hive-relative text per hive. */
function byHive(text: string): Map<string, string> {
  const header = 'Windows Registry Editor Version 5.00';
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const head = /^\[(-?)([^\]]+)\]\s*$/.exec(line);
    if (head) {
      const { hive, key } = splitRegistryPath(head[2]!.replace(/^HKEY_LOCAL_MACHINE\\|^HKLM\\/i, 'HKLM\\'));
      current = out.get(hive) ?? (out.set(hive, [header, '']), out.get(hive)!);
      current.push(`[${head[1]}${key}]`);
    } else if (current) current.push(line);
    else if (line.trim() && line.trim() !== header) throw usage(`win-reg --merge: a value before any [key]: ${line}`);
  }
  return new Map([...out].map(([hive, lines]) => [hive, `${lines.join('\n')}\n`]));
}

interface WinRegFlags extends DriveFlags { merge?: boolean }

/** Adds `win-reg` to the program. */
export function addWinReg(program: Command, io: ShellIo): void {
  addDriveOptions(program
    .command('win-reg')
    .description('export a registry key of a Windows guest as .reg text, or --merge .reg files, like virt-win-reg')
    .argument('<operands...>', 'IMAGE KEY (HKLM\\SOFTWARE\\…), or with --merge IMAGE FILE.reg…')
    .option('--merge', 'merge the .reg files into the guest (each hive is backed up first)'))
    .action(async (operands: string[], flags: WinRegFlags) => {
      if (flags.merge) {
        const { images, rest: files } = flags.add.length ? { images: flags.add, rest: operands } : { images: allDrives(flags, operands.slice(0, 1)), rest: operands.slice(1) };
        if (images.length === 0 || files.length === 0) throw usage('win-reg --merge: expected IMAGE and .reg files');
        const texts = await Promise.all(files.map((f) => readCliFile(f, 'the .reg file')));
        const parsed = texts.map(byHive);
        const backups = await withTool(images, flags, async (g) => {
          const hivePath = await mountWindows(g);
          const done: string[] = [];
          for (const perHive of parsed) for (const [hive, text] of perHive) done.push((await g.registryMerge(hivePath(hive), text)).backup);
          return done;
        }, false);
        if (flags.json) io.out(JSON.stringify({ merged: files, backups }));
        return;
      }
      const { images, rest } = splitOperands(flags, operands, 1, 'a registry key');
      const target = splitRegistryPath(rest[0]!);
      const text = await withTool(images, flags, async (g) => g.registryExport((await mountWindows(g))(target.hive), target.key));
      const full = toFull(text, target.prefix);
      io.out(flags.json ? JSON.stringify({ key: rest[0], reg: full }) : full.replace(/\n$/, ''));
    });
}
