/** LUKS passphrases kept out of plans: a key file, one passphrase a line, read when a VM runs. */
import { readFile } from 'node:fs/promises';
import { fromFsError } from '../core/errors.js';
import type { VmPlan } from './types.js';

/** Passphrases from text, one a line (a trailing CR is dropped, empty lines skipped). */
export function keysFromText(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
}

/** The VM's plan with the passphrases of its key file added to its keys (the plan itself when it names none). */
export async function withKeyFile(vm: VmPlan): Promise<VmPlan> {
  if (!vm.keyFile) return vm;
  const text = await readFile(vm.keyFile, 'utf8').catch((err: unknown) => {
    throw fromFsError(err, vm.keyFile!, `${vm.name}: cannot read the key file`);
  });
  return { ...vm, keys: [...vm.keys, ...keysFromText(text)] };
}
