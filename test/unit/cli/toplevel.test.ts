import { describe, expect, it } from 'vitest';
import { closest } from '../../../src/cli/toplevel.js';
import { splitPipe } from '../../../src/cli/words.js';

describe('closest (did you mean)', () => {
  it('finds a typo of a name and nothing for a word far from all', () => {
    expect(closest('inspekt', ['inspect', 'convert', 'customize'])).toBe('inspect');
    expect(closest('convret', ['inspect', 'convert'])).toBe('convert');
    expect(closest('zzzzzzzz', ['inspect', 'convert'])).toBeUndefined();
  });
});

describe('splitPipe (guestfish cmd | pipeline)', () => {
  it('splits at the first | outside quotes and escapes', () => {
    expect(splitPipe('cat /etc/passwd | grep root | wc -l')).toEqual(['cat /etc/passwd', 'grep root | wc -l']);
    expect(splitPipe('write /f "a|b"')).toEqual(['write /f "a|b"', undefined]);
    expect(splitPipe("write /f 'a|b' | cat")).toEqual(["write /f 'a|b'", 'cat']);
    expect(splitPipe('write /f a\\|b')).toEqual(['write /f a\\|b', undefined]);
    expect(splitPipe('write /f "x\\"|y"')).toEqual(['write /f "x\\"|y"', undefined]);
    expect(splitPipe('cat /x |')).toEqual(['cat /x', '']);
  });
});
