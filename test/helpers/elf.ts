/** Fake ELF headers: what a guest binary's first bytes say of its architecture. */

/** ELF e_machine values of the architectures the tests plant. */
export const EM = { i386: 0x03, s390: 0x16, ppc64: 0x15, x86_64: 0x3e, aarch64: 0xb7, riscv: 0xf3 } as const;

/**
 * A 64-byte ELF header: `\x7fELF`, EI_CLASS (1 = 32-bit, 2 = 64-bit) at 4,
 * EI_DATA (1 = little, 2 = big endian) at 5, EI_VERSION 1, e_type EXEC at 16,
 * e_machine at 18 and e_version at 20 in the header's byte order.
 */
export function elfHeader(machine: number, bits: 32 | 64, endian: 'le' | 'be'): Buffer {
  const h = Buffer.alloc(64);
  h.write('\x7fELF', 0, 'latin1');
  h[4] = bits === 64 ? 2 : 1;
  h[5] = endian === 'le' ? 1 : 2;
  h[6] = 1;
  const u16 = (v: number, at: number) => (endian === 'le' ? h.writeUInt16LE(v, at) : h.writeUInt16BE(v, at));
  u16(2, 16);
  u16(machine, 18);
  if (endian === 'le') h.writeUInt32LE(1, 20);
  else h.writeUInt32BE(1, 20);
  return h;
}
