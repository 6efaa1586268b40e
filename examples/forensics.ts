/**
 * Forensics: open an image strictly read-only, prove it is byte-identical
 * afterwards, list the files changed in the last N days and export the
 * guest's logs with their checksums.
 *
 *   npx tsx examples/forensics.ts <image> <output dir> [days]
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GuestFS } from '../src/index.js';

/** The sha256 of a host file (the image), streamed. */
async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function main(): Promise<void> {
  const [image, outDir, days = '3650'] = process.argv.slice(2);
  if (!image || !outDir) throw new Error('usage: forensics.ts <image> <output dir> [days]');
  const before = await sha256File(image);
  console.log(`image sha256 before: ${before}`);
  await mkdir(outDir, { recursive: true });
  const manifest: string[] = [];
  await GuestFS.with(image, { readonly: true }, async (g) => {
    const [root] = await g.inspectOs();
    if (!root) throw new Error('no operating system found');
    const os = g.inspectOsInfo(root);
    console.log(`os: ${os.prettyName ?? os.productName} (${os.hostname})`);
    await g.mountRoot(root);
    const since = new Date(Date.now() - Number(days) * 86_400_000);
    const recent = await g.findModifiedSince('/etc', since);
    console.log(`files under /etc modified in the last ${days} days: ${recent.length}`);
    for (const log of await g.globExpand('/var/log/**/*.log')) {
      const target = path.join(outDir, log.replace(/\//g, '_'));
      await g.download(log, target);
      manifest.push(`${await g.checksum('sha256', log)}  ${log}`);
    }
  });
  await writeFile(path.join(outDir, 'SHA256SUMS'), `${manifest.join('\n')}\n`);
  console.log(`exported ${manifest.length} log files with SHA256SUMS`);
  const after = await sha256File(image);
  console.log(`image sha256 after:  ${after}`);
  if (after !== before) throw new Error('the image changed: this must never happen');
  console.log('image unchanged: OK');
}

main().catch((err) => {
  console.error(`forensics: ${err.code ?? 'ERROR'}: ${err.message}`);
  process.exit(1);
});
