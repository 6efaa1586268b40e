/**
 * The VM channel's wire format (src/vm/protocol.ts): what survives a round
 * trip through encodeMessage/decodeMessage, errors through toWire/fromWire,
 * and how readMessages cuts a byte stream into lines.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import { MAX_LINE, decodeMessage, encodeMessage, fromWire, readMessages, toWire, type HostMessage } from '../../../src/vm/protocol.js';

/** A call message with `args`, through the wire and back; its decoded args. */
function roundTrip(args: unknown[], signal?: AbortSignal): unknown[] {
  const line = encodeMessage({ t: 'call', id: 7, name: 'x', args });
  expect(line.endsWith('\n')).toBe(true);
  expect(line.slice(0, -1)).not.toContain('\n');
  const message = decodeMessage(line.slice(0, -1), signal) as Extract<HostMessage, { t: 'call' }>;
  expect(message).toMatchObject({ t: 'call', id: 7, name: 'x' });
  return message.args;
}

describe('encodeMessage / decodeMessage', () => {
  it('brings bytes back as a Buffer, from a Buffer or a Uint8Array (a view into a larger buffer too)', () => {
    const backing = new Uint8Array([9, 9, 0, 1, 2, 255, 9]);
    const view = backing.subarray(2, 6);
    const [buf, u8, empty] = roundTrip([Buffer.from('héllo\0\n'), view, new Uint8Array(0)]);
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect((buf as Buffer).toString('utf8')).toBe('héllo\0\n');
    expect(Buffer.isBuffer(u8)).toBe(true);
    expect([...(u8 as Buffer)]).toEqual([0, 1, 2, 255]);
    expect(Buffer.isBuffer(empty)).toBe(true);
    expect((empty as Buffer).length).toBe(0);
  });

  it('brings a Date back as a Date of the same instant', () => {
    const when = new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789));
    const [date] = roundTrip([when]);
    expect(date).toBeInstanceOf(Date);
    expect((date as Date).getTime()).toBe(when.getTime());
  });

  it('keeps `undefined` in its place in an argument list', () => {
    const args = roundTrip(['/a', undefined, 3, undefined]);
    expect(args.length).toBe(4);
    expect(args[0]).toBe('/a');
    expect(args[1]).toBeUndefined();
    expect(args[2]).toBe(3);
    expect(args[3]).toBeUndefined();
  });

  it('turns an AbortSignal into the signal given to decodeMessage', () => {
    const sent = new AbortController().signal;
    const receiving = new AbortController();
    const [path, options] = roundTrip(['/f', { signal: sent, recursive: true }], receiving.signal);
    expect(path).toBe('/f');
    expect((options as { signal: AbortSignal }).signal).toBe(receiving.signal);
    expect((options as { recursive: boolean }).recursive).toBe(true);
    // Without one, a fresh (not aborted) signal stands in.
    const [, fallback] = roundTrip(['/f', { signal: sent }]);
    expect((fallback as { signal: unknown }).signal).toBeInstanceOf(AbortSignal);
    expect((fallback as { signal: AbortSignal }).signal.aborted).toBe(false);
  });

  it('keeps nested objects, with bytes and dates deep inside', () => {
    const value = { a: { b: [1, { c: Buffer.from([1, 2]), d: new Date(5) }], e: null, f: 'x' } };
    const [back] = roundTrip([value]);
    expect(back).toEqual({ a: { b: [1, { c: Buffer.from([1, 2]), d: new Date(5) }], e: null, f: 'x' } });
    const c = (back as { a: { b: [number, { c: unknown }] } }).a.b[1].c;
    expect(Buffer.isBuffer(c)).toBe(true);
  });

  it('leaves a user object that only looks tagged (a second key) an object', () => {
    const [bytesLike, dateLike, undefinedLike, signalLike] = roundTrip([
      { $bytes: 'AAEC', other: 1 },
      { $date: 5, more: true },
      { $undefined: 1, x: 2 },
      { $signal: 1, y: 3 },
    ]);
    expect(bytesLike).toEqual({ $bytes: 'AAEC', other: 1 });
    expect(Buffer.isBuffer(bytesLike)).toBe(false);
    expect(dateLike).toEqual({ $date: 5, more: true });
    expect(undefinedLike).toEqual({ $undefined: 1, x: 2 });
    expect(signalLike).toEqual({ $signal: 1, y: 3 });
  });

  it('carries agent messages (done with a value and state) as they were', () => {
    const done = { t: 'done' as const, id: 3, value: { size: 12, data: Buffer.from('abc') }, state: { devices: [], roots: [], mounts: [] } };
    const back = decodeMessage(encodeMessage(done));
    expect(back).toEqual(done);
  });
});

describe('toWire / fromWire', () => {
  it('keeps the code, message, path, failed command and feature of a VmcraftError', () => {
    const command = { command: 'lvm vgchange -ay', argv: ['lvm', 'vgchange', '-ay'], exitCode: 5, stderr: 'no dm', durationMs: 12 };
    const err = new VmcraftError('EUNSUPPORTED', '/dev/sda is an LVM physical volume: needs device-mapper', { path: '/dev/sda', command, feature: 'device-mapper' });
    const wire = toWire(err);
    // It crosses the channel as JSON.
    const back = fromWire(JSON.parse(JSON.stringify(wire)));
    expect(back).toBeInstanceOf(VmcraftError);
    expect(back).toMatchObject({ code: 'EUNSUPPORTED', message: err.message, path: '/dev/sda', command, feature: 'device-mapper' });
  });

  it('keeps an empty path, and leaves out what the error did not have', () => {
    const wire = toWire(new VmcraftError('ENOENT', 'no such file', { path: '' }));
    expect(wire).toEqual({ code: 'ENOENT', message: 'no such file', path: '' });
    const back = fromWire(wire) as VmcraftError;
    expect(back.path).toBe('');
    expect(back.command).toBeUndefined();
    expect(back.feature).toBeUndefined();
  });

  it('sends other errors as a message only, and brings them back as a plain Error', () => {
    expect(toWire(new TypeError('bad thing'))).toEqual({ message: 'bad thing' });
    expect(toWire('a string')).toEqual({ message: 'a string' });
    const back = fromWire({ message: 'bad thing' });
    expect(back).not.toBeInstanceOf(VmcraftError);
    expect(back).toBeInstanceOf(Error);
    expect(back.message).toBe('bad thing');
  });
});

/** Feeds `chunks` to readMessages through a PassThrough; the lines and errors it reported. */
async function read(chunks: Buffer[], onMessage?: (line: string) => void): Promise<{ lines: string[]; errors: Error[]; destroyed: boolean }> {
  const input = new PassThrough();
  const lines: string[] = [];
  const errors: Error[] = [];
  readMessages(input, (line) => {
    lines.push(line);
    onMessage?.(line);
  }, (err) => errors.push(err));
  for (const chunk of chunks) {
    if (input.destroyed) break;
    input.write(chunk);
    // Each chunk its own 'data' event.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { lines, errors, destroyed: input.destroyed };
}

describe('readMessages', () => {
  it('joins lines cut across chunks, mid-line and mid multi-byte UTF-8 character', async () => {
    const text = `${encodeMessage({ t: 'hello', node: 'v20 ✓ é 𝄞' })}${encodeMessage({ t: 'event', event: 'log', data: { message: 'naïve ☃' } })}${encodeMessage({ t: 'done', id: 1 })}`;
    const bytes = Buffer.from(text, 'utf8');
    // Cut inside the 4-byte 𝄞, inside the 3-byte ☃, and right after a newline.
    const clef = bytes.indexOf(Buffer.from('𝄞')) + 2;
    const snowman = bytes.indexOf(Buffer.from('☃')) + 1;
    const afterFirst = bytes.indexOf(10) + 1;
    const cuts = [5, clef, afterFirst, snowman, bytes.length - 3];
    expect([...cuts].sort((a, b) => a - b)).toEqual([5, clef, afterFirst, snowman, bytes.length - 3]);
    const chunks = [0, ...cuts].map((at, i, all) => bytes.subarray(at, all[i + 1] ?? bytes.length));
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    const { lines, errors } = await read(chunks);
    expect(errors).toEqual([]);
    expect(lines).toEqual(text.split('\n').slice(0, -1));
    expect(decodeMessage(lines[0]!)).toEqual({ t: 'hello', node: 'v20 ✓ é 𝄞' });
    expect(decodeMessage(lines[1]!)).toEqual({ t: 'event', event: 'log', data: { message: 'naïve ☃' } });
  });

  it('gives one byte at a time the same lines, and several lines in one chunk each their own', async () => {
    const text = 'first ☃\nsecond\n\nthird';
    const bytes = Buffer.from(text);
    const oneByOne = await read([...bytes].map((b) => Buffer.from([b])));
    expect(oneByOne.lines).toEqual(['first ☃', 'second', '']);
    const together = await read([bytes, Buffer.from('\n')]);
    expect(together.lines).toEqual(['first ☃', 'second', '', 'third']);
  });

  it('ends the reading with onError when a message handler throws (a line that is not JSON)', async () => {
    const { lines, errors, destroyed } = await read([Buffer.from('not json\n{"t":"done","id":1}\n')], (line) => void decodeMessage(line));
    expect(lines).toEqual(['not json']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SyntaxError);
    expect(destroyed).toBe(true);
  });

  it(`accepts a pending line of exactly MAX_LINE (${MAX_LINE}) bytes and ends with onError one byte past it`, async () => {
    // The real limit, without allocating it: the same 64 MiB chunk (no newline) given again and again —
    // readMessages keeps views of the chunks it is given, so this costs 64 MiB, not 512.
    const piece = Buffer.alloc(64 * 1024 * 1024, 0x61);
    expect(MAX_LINE % piece.length).toBe(0);
    const input = new PassThrough();
    const errors: Error[] = [];
    const lines: string[] = [];
    readMessages(input, (line) => lines.push(line), (err) => errors.push(err));
    for (let sent = 0; sent < MAX_LINE; sent += piece.length) {
      input.write(piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(errors).toEqual([]);
    expect(input.destroyed).toBe(false);
    input.write(Buffer.from('a'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe(`a message longer than ${MAX_LINE} bytes`);
    expect(input.destroyed).toBe(true);
    expect(lines).toEqual([]);
  }, 60_000);
});
