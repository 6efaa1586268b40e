/**
 * inspectGetIcon as libguestfs' inspect_get_icon: the favicon first (unless
 * turned off), then the distribution's logo, each only when it is a PNG of
 * sane geometry within libguestfs' size bound; an empty buffer otherwise. A
 * guest link aimed at a host file reads the guest's file of that name.
 */
import { deflateSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngSize } from '../../../src/inspect/icon.js';
import { writableGuest, type WritableGuest } from '../../helpers/writable-guest.js';

/** A real PNG of `width` × `height` grey pixels (CRCs left zero: only the header is read). */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc((width + 1) * height);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

const LOGO = '/usr/share/pixmaps/debian-logo.png';
let guest: WritableGuest;
let root: string;

beforeAll(async () => {
  guest = await writableGuest('icon', 'debian12');
  root = (await guest.g.inspectGetRoots())[0]!;
}, 120_000);
afterAll(async () => guest.close());

describe('inspectGetIcon', () => {
  it("gives the Debian logo the fixture ships, as libguestfs reads it", async () => {
    const icon = await guest.g.inspectGetIcon(root);
    expect(icon.equals(await guest.g.read(LOGO))).toBe(true);
    expect(pngSize(icon)).toEqual({ width: 48, height: 48 });
  });

  it('prefers /etc/favicon.png unless favicon is false or highquality is asked', async () => {
    const favicon = png(32, 32);
    await guest.g.write('/etc/favicon.png', favicon);
    try {
      expect((await guest.g.inspectGetIcon(root)).equals(favicon)).toBe(true);
      expect((await guest.g.inspectGetIcon(root, { favicon: false })).equals(await guest.g.read(LOGO))).toBe(true);
      expect((await guest.g.inspectGetIcon(root, { highquality: true })).equals(await guest.g.read(LOGO))).toBe(true);
    } finally {
      await guest.g.rm('/etc/favicon.png');
    }
  });

  it('gives an empty buffer for a logo that is not a PNG, too small, too large in pixels or over the size bound', async () => {
    const original = await guest.g.read(LOGO);
    try {
      for (const bad of [Buffer.from('GIF89a not a png at all.'), png(8, 8), png(2048, 16), Buffer.concat([png(48, 48), Buffer.alloc(4096)])]) {
        await guest.g.write(LOGO, bad);
        expect((await guest.g.inspectGetIcon(root)).length).toBe(0);
      }
    } finally {
      await guest.g.write(LOGO, original);
    }
  });

  it('a guest link to an absolute path reads the guest file of that name, never the host one', async () => {
    const original = await guest.g.read(LOGO);
    // The host's own Debian logo, if it has one, must not come back through the link.
    const hostLogo = await readFile(LOGO).catch(() => undefined);
    try {
      await guest.g.rm(LOGO);
      await guest.g.lnS('/etc/favicon.png', LOGO);
      expect((await guest.g.inspectGetIcon(root, { favicon: false })).length).toBe(0);
      const inGuest = png(24, 24);
      await guest.g.write('/etc/favicon.png', inGuest);
      const icon = await guest.g.inspectGetIcon(root, { favicon: false });
      expect(icon.equals(inGuest)).toBe(true);
      if (hostLogo) expect(icon.equals(hostLogo)).toBe(false);
    } finally {
      await guest.g.rm(LOGO);
      await guest.g.rm('/etc/favicon.png');
      await guest.g.write(LOGO, original);
    }
  });

  it('is refused for a root inspection did not find', async () => {
    await expect(guest.g.inspectGetIcon('/dev/sdz9')).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
