/**
 * What the VM-mode tests do with a session: open it (read-only unless told),
 * inspect, mount the first root, read a file, and report what they saw — the
 * mode and its reason, the inspection, the mounts, what the host ran — and
 * whether the host's loop devices and mount table saw the session while it was open.
 */
import { chmod, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { GuestFS, type GuestFSOptions, type TraceEvent } from '../../src/index.js';
import type { OsInfo } from '../../src/inspect/types.js';
import type { MountEntry } from '../../src/api/mount-table.js';
import { findLeftovers } from './leaks.js';
import { buildWindowsImage } from './windows-image.js';

/** What one session showed. */
export interface SessionView {
  mode: string | undefined;
  note: string | undefined;
  logs: string[];
  os: OsInfo[];
  filesystems: { device: string; vfsType: string }[];
  mountpoints: MountEntry[];
  /** The file read after mounting the root. */
  content: string;
  /** Programs this host ran for the session (not those run inside its VM). */
  hostPrograms: string[];
  /** Loop devices and mounts under the session's directory while it was open. */
  hostSaw: { loopDevices: string[]; mounts: string[] };
}

/** The program a traced command ran (through setpriv for QEMU). */
function program(t: TraceEvent): string {
  const argv = t.argv[0] === 'setpriv' ? t.argv.slice(t.argv.indexOf('--') + 1) : t.argv;
  return path.basename(argv[0] ?? '');
}

/**
 * Opens `images` with `options`, inspects, mounts the first root, reads
 * `file`, closes. `make` creates the session (the built package's GuestFS in
 * a child process).
 */
export async function viewSession(images: string[], file: string, options: GuestFSOptions & { tmpDir: string }, make = (o: GuestFSOptions) => new GuestFS(o)): Promise<SessionView> {
  const g = make({ readonly: true, ...options });
  const logs: string[] = [];
  const traces: TraceEvent[] = [];
  g.on('log', (l) => logs.push(l.message));
  g.on('trace', (t) => traces.push(t));
  for (const image of images) g.addDrive(image);
  let view: Omit<SessionView, 'hostPrograms'>;
  try {
    await g.launch();
    const roots = await g.inspectOs();
    const os = roots.map((r) => g.inspectOsInfo(r));
    await g.mountRoot(roots[0]!);
    const content = await g.cat(file);
    const { loopDevices, mounts } = await findLeftovers(options.tmpDir);
    view = {
      mode: g.mode,
      note: g.metrics().mode?.note,
      logs,
      os,
      filesystems: g.listFilesystems(),
      mountpoints: g.mountpoints(),
      content,
      hostSaw: { loopDevices, mounts },
    };
  } finally {
    await g.close();
  }
  // After close: a long-running command (QEMU) is traced when it ends.
  return { ...view, hostPrograms: [...new Set(traces.filter((t) => !t.inVm).map(program))].sort() };
}

/** What a host must never run for a session in VM mode: its images and filesystems stay in the VM. */
export const HOST_TOUCHING = ['losetup', 'mount', 'umount', 'partx', 'addpart', 'blkid', 'qemu-storage-daemon', 'qemu-nbd', 'lvm', 'cryptsetup', 'mdadm', 'ntfs-3g', 'sfdisk'];

/** The NTFS Windows volume of the Windows tests, as a vhdx in `dir` (readable by every user). */
export async function windowsVhdx(dir: string): Promise<string> {
  const raw = path.join(dir, 'windows.raw');
  const vhdx = path.join(dir, 'windows.vhdx');
  await buildWindowsImage(dir, raw);
  await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'vhdx', raw, vhdx]);
  await rm(raw);
  await rm(path.join(dir, 'tree'), { recursive: true, force: true });
  await chmod(vhdx, 0o644);
  return vhdx;
}

/** A file of the Windows volume to read. */
export const WINDOWS_FILE = '/Windows/System32/config/BROKEN';
