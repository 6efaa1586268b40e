/**
 * The few facts of a regf file that hivex's command-line tools do not print:
 * the name of the root key (hivexregedit shows the root as `\`).
 */
import { VmcraftError } from '../core/errors.js';

/** Size of the base block; cell offsets count from its end (the first hbin). */
export const BASE_BLOCK = 0x1000;
/** nk flag: the name is stored as ASCII (Latin-1), not UTF-16LE. */
export const KEY_COMP_NAME = 0x20;
/** Bytes of an nk cell before its name: cell size, signature, fixed fields. */
const NK_NAME = 4 + 0x4c;

function notAHive(shownName: string, why: string): VmcraftError {
  return new VmcraftError('EREGISTRY', `${shownName} is not a registry hive (or it is corrupt): ${why}`);
}

/** Where the root key's cell starts (file offset), from the base block. */
export function rootCellOffset(baseBlock: Buffer, shownName = 'the file'): number {
  if (baseBlock.length < BASE_BLOCK || baseBlock.toString('latin1', 0, 4) !== 'regf') throw notAHive(shownName, 'no regf signature');
  return BASE_BLOCK + baseBlock.readUInt32LE(0x24);
}

/**
 * The name of a key from the bytes of its nk cell (from the cell's size field on):
 * `ROOT`, `CMI-CreateHive{…}`, `CsiTool-CreateHive-{…}`…
 *
 * @throws VmcraftError `EREGISTRY` when the bytes are not an nk cell or are truncated.
 */
export function nkName(cell: Buffer, shownName = 'the file'): string {
  if (cell.length < NK_NAME || cell.toString('latin1', 4, 6) !== 'nk') throw notAHive(shownName, 'the root cell is not a key');
  const flags = cell.readUInt16LE(6);
  const length = cell.readUInt16LE(4 + 0x48);
  if (NK_NAME + length > cell.length) throw notAHive(shownName, 'the root key name lies past the end of the file');
  return cell.toString(flags & KEY_COMP_NAME ? 'latin1' : 'utf16le', NK_NAME, NK_NAME + length);
}
