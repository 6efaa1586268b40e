/** Architecture of an ELF binary from its header, with libguestfs' names. */

const MACHINES: Record<number, (is64: boolean, little: boolean) => string> = {
  0x02: (is64) => (is64 ? 'sparc64' : 'sparc'),
  0x2b: () => 'sparc64',
  0x03: () => 'i386',
  0x06: () => 'i386',
  0x08: (is64, little) => (is64 ? 'mips64' : 'mips') + (little ? 'el' : ''),
  0x14: () => 'ppc',
  0x15: (_is64, little) => (little ? 'ppc64le' : 'ppc64'),
  0x16: (is64) => (is64 ? 's390x' : 's390'),
  0x28: () => 'arm',
  0x32: () => 'ia64',
  0x3e: () => 'x86_64',
  0xb7: () => 'aarch64',
  0xf3: (is64) => (is64 ? 'riscv64' : 'riscv32'),
  0x102: () => 'loongarch64',
};

/**
 * Reads the architecture from the first 20 bytes of an ELF file
 * (`\x7fELF`, EI_CLASS at 4, EI_DATA at 5, e_machine at 18), or undefined
 * when the bytes are not an ELF header of a known machine.
 */
export function elfArch(header: Uint8Array): string | undefined {
  const buf = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  if (buf.length < 20 || buf.toString('latin1', 0, 4) !== '\x7fELF') return undefined;
  const is64 = buf[4] === 2;
  const little = buf[5] === 1;
  const machine = little ? buf.readUInt16LE(18) : buf.readUInt16BE(18);
  return MACHINES[machine]?.(is64, little);
}
