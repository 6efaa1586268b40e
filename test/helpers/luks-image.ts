/** An empty LUKS2 volume for tests of passphrases (fast pbkdf2, so opening it costs nothing). */
import { truncate, writeFile } from 'node:fs/promises';
import { execa } from 'execa';

/** Writes a 32 MiB LUKS2 volume at `image` that `passphrase` opens; returns `image`. */
export async function emptyLuksImage(image: string, passphrase: string): Promise<string> {
  await writeFile(image, '');
  await truncate(image, 32 * 2 ** 20);
  await execa('cryptsetup', ['luksFormat', '-q', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file=-', image], { input: passphrase });
  return image;
}
