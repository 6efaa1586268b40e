/** The /etc/crypttab parser (src/inspect/parsers/crypttab.ts). */
import { describe, expect, it } from 'vitest';
import { parseCrypttab } from '../../../../src/inspect/parsers/crypttab.js';

describe('parseCrypttab', () => {
  it('reads Debian installer entries, comments and missing fields', () => {
    expect(parseCrypttab('# <target name> <source device> <key file> <options>\nsda5_crypt UUID=6f0f none luks,discard\nswap /dev/sda6 /dev/urandom swap,cipher=aes-xts-plain64\nshort /dev/sdb\n\n')).toEqual([
      { name: 'sda5_crypt', source: 'UUID=6f0f', keyFile: 'none', options: ['luks', 'discard'] },
      { name: 'swap', source: '/dev/sda6', keyFile: '/dev/urandom', options: ['swap', 'cipher=aes-xts-plain64'] },
      { name: 'short', source: '/dev/sdb', keyFile: 'none', options: [] },
    ]);
  });
});
