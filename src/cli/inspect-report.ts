/**
 * What `vmcraft inspect` reports about each root: inspection's facts plus the
 * installed applications (each root mounted read-only while they are read,
 * as libguestfs' inspect_list_applications2 wants, then unmounted).
 */
import { isVmcraftError } from '../core/errors.js';
import type { GuestFS } from '../guestfs.js';
import type { Application, OsInfo } from '../inspect/types.js';
import { io } from './output.js';

/** What blkid tells of one of a root's filesystems (libguestfs' vfs_type, vfs_label, vfs_uuid; `''` when none). */
export interface FilesystemReport {
  device: string;
  type: string;
  label: string;
  uuid: string;
}

/**
 * One root's report: its filesystems' type, label and uuid (virt-inspector
 * prints them), and an application list or why there is none (a damaged
 * database, an unmountable filesystem).
 */
export type RootReport = OsInfo & { filesystemDetails: FilesystemReport[]; icon?: string } & ({ applications: Application[] } | { applicationsError: string });

/** Inspects the session's disks and lists each root's applications; with `icon`, also its OS icon (base64 PNG, when it has one). */
export async function inspectReport(g: GuestFS, options: { icon?: boolean } = {}): Promise<RootReport[]> {
  const reports: RootReport[] = [];
  for (const root of await g.inspectOs()) {
    const os = g.inspectOsInfo(root);
    const info = { ...os, filesystemDetails: filesystemDetails(g, os.filesystems) };
    try {
      await g.mountRoot(root, { readonly: true });
      const applications = await g.inspectListApplications2(root);
      // As virt-inspector: no favicon (some distributions ship a poor 16x16 one).
      const icon = options.icon ? await g.inspectGetIcon(root, { favicon: false }) : undefined;
      reports.push({ ...info, applications, ...(icon?.length ? { icon: icon.toString('base64') } : {}) });
    } catch (err) {
      // A hostile or broken package database must not hide the rest of the report.
      if (!isVmcraftError(err)) throw err;
      reports.push({ ...info, applicationsError: `${err.code}: ${err.message}` });
    } finally {
      await g.umountAll();
    }
  }
  return reports;
}

function filesystemDetails(g: GuestFS, devices: string[]): FilesystemReport[] {
  return devices.map((device) => ({ device, type: g.vfsType(device), label: g.vfsLabel(device), uuid: g.vfsUuid(device) }));
}

/** `name [epoch:]version[-release] (arch)`; the display name on Windows. */
function applicationLine(app: Application): string {
  const version = `${app.epoch ? `${app.epoch}:` : ''}${app.version}${app.release ? `-${app.release}` : ''}`;
  return [app.displayName || app.name, version, app.arch && `(${app.arch})`].filter(Boolean).join(' ');
}

/** The human form of the report. */
export function printReport(reports: RootReport[]): void {
  if (reports.length === 0) io.out('no operating system found');
  for (const os of reports) {
    io.out(`${os.root}: ${os.prettyName ?? os.productName}`);
    io.out(`  type ${os.type}, distro ${os.distro} ${os.majorVersion}.${os.minorVersion}, arch ${os.arch}, osinfo ${os.osinfo}`);
    io.out(`  hostname ${os.hostname}, packages ${os.packageFormat} (${os.packageManagement})`);
    for (const m of os.mountpoints) io.out(`  ${m.mountpoint.padEnd(12)} ${m.device}`);
    for (const fs of os.filesystemDetails) io.out(`  filesystem ${[fs.device, fs.type && `type ${fs.type}`, fs.label && `label ${fs.label}`, fs.uuid && `uuid ${fs.uuid}`].filter(Boolean).join(', ')}`);
    if ('applicationsError' in os) io.out(`  applications not listed: ${os.applicationsError}`);
    else {
      io.out(`  ${os.applications.length} application${os.applications.length === 1 ? '' : 's'}${os.applications.length ? ':' : ''}`);
      for (const app of os.applications) io.out(`    ${applicationLine(app)}`);
    }
  }
}
