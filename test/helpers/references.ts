/**
 * Hostile image references for tests: a canary host file with unique bytes, a
 * listening socket that counts connections, and images whose headers or
 * descriptors point at them (backing files, vmdk extents and parents, qcow2
 * data files).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { sha256File } from '../../src/core/hash.js';

/** A host file the images must never show, copy or change. */
export interface Canary {
  /** Raw file of 1 MiB filled with {@link Canary.marker}. */
  path: string;
  /** Bytes found nowhere else. */
  marker: string;
  sha256: string;
}

/** Creates `dir/canary.raw`, 1 MiB of a marker made of random hex. */
export async function makeCanary(dir: string): Promise<Canary> {
  await mkdir(dir, { recursive: true });
  const marker = `VMCRAFT-CANARY-${randomBytes(12).toString('hex')}\n`;
  const file = path.join(dir, 'canary.raw');
  await writeFile(file, marker.repeat(Math.ceil(2 ** 20 / marker.length)).slice(0, 2 ** 20));
  return { path: file, marker: marker.trim(), sha256: await sha256File(file) };
}

/** Whether `bytes` hold the canary's marker. */
export function showsCanary(bytes: Buffer, canary: Canary): boolean {
  return bytes.includes(canary.marker);
}

/** Reads up to `limit` bytes of a file or block device. */
export async function readHead(file: string, limit = 4 * 2 ** 20): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buf, 0, limit, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A TCP listener on 127.0.0.1 that counts the connections it gets. */
export interface Listener {
  port: number;
  /** The connections since the last call. */
  takeConnections: () => number;
  close: () => Promise<void>;
}

/** Listens on an ephemeral port of 127.0.0.1; every connection is counted and dropped. */
export async function listen(): Promise<Listener> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    takeConnections: () => {
      const taken = count;
      count = 0;
      return taken;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A qcow2 (or qed) whose header names `backing` (written as is, never opened),
 * with `backingFormat` when given; without one, qemu would probe the backing
 * file's format (qemu-img no longer writes such images: the format extension
 * is renamed to an unknown one, which qemu skips).
 */
export async function backedImage(file: string, backing: string, backingFormat?: string, format: 'qcow2' | 'qed' = 'qcow2', size = '1M'): Promise<string> {
  await execa('qemu-img', ['create', '-q', '-f', format, '-u', '-b', backing, '-F', backingFormat ?? 'raw', file, size]);
  if (backingFormat) return file;
  if (format === 'qed') {
    // QED_F_BACKING_FORMAT_NO_PROBE (4) is what records "raw".
    await patch(file, (b) => b.writeBigUInt64LE(b.readBigUInt64LE(16) & ~4n, 16));
    return file;
  }
  await patch(file, (b) => {
    for (let at = b.readUInt32BE(100); b.readUInt32BE(at) !== 0; at += 8 + Math.ceil(b.readUInt32BE(at + 4) / 8) * 8) {
      if (b.readUInt32BE(at) === 0xe2792aca) b.writeUInt32BE(0x0bad0bad, at);
    }
  });
  return file;
}

/** Rewrites the first 64 KiB of a file in place. */
async function patch(file: string, change: (head: Buffer) => void): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const head = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    change(head);
    await handle.write(head, 0, bytesRead, 0);
  } finally {
    await handle.close();
  }
}

/** A qcow2 whose external data file is `dataFile` (the name is set with amend, so that file is never created or written). */
export async function dataFileImage(file: string, dataFile: string): Promise<string> {
  const scratch = `${file}.data`;
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', `data_file=${scratch},data_file_raw=on`, file, '1M']);
  await execa('qemu-img', ['amend', '-q', '-f', 'qcow2', '-o', `data_file=${dataFile}`, file]);
  return file;
}

/** A vmdk text descriptor whose extent lines are `extents` (e.g. `RW 2048 FLAT "x" 0`). */
export async function vmdkDescriptor(file: string, extents: string[], extra: string[] = []): Promise<string> {
  await writeFile(file, ['# Disk DescriptorFile', 'version=1', 'CID=12345678', 'parentCID=ffffffff', 'createType="monolithicFlat"', ...extra, '', ...extents, '', 'ddb.adapterType = "ide"', ''].join('\n'));
  return file;
}
