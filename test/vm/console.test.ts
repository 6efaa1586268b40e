import { describe, expect, it } from 'vitest';
import { BOOT_MARKER, bootMarkerFilter } from './console.js';

/** Feeds chunks through a new filter; returns what it let through and how often the marker fired. */
function feed(chunks: string[]): { out: string; marks: number; beforeMark: string } {
  let marks = 0;
  let out = '';
  let beforeMark = '';
  const filter = bootMarkerFilter(() => {
    marks++;
    beforeMark = out;
  });
  for (const c of chunks) out += filter(c);
  out += filter(undefined);
  return { out, marks, beforeMark };
}

describe('bootMarkerFilter', () => {
  it('drops the marker line and keeps everything around it', () => {
    const { out, marks } = feed([`[ 2.1] crng init done\r\n${BOOT_MARKER}\r\nhello\r\n`]);
    expect(out).toBe('[ 2.1] crng init done\r\nhello\r\n');
    expect(marks).toBe(1);
  });

  it('finds a marker split over chunks, byte by byte', () => {
    const text = `boot\n${BOOT_MARKER}\nout\n`;
    const { out, marks } = feed([...text]);
    expect(out).toBe('boot\nout\n');
    expect(marks).toBe(1);
  });

  it('fires the marker before the command output passes', () => {
    const { beforeMark } = feed(['boot\n', `${BOOT_MARKER}\n`, 'out\n']);
    expect(beforeMark).toBe('boot\n');
  });

  it('passes a partial line straight through once the command runs', () => {
    let out = '';
    const filter = bootMarkerFilter(() => undefined);
    out += filter(`${BOOT_MARKER}\n`);
    out += filter('progress 50%');
    expect(out).toBe('progress 50%');
  });

  it('leaves a second marker (printed by the command) alone', () => {
    const { out, marks } = feed([`${BOOT_MARKER}\n`, `${BOOT_MARKER}\n`]);
    expect(out).toBe(`${BOOT_MARKER}\n`);
    expect(marks).toBe(1);
  });

  it('gives back a console without marker (the VM died in boot) in full', () => {
    const { out, marks } = feed(['Kernel panic - not syncing', ': VFS']);
    expect(out).toBe('Kernel panic - not syncing: VFS');
    expect(marks).toBe(0);
  });
});
