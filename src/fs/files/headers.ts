/** Architecture of an ELF or PE binary from its first bytes, with libguestfs' names (`file_architecture`). */
import { elfArch } from '../elf.js';

/** PE/COFF `Machine` values. */
const PE_MACHINES: Record<number, string> = {
  0x014c: 'i386',
  0x8664: 'x86_64',
  0xaa64: 'aarch64',
  0x01c0: 'arm',
  0x01c4: 'arm',
  0x0200: 'ia64',
  0x5064: 'riscv64',
};

/**
 * A PE file's architecture: `MZ` at 0, the PE header's offset at 0x3c,
 * `PE\0\0` there and the machine right after it; undefined otherwise.
 */
export function peArch(bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 0x40 || buf.toString('latin1', 0, 2) !== 'MZ') return undefined;
  const pe = buf.readUInt32LE(0x3c);
  if (pe + 6 > buf.length || buf.toString('latin1', pe, pe + 4) !== 'PE\0\0') return undefined;
  return PE_MACHINES[buf.readUInt16LE(pe + 4)];
}

/** The architecture of an ELF or PE binary from its first bytes (the PE header must lie within them). */
export function elfOrPeArchitecture(bytes: Uint8Array): string | undefined {
  return elfArch(bytes) ?? peArch(bytes);
}
