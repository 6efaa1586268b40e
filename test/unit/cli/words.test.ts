import { describe, expect, it } from 'vitest';
import { a, type ArgSpec } from '../../../src/api/args.js';
import { convertWord, splitWords, usageLine, wordsToArgs } from '../../../src/cli/words.js';

describe('splitWords', () => {
  it('splits on spaces; quotes group; quoted and bare parts next to each other are one word', () => {
    expect(splitWords('  cat   /etc/hostname ')).toEqual(['cat', '/etc/hostname']);
    expect(splitWords(`write /f "a b" 'c d' ''`)).toEqual(['write', '/f', 'a b', 'c d', '']);
    expect(splitWords(`sh 'echo $A' env:'{"A":"x y"}'`)).toEqual(['sh', 'echo $A', 'env:{"A":"x y"}']);
    expect(splitWords('ls /a\\ b')).toEqual(['ls', '/a b']);
  });

  it("reads guestfish's escapes in double quotes", () => {
    expect(splitWords('write /f "a\\nb"')).toEqual(['write', '/f', 'a\nb']);
    expect(splitWords('"\\t|\\\\|\\"|\\\'|\\?|\\a\\b\\f\\r\\v"')).toEqual(['\t|\\|"|\'|?|\x07\x08\x0c\r\x0b']);
    expect(splitWords('"\\x41\\x4a\\101\\012"')).toEqual(['AJA\n']);
    expect(splitWords('"caf\\303\\251"')).toEqual(['café']);
  });

  it('keeps single-quoted words literal', () => {
    expect(splitWords("write /f 'a\\nb'")).toEqual(['write', '/f', 'a\\nb']);
  });

  it('gives bytes that are not UTF-8 as a Buffer', () => {
    const [word] = splitWords('"\\xffz"');
    expect(word).toEqual(Buffer.from([0xff, 0x7a]));
  });

  it('refuses bad escapes, a NUL and unterminated quotes, as guestfish', () => {
    expect(() => splitWords('"C:\\Windows"')).toThrow(/invalid escape sequence \\Win/);
    expect(() => splitWords('"\\x4"')).toThrow(/invalid escape sequence/);
    expect(() => splitWords('"\\x00"')).toThrow(/invalid escape sequence/);
    expect(() => splitWords('"\\12"')).toThrow(/invalid escape sequence/);
    expect(() => splitWords('"\\000"')).toThrow(/invalid escape sequence/);
    expect(() => splitWords('cat "/etc')).toThrow('unterminated " quote');
    expect(() => splitWords("cat '/etc")).toThrow("unterminated ' quote");
  });
});

describe('convertWord: words by kind', () => {
  const conv = (spec: ArgSpec, word: string | Buffer) => convertWord('cmd', spec, word);

  it('int and int64: decimal or 0x hex, a clear error otherwise', () => {
    expect(conv(a.int('n'), '42')).toBe(42);
    expect(conv(a.int('n'), '-7')).toBe(-7);
    expect(conv(a.int64('size'), '0x10')).toBe(16);
    expect(conv(a.int64('size'), '0755')).toBe(755);
    expect(conv(a.int64('size'), '9007199254740991')).toBe(2 ** 53 - 1);
    expect(() => conv(a.int64('size'), 'two')).toThrow('cmd: expected size to be an integer, got "two"');
    expect(() => conv(a.int('n'), '1.5')).toThrow(/an integer/);
    expect(() => conv(a.int64('n'), '99999999999999999999')).toThrow(/within/);
    expect(() => conv(a.int('n'), '')).toThrow(/an integer/);
  });

  it('mode: octal, with or without 0 / 0o', () => {
    expect(conv(a.mode('mode'), '0644')).toBe(0o644);
    expect(conv(a.mode('mode'), '755')).toBe(0o755);
    expect(conv(a.mode('mode'), '0o4755')).toBe(0o4755);
    expect(() => conv(a.mode('mode'), '0999')).toThrow('cmd: expected mode to be an octal mode such as 0644, got "0999"');
    expect(() => conv(a.mode('mode'), 'rw')).toThrow(/octal mode/);
  });

  it('bool: true/false, yes/no, on/off, 1/0 in any case', () => {
    for (const w of ['true', 'TRUE', 'yes', 'y', 'on', '1', 't']) expect(conv(a.bool('b'), w)).toBe(true);
    for (const w of ['false', 'No', 'n', 'off', '0', 'f']) expect(conv(a.bool('b'), w)).toBe(false);
    expect(() => conv(a.bool('b'), 'maybe')).toThrow('expected b to be true or false');
  });

  it('date: a Date, an error for what is not one', () => {
    expect(conv(a.date('since'), '2024-01-31T12:00:00Z')).toEqual(new Date('2024-01-31T12:00:00Z'));
    expect(() => conv(a.date('since'), 'yesterday')).toThrow(/expected since to be a date/);
  });

  it('struct: JSON', () => {
    expect(conv(a.struct('spec'), '{"password":"x"}')).toEqual({ password: 'x' });
    expect(conv(a.struct('edits'), '[{"op":"delete"}]')).toEqual([{ op: 'delete' }]);
    expect(() => conv(a.struct('spec'), '{password:hunter2}')).toThrow('cmd: expected spec to be JSON, got something else (not shown)');
  });

  it('a string list given as one word: split on spaces, or a JSON array', () => {
    expect(conv(a.stringList('groups'), 'lvm2  luks')).toEqual(['lvm2', 'luks']);
    expect(conv(a.stringList('argv'), '["a b", "c"]')).toEqual(['a b', 'c']);
    expect(() => conv(a.stringList('argv'), '[1]')).toThrow(/JSON array of strings/);
  });

  it('text kinds are the word; bytes only for content and paths; a secret never shows', () => {
    expect(conv(a.buffer('content'), 'a\nb')).toBe('a\nb');
    expect(conv(a.buffer('content'), Buffer.from([0xff]))).toEqual(Buffer.from([0xff]));
    expect(conv(a.guestPath('path'), Buffer.from([0x2f, 0xff]))).toEqual(Buffer.from([0x2f, 0xff]));
    expect(() => conv(a.string('name'), Buffer.from([0xff]))).toThrow(/valid UTF-8/);
    expect(conv(a.device('device'), '/dev/sda1')).toBe('/dev/sda1');
    expect(() => conv(a.secret('key'), Buffer.from([0xff]))).toThrow('(a secret, not shown)');
  });
});

describe('wordsToArgs', () => {
  const cat = [a.guestPath('path')];
  const truncate = [a.guestPath('path'), a.int64('size', { optional: true, defaultText: '0' })];
  const command = [a.stringList('argv'), a.options('options', [a.string('cwd'), a.int('timeoutMs'), a.bool('network'), a.struct('env'), a.struct('signal', { ts: 'AbortSignal', noShell: true })])];
  const isFile = [a.guestPath('path'), a.options('options', [a.bool('followSymlinks')])];
  const firstBoot = [a.string('script'), a.string('name', { optional: true })];
  const sh = [a.string('script'), a.options('options', [a.string('cwd')])];

  it('takes positional words by kind; optional ones may be left out', () => {
    expect(wordsToArgs('cat', cat, ['/etc/hostname'])).toEqual(['/etc/hostname']);
    expect(wordsToArgs('truncate-size', truncate, ['/f', '2'])).toEqual(['/f', 2]);
    expect(wordsToArgs('truncate-size', truncate, ['/f'])).toEqual(['/f']);
    expect(wordsToArgs('run-first-boot', firstBoot, ['echo hi'])).toEqual(['echo hi']);
    expect(wordsToArgs('run-first-boot', firstBoot, ['echo hi', 'hello'])).toEqual(['echo hi', 'hello']);
    expect(wordsToArgs('sh', sh, ['id -u'])).toEqual(['id -u']);
  });

  it('gives a list given last the rest of the words', () => {
    expect(wordsToArgs('command', command, ['id', '-u'])).toEqual([['id', '-u']]);
    expect(wordsToArgs('install-packages', [a.stringList('packages')], ['tree', 'htop'])).toEqual([['tree', 'htop']]);
    expect(wordsToArgs('command', command, ['id'])).toEqual([['id']]);
  });

  it('reads optargs name:value after the other arguments, names in any case, values by kind', () => {
    expect(wordsToArgs('is-file', isFile, ['/etc/x', 'followsymlinks:true'])).toEqual(['/etc/x', { followSymlinks: true }]);
    expect(wordsToArgs('is-file', isFile, ['/etc/x', 'FollowSymlinks:no'])).toEqual(['/etc/x', { followSymlinks: false }]);
    expect(wordsToArgs('command', command, ['pwd', 'cwd:/etc', 'timeoutms:500', 'env:{"A":"1"}'])).toEqual([['pwd'], { cwd: '/etc', timeoutMs: 500, env: { A: '1' } }]);
    expect(wordsToArgs('sh', sh, ['pwd', 'cwd:/etc'])).toEqual(['pwd', { cwd: '/etc' }]);
    // A list keeps the name:value words that come before its last word.
    expect(wordsToArgs('command', command, ['echo', 'cwd:/x', 'y'])).toEqual([['echo', 'cwd:/x', 'y']]);
    // A field words cannot carry (a signal) is not an optarg.
    expect(wordsToArgs('command', command, ['echo', 'signal:1'])).toEqual([['echo', 'signal:1']]);
  });

  it('reports the usage line for a wrong number of words, and the argument that is not of its kind', () => {
    expect(() => wordsToArgs('cat', cat, [])).toThrow('cat needs arguments; usage: cat path');
    expect(() => wordsToArgs('cat', cat, ['/a', '/b'])).toThrow('cat takes at most 1 argument(s), got 2; usage: cat path');
    expect(() => wordsToArgs('command', command, [])).toThrow(/usage: command argv\.\.\. \[cwd:\.\.\]/);
    expect(() => wordsToArgs('is-file', isFile, ['/x', 'follow:true'])).toThrow('unknown optional argument follow; usage: is-file path [followSymlinks:true|false]');
    expect(() => wordsToArgs('is-file', isFile, ['/x', 'followsymlinks:maybe'])).toThrow('is-file: expected followSymlinks to be true or false, got "maybe"');
    expect(() => wordsToArgs('truncate-size', truncate, ['/f', 'x'])).toThrow('truncate-size: expected size to be an integer, got "x"');
    expect(() => wordsToArgs('is-file', isFile, ['/x', 'followsymlinks:1', 'FOLLOWSYMLINKS:0'])).toThrow('followSymlinks given twice');
  });

  it('a list that is not the last argument is one word', () => {
    const specs = [a.stringList('groups'), a.guestPath('path')];
    expect(wordsToArgs('x', specs, ['a b', '/p'])).toEqual([['a', 'b'], '/p']);
    expect(usageLine('x', specs)).toBe('x groups path');
  });
});

describe('usageLine', () => {
  it('names the arguments, brackets optional ones, marks a list given last and shows optargs', () => {
    expect(usageLine('cat', [a.guestPath('path')])).toBe('cat path');
    expect(usageLine('truncate-size', [a.guestPath('path'), a.int64('size', { optional: true })])).toBe('truncate-size path [size]');
    expect(usageLine('install-packages', [a.stringList('packages')])).toBe('install-packages packages...');
    expect(usageLine('is-file', [a.guestPath('path'), a.options('options', [a.bool('followSymlinks')])])).toBe('is-file path [followSymlinks:true|false]');
    expect(
      usageLine('command', [a.stringList('argv'), a.options('options', [a.struct('env'), a.int('timeoutMs'), a.string('algo', { values: ['md5', 'sha1'] }), a.struct('signal', { ts: 'AbortSignal', noShell: true }), a.struct('onProgress', { ts: '(p: number) => void', noShell: true })])]),
    ).toBe('command argv... [env:JSON] [timeoutMs:N] [algo:md5|sha1]');
    expect(usageLine('x', [a.stringList('groups', { optional: true })])).toBe('x [groups...]');
  });
});
