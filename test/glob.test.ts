/**
 * The allowlist's globs: their meaning (a table, checked against a reference
 * RegExp on random cases), their cost (counted in steps, never timed: the
 * machine is shared), and the limits on entries, named at parse time.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ALLOW_ENTRIES, MAX_ALLOW_ENTRY_LENGTH, allowedBy, parseAllowlist } from '../src/engine/allowlist.js';
import { type Meter, codePoints, compileGlob, matchGlob } from '../src/engine/glob.js';
import { parseGuardOptions } from '../src/config/options.js';

/** Does `glob` match the whole of `text`? */
const globMatches = (glob: string, text: string): boolean => matchGlob(compileGlob(glob), codePoints(text));

describe('glob semantics', () => {
  // [glob, text, matches]
  const table: Array<[string, string, boolean]> = [
    ['sleep 60*', 'sleep 600', true],
    ['sleep 60*', 'sleep 60', true],
    ['sleep 60*', 'sleep 1', false],
    ['sleep 60*', 'xsleep 600', false],
    ['a[bc]d ?', 'acd z', true],
    ['a[bc]d ?', 'aed z', false],
    ['a[bc]d ?', 'acd zz', false],
    ['(x)|y', '(x)|y', true],
    ['(x)|y', 'x', false],
    ['a.c', 'abc', false],
    ['a.c', 'a.c', true],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['**', 'x', true],
    ['?', '', false],
    ['?', '😀', true],
    ['[!x]', 'y', true],
    ['[!x]', 'x', false],
    ['[^x]', 'x', false],
    ['[a-z]1', 'q1', true],
    ['[a-z]1', 'Q1', false],
    ['[a-cx-z]', 'y', true],
    ['[a-cx-z]', 'm', false],
    ['[]]', ']', true],
    ['[!]]', ']', false],
    ['[!]]', 'a', true],
    ['[a-]', '-', true],
    ['[-a]', '-', true],
    ['*java*-jar*app.jar*', '/usr/bin/java -Xmx1g -jar /srv/app.jar --port 80', true],
    ['*java*-jar*app.jar*', '/usr/bin/java -Xmx1g -jar /srv/other.jar', false],
    ['*a*a*a*a*a*b', 'aaaaaaaaaab', true],
    ['*a*a*a*a*a*b', 'aaaaaaaaaa', false],
    ['*ab*ab', 'abab', true],
    ['*ab*ab', 'aab', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'ac', false],
    ['a*a', 'a', false],
    ['*x*', 'x', true],
    ['back\\slash*', 'back\\slash\\n', true],
    ['line\nbreak*', 'line\nbreak here', true],
    ['?'.repeat(40), 'y'.repeat(40), true],
    [`*${'a'.repeat(40)}b*`, `${'a'.repeat(100)}b`, true],
    [`*${'a'.repeat(40)}b*`, `${'a'.repeat(39)}b${'a'.repeat(39)}b`, false],
    [`*${'[ab]'.repeat(33)}c`, `${'ab'.repeat(20)}c`, true],
    [`*${'[ab]'.repeat(33)}c`, `${'ab'.repeat(16)}c`, false],
  ];
  it.each(table)('%j against %j: %s', (glob, text, expected) => {
    expect(globMatches(glob, text)).toBe(expected);
  });

  /** The former translation to a RegExp, as a reference on short texts where backtracking is cheap. */
  const reference = (glob: string): RegExp => {
    let out = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i] as string;
      if (c === '*') out += '.*';
      else if (c === '?') out += '.';
      else if (c === '[') {
        const neg = glob[i + 1] === '!';
        const end = glob.indexOf(']', i + (neg ? 3 : 2));
        out += `[${neg ? '^' : ''}${glob.slice(i + (neg ? 2 : 1), end)}]`;
        i = end;
      } else out += c;
    }
    return new RegExp(`^${out}$`, 'su');
  };

  it('agrees with a RegExp on 5 000 random globs and texts', () => {
    let seed = 22;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['a', 'b', 'c', '*', '?', '[ab]', '[!a]', '[b-c]'];
    for (let k = 0; k < 5000; k++) {
      const glob = Array.from({ length: 1 + random(7) }, () => pieces[random(pieces.length)]).join('');
      const text = Array.from({ length: random(9) }, () => 'abc'[random(3)]).join('');
      expect({ glob, text, matches: globMatches(glob, text) }).toEqual({
        glob,
        text,
        matches: reference(glob).test(text),
      });
    }
  });
});

describe('glob cost', () => {
  const MB = 1 << 20;
  const steps = (glob: string, text: Uint32Array): number => {
    const meter: Meter = { steps: 0 };
    matchGlob(compileGlob(glob), text, meter);
    return meter.steps;
  };

  // Globs that took minutes as backtracking RegExps, and the worst shapes for this matcher.
  const hostile = [
    '*java*-jar*app.jar*',
    '*a*a*a*a*a*b',
    `*${'a'.repeat(31)}b*`,
    `*${'a'.repeat(200)}b*`,
    `*${'a'.repeat(253)}b*`,
    `*${'?'.repeat(100)}b`,
    `*${'[a-z]'.repeat(50)}!*`,
    `${'*a'.repeat(100)}*b`,
  ];
  const texts: Array<[string, Uint32Array]> = [
    ['1 MB of "a"', codePoints('a'.repeat(MB))],
    ['1 MB of "java -jar "', codePoints('java -jar '.repeat(MB / 10))],
    ['1 MB of "é"', codePoints('é'.repeat(MB))],
  ];

  it.each(hostile)(
    '%j stays within (text length) x (words per segment) + glob length steps on every 1 MB text',
    (glob) => {
      const compiled = compileGlob(glob);
      const words = Math.max(...compiled.segments.map((s) => Math.ceil(s.tokens.length / 32) || 1));
      for (const [, text] of texts) {
        const bound = text.length * words + glob.length * 2;
        expect(steps(glob, text)).toBeLessThanOrEqual(bound);
      }
    },
  );

  it('the cost grows linearly: twice the text, at most twice the steps', () => {
    const glob = '*a*a*a*a*a*b';
    const small = steps(glob, codePoints('a'.repeat(50_000)));
    const large = steps(glob, codePoints('a'.repeat(100_000)));
    expect(small).toBeGreaterThan(0);
    expect(large).toBeLessThanOrEqual(2 * small + glob.length);
  });

  it('allowedBy matches a 1 MB command line with every hostile glob (and finds the right one)', () => {
    const list = parseAllowlist([...hostile, '*tail-marker']);
    const argv = ['java', '-jar', 'x'.repeat(MB), 'tail-marker'];
    const p = { pid: 1, ppid: 0, pgid: 1, sid: 1, state: 'S', uid: 0, start: 1, startedAt: 1, comm: 'java', argv };
    expect(allowedBy(list, p)?.source).toBe('*tail-marker');
  });
});

describe('allowlist limits, at parse time', () => {
  const names = {
    kill: 'kill',
    failOnLeak: 'fail-on-leak',
    grace: 'grace-period',
    allow: 'input allow',
    isolation: 'isolation',
    unattributed: 'unattributed',
  };
  const error = (allow: string[]): string => {
    try {
      parseGuardOptions({ allow }, names);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  it('refuses a 50 000-character entry, naming the input, a capped value and the limit', () => {
    const message = error([`*${'\u202e'.repeat(10)}${'x'.repeat(50_000)}*`]);
    expect(message).toMatch(
      /^Invalid input allow: Invalid allow entry "\*(\\u202e){10}x+… \(49812 more characters\)": it is 50012 characters long; the limit is 256\./,
    );
    expect(message).not.toContain('\u202e');
    expect(message.length).toBeLessThan(2000);
  });

  it(`accepts ${MAX_ALLOW_ENTRIES} entries of ${MAX_ALLOW_ENTRY_LENGTH} characters, and refuses one more entry`, () => {
    const entry = (i: number): string => `${i}${'y'.repeat(MAX_ALLOW_ENTRY_LENGTH - String(i).length)}`;
    const many = Array.from({ length: MAX_ALLOW_ENTRIES }, (_, i) => entry(i));
    expect(parseGuardOptions({ allow: [many.join('\n')] }, names).allow).toHaveLength(MAX_ALLOW_ENTRIES);
    expect(error([many.join('\n'), 'one-more'])).toMatch(
      /^Invalid input allow: 101 entries \("0y+… \(\d+ more characters\)", …\); the limit is 100\./,
    );
  });

  it('names a backwards range and an unclosed set', () => {
    expect(error(['x[z-a]'])).toMatch(/Invalid allow entry "x\[z-a\]": the range "z-a" at position 3 runs backwards/);
    expect(error(['name:foo [bar'])).toMatch(/"\[" at position 5 is never closed/);
  });
});
