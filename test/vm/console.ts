/**
 * The VM console as the host sees it: the second stage prints one marker line
 * just before it starts the command, which gives the boot time and is not
 * shown to the user.
 */

/** The line stage2.sh prints when the command starts. */
export const BOOT_MARKER = '@@vmcraft-vm: command starts@@';

/**
 * A filter for console chunks that drops the marker line and calls `onMarker`
 * when it passes. Until then it works line by line (the marker may be split
 * over chunks); after it, chunks pass straight through so progress output
 * without newlines streams at once. Call it with `undefined` at the end to get
 * what is still held back.
 *
 * Sample console: `[    2.1] random: crng init done\r\n@@vmcraft-vm: command starts@@\r\n6.1.0-56-amd64\r\n`
 */
export function bootMarkerFilter(onMarker: () => void): (chunk: string | undefined) => string {
  let seen = false;
  let pending = '';
  return (chunk) => {
    if (chunk === undefined) {
      const rest = pending;
      pending = '';
      return rest;
    }
    if (seen) return chunk;
    pending += chunk;
    const end = pending.lastIndexOf('\n') + 1;
    const lines = pending.slice(0, end);
    pending = pending.slice(end);
    const at = lines.indexOf(BOOT_MARKER);
    if (at < 0) return lines;
    seen = true;
    onMarker();
    const lineStart = lines.lastIndexOf('\n', at) + 1;
    const lineEnd = lines.indexOf('\n', at) + 1;
    const out = lines.slice(0, lineStart) + lines.slice(lineEnd) + pending;
    pending = '';
    return out;
  };
}
