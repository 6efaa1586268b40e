import { describe, expect, it } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import { cliMessage, withCode } from '../../../src/cli/hints.js';

describe('CLI messages', () => {
  it('name the CLI flag where the library names an option', () => {
    expect(cliMessage(new VmcraftError('EEXIST', 'out.qcow2 exists (pass overwrite: true to replace it)'))).toBe('out.qcow2 exists (pass --overwrite to replace it)');
    expect(cliMessage(new VmcraftError('ENOENT', 'pass overwrite: true to replace it'))).toBe('pass overwrite: true to replace it');
  });

  it('print the code once, even before a message that starts with it', () => {
    expect(withCode('ENOENT', "ENOENT: no such file or directory, open '/x'")).toBe("ENOENT: no such file or directory, open '/x'");
    expect(withCode('EBUSY', 'disk.raw is in use')).toBe('EBUSY: disk.raw is in use');
  });
});
