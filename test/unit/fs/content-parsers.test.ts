/** The pure parsers of the content calls: binary headers (on real binaries and crafted ones) and getfattr's output. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { elfOrPeArchitecture, peArch } from '../../../src/fs/files/headers.js';
import { parseGetfattr } from '../../../src/fs/files/xattrs.js';

const head = async (file: string) => (await readFile(file)).subarray(0, 64 * 1024);

describe('elfOrPeArchitecture', () => {
  it('reads real binaries: an ELF program and the EFI-stub kernel (a PE file)', async () => {
    expect(elfOrPeArchitecture(await head('/bin/ls'))).toBe('x86_64');
    const kernel = (await readdir('/boot')).find((name) => name.startsWith('vmlinuz-'))!;
    const bytes = await head(path.join('/boot', kernel));
    expect(peArch(bytes)).toBe('x86_64');
    expect(elfOrPeArchitecture(bytes)).toBe('x86_64');
  });

  it('reads the PE machine of each architecture', () => {
    const pe = (machine: number) => {
      const b = Buffer.alloc(0x100);
      b.write('MZ', 0, 'latin1');
      b.writeUInt32LE(0x80, 0x3c);
      b.write('PE\0\0', 0x80, 'latin1');
      b.writeUInt16LE(machine, 0x84);
      return b;
    };
    expect([0x14c, 0x8664, 0xaa64, 0x1c4].map((m) => peArch(pe(m)))).toEqual(['i386', 'x86_64', 'aarch64', 'arm']);
    expect(peArch(pe(0x1234))).toBeUndefined();
  });

  it('answers undefined for text, truncated headers and a PE offset past the bytes', () => {
    expect(elfOrPeArchitecture(Buffer.from('#!/bin/sh\necho hi\n'))).toBeUndefined();
    expect(elfOrPeArchitecture(Buffer.from('\x7fELF', 'latin1'))).toBeUndefined();
    const far = Buffer.alloc(0x40);
    far.write('MZ', 0, 'latin1');
    far.writeUInt32LE(0xffffffff, 0x3c);
    expect(peArch(far)).toBeUndefined();
    expect(peArch(Buffer.from('MZ'))).toBeUndefined();
  });
});

describe('parseGetfattr', () => {
  it('parses getfattr -d -m - -e hex output (captured from getfattr 2.5)', () => {
    const out = '# file: /tmp/tmp.3QXkFRVEPS\ntrusted.b=0x00ff\nuser.a=0x68656c6c6f\nuser.empty=0x\n\n';
    expect(parseGetfattr(out)).toEqual([
      { attrname: 'trusted.b', attrval: Buffer.from([0, 0xff]) },
      { attrname: 'user.a', attrval: Buffer.from('hello') },
      { attrname: 'user.empty', attrval: Buffer.alloc(0) },
    ]);
    expect(parseGetfattr('')).toEqual([]);
  });
});
