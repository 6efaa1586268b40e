/** The LUKS calls that change headers and close mappings (luksOpen is with the device calls). */
import { VmcraftError } from '../../core/errors.js';
import { probeDevice } from '../../storage/blkid.js';
import { luksAddKey, luksFormat, luksKillSlot, luksUuid } from '../../storage/luks-admin.js';
import { luksTeardownLabel } from '../../storage/luks.js';
import type { BlockDevice } from '../../storage/types.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';

const v = '0.2.0';

function luksDevice(g: Guest, name: string): BlockDevice {
  const d = g.device(name);
  if (d.probe.type !== 'crypto_LUKS') throw new VmcraftError('EINVAL', `${name} is not a LUKS device`);
  return d;
}

/** EINVAL while devices found on `name` (`which` of them) are in the session: they would be cut from under. */
function refuseInUse(g: Guest, name: string, which: (d: BlockDevice) => boolean = () => true): void {
  const users = g.devices.filter((u) => u.parent === name && which(u));
  if (users.length > 0) throw new VmcraftError('EINVAL', `${name} is in use by ${users.map((u) => u.name).join(', ')}: close those first`);
}

/** Formats a device as LUKS and updates what the session knows of it. */
async function format(g: Guest, name: string, key: string, keyslot: number, cipher?: string): Promise<void> {
  const d = g.device(name);
  // Partitions are only nodes of the disk; LVs, arrays and LUKS mappings on it are in use.
  refuseInUse(g, name, (u) => u.kind !== 'partition');
  await luksFormat(g.runner, name, d.hostPath, key, keyslot, cipher);
  d.probe = await probeDevice(d.hostPath, g.runner);
}

/** Closes a mapping luksOpen (or launch) opened, through its entry on the cleanup stack. */
async function close(g: Guest, name: string): Promise<void> {
  const d = g.device(name);
  if (d.kind !== 'crypt') throw new VmcraftError('EINVAL', `${name} is not an open LUKS mapping (/dev/mapper/NAME)`);
  refuseInUse(g, name);
  const mapName = d.hostPath.slice('/dev/mapper/'.length);
  const entry = g.cleanup.find(luksTeardownLabel(mapName));
  if (entry) await g.cleanup.releaseOne(entry);
  else await g.runner.run('cryptsetup', ['close', mapName]);
  g.devices = g.devices.filter((u) => u !== d);
}

const device = a.device('device');
const key = a.secret('key', { doc: 'a key (passphrase) of the device' });
const keyslot = a.int('keyslot', { doc: 'key slot, 0-7 (LUKS1) or 0-31 (LUKS2)' });
const keys = [
  'Keys go to cryptsetup on its standard input (a new key through a mode-0600 file in the session\'s private directory, removed at once),',
  'never in an argument, and are never shown in traces or errors; `EBADKEY` when `key` opens no slot. Needs no device-mapper unless the',
  "kernel's crypto API lacks the cipher (`EUNSUPPORTED` then, on a host without it).",
].join(' ');

/** The calls of this module, in table order. */
export const LUKS_CALLS = [
  defineCall({
    name: 'luksFormat', libguestfs: 'luks_format', group: 'luks', since: v, writes: true,
    summary: 'format a block device as a luks encrypted device',
    doc: `Erases \`device\` and makes it a LUKS device (cryptsetup's default version, LUKS2) with \`key\` in \`keyslot\`; open it with {@link GuestFS.luksOpen}. ${keys}`,
    args: [device, key, keyslot], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, k, slot) => format(g, name, k, slot),
  }),
  defineCall({
    name: 'luksFormatCipher', libguestfs: 'luks_format_cipher', group: 'luks', since: v, writes: true,
    summary: 'format a block device as a luks encrypted device with a cipher',
    doc: `As {@link GuestFS.luksFormat}, with \`cipher\` (\`aes-xts-plain64\`, \`serpent-xts-plain64\`…). ${keys}`,
    args: [device, key, keyslot, a.string('cipher', { doc: 'cryptsetup cipher specification' })], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, k, slot, cipher) => format(g, name, k, slot, cipher),
  }),
  defineCall({
    name: 'luksAddKey', libguestfs: 'luks_add_key', group: 'luks', since: v, writes: true,
    summary: 'add a key on a luks encrypted device',
    doc: `Adds \`newkey\` in \`keyslot\`, which must be free (\`ECOMMAND\` otherwise); \`key\` is any key of the device. ${keys}`,
    args: [device, key, a.secret('newkey', { doc: 'the key to add' }), keyslot], returns: 'void', ts: 'Promise<void>',
    impl: async (g, name, k, newKey, slot) => luksAddKey(g.runner, g.workDir, name, luksDevice(g, name).hostPath, k, newKey, slot),
  }),
  defineCall({
    name: 'luksKillSlot', libguestfs: 'luks_kill_slot', group: 'luks', since: v, writes: true,
    summary: 'remove a key from a luks encrypted device',
    doc: `Wipes the key in \`keyslot\`; \`key\` must be one of the other keys. ${keys}`,
    args: [device, key, keyslot], returns: 'void', ts: 'Promise<void>',
    impl: async (g, name, k, slot) => luksKillSlot(g.runner, name, luksDevice(g, name).hostPath, k, slot),
  }),
  defineCall({
    name: 'luksUuid', libguestfs: 'luks_uuid', group: 'luks', since: v,
    summary: 'get the uuid of a luks device',
    doc: 'From its header (also in read-only sessions).',
    args: [device], returns: 'string', ts: 'Promise<string>',
    impl: async (g, name) => luksUuid(g.runner, luksDevice(g, name).hostPath),
  }),
  defineCall({
    name: 'luksClose', libguestfs: 'luks_close', group: 'luks', since: v,
    summary: 'close a luks device',
    doc: 'The mapping `/dev/mapper/NAME` that {@link GuestFS.luksOpen} or launch opened, not the LUKS device under it; it leaves the session\'s devices. Refused (`EINVAL`) while devices found on it (LVs) are there. Writes nothing to the image, so a read-only session may close what it opened.',
    args: [device], returns: 'void', ts: 'Promise<void>',
    impl: (g, name) => close(g, name),
  }),
];
