/**
 * The messages between a VM-mode session and the agent in its VM: one JSON
 * document per line, bytes as base64, dates as numbers, `undefined` kept in
 * argument lists. Both ends run this code (the agent is built from it).
 */
import type { Readable, Writable } from 'node:stream';
import { VmcraftError, type VmcraftErrorCode } from '../core/errors.js';
import type { MountEntry } from '../api/mount-table.js';
import type { BlockDevice } from '../storage/types.js';
import type { OsInfo } from '../inspect/types.js';

/** A drive as the agent opens it: the VM disk with this serial, named as the session names it. */
export interface AgentDrive {
  serial: string;
  readonly: boolean;
}

/** What the host sends. */
export type HostMessage =
  | { t: 'launch'; id: number; drives: AgentDrive[]; options: { readonly: boolean; keys: { device?: string; key: string }[]; commandTimeoutMs: number } }
  | { t: 'call'; id: number; name: string; args: unknown[] }
  | { t: 'abort'; id: number }
  | { t: 'close'; id: number };

/** The session state the host mirrors, for the calls that answer from it without a round trip. */
export interface MirroredState {
  devices: BlockDevice[];
  roots: [string, OsInfo][];
  mounts: MountEntry[];
}

/** An error as it crosses the channel. */
export interface WireError {
  code?: VmcraftErrorCode;
  message: string;
  path?: string;
  command?: VmcraftError['command'];
  feature?: string;
}

/** What the agent sends. */
export type AgentMessage =
  | { t: 'hello'; node: string }
  | { t: 'event'; event: 'trace' | 'log' | 'progress' | 'phase'; data: unknown }
  | { t: 'done'; id: number; value?: unknown; error?: WireError; state?: MirroredState };

/** Longest line either end accepts (a `read()` of a large file travels as one line); below V8's longest string. */
export const MAX_LINE = 256 * 1024 * 1024;

/** One message as a line. */
export function encodeMessage(message: HostMessage | AgentMessage): string {
  return `${JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
    if (raw instanceof Date) return { $date: raw.getTime() };
    if (raw === undefined && Array.isArray(this)) return { $undefined: 1 };
    if (typeof AbortSignal !== 'undefined' && raw instanceof AbortSignal) return { $signal: 1 };
    return value;
  })}\n`;
}

/** A line as a message; `signal` stands in for an AbortSignal the sender passed. */
export function decodeMessage(line: string, signal?: AbortSignal): HostMessage | AgentMessage {
  return JSON.parse(line, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const tagged = value as Record<string, unknown>;
    const keys = Object.keys(tagged);
    if (keys.length !== 1) return value;
    if (typeof tagged.$bytes === 'string') return Buffer.from(tagged.$bytes, 'base64');
    if (typeof tagged.$date === 'number') return new Date(tagged.$date);
    if (tagged.$undefined === 1) return undefined;
    if (tagged.$signal === 1) return signal ?? new AbortController().signal;
    return value;
  }) as HostMessage | AgentMessage;
}

/** An error for the wire: its code, message, path and failed command. */
export function toWire(err: unknown): WireError {
  if (err instanceof VmcraftError) {
    return { code: err.code, message: err.message, ...(err.path !== undefined ? { path: err.path } : {}), ...(err.command ? { command: err.command } : {}), ...(err.feature ? { feature: err.feature } : {}) };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

/** The error the caller sees for a wire error: the same code, message, path and command. */
export function fromWire(wire: WireError): Error {
  if (!wire.code) return new Error(wire.message);
  return new VmcraftError(wire.code, wire.message, { ...(wire.path !== undefined ? { path: wire.path } : {}), ...(wire.command ? { command: wire.command } : {}), ...(wire.feature ? { feature: wire.feature } : {}) });
}

/**
 * Reads lines from `input` and hands each to `onLine`; a line over
 * {@link MAX_LINE} bytes, or an `onLine` that throws (a line that is not a
 * message), ends the reading with `onError` (the peer broke the protocol).
 */
export function readMessages(input: Readable, onLine: (line: string) => void, onError: (err: Error) => void): void {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  const fail = (err: Error): void => {
    onError(err);
    input.destroy();
  };
  input.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      if (pendingLength + nl - start > MAX_LINE) return fail(new Error(`a message longer than ${MAX_LINE} bytes`));
      const line = Buffer.concat([...pending, chunk.subarray(start, nl)]).toString('utf8');
      pending = [];
      pendingLength = 0;
      start = nl + 1;
      try {
        onLine(line);
      } catch (err) {
        return fail(err as Error);
      }
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingLength += chunk.length - start;
      if (pendingLength > MAX_LINE) fail(new Error(`a message longer than ${MAX_LINE} bytes`));
    }
  });
}

/** Writes one message, waiting when the channel is full. */
export async function writeMessage(output: Writable, message: HostMessage | AgentMessage): Promise<void> {
  if (!output.write(encodeMessage(message))) await new Promise<void>((resolve) => output.once('drain', resolve));
}
