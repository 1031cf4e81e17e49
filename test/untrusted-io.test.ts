import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readRegularFile, UnsafeFileError } from '../src/io/read-regular.js';
import { quoted, untrusted } from '../src/text/untrusted.js';

describe('untrusted()', () => {
  it('keeps untrusted text on its line: no line break, no leading workflow command', () => {
    const name = 'x\n::error title=Injected::fake\n::stop-commands::deadbeef\n.json';
    const out = untrusted(name);
    expect(out).not.toMatch(/[\n\r]/);
    expect(out).toBe('x\\n::error title=Injected::fake\\n::stop-commands::deadbeef\\n.json');
    expect(untrusted('  ::warning::x').trimStart().startsWith('::')).toBe(false);
  });
  it('escapes bidi overrides and C1 controls, doubles backslashes, caps the length', () => {
    expect(untrusted('a\u202eb\u0085c\\n')).toBe('a\\u202eb\\x85c\\\\n');
    const long = 'y'.repeat(100_000);
    const out = quoted(long);
    expect(out.length).toBeLessThan(260);
    expect(out).toContain('(99800 more characters)');
  });
});

describe('readRegularFile()', () => {
  const dirs: string[] = [];
  const scratch = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-read-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const codeOf = (file: string, max?: number): string | undefined => {
    try {
      readRegularFile(file, max);
      return undefined;
    } catch (error) {
      return error instanceof UnsafeFileError ? error.code : `other: ${String(error)}`;
    }
  };

  it('reads a regular file', () => {
    const file = path.join(scratch(), 'a.json');
    fs.writeFileSync(file, '{"a":1}');
    expect(readRegularFile(file).text).toBe('{"a":1}');
  });
  it('refuses a FIFO at once instead of blocking, a symlink, a directory, a device, and an oversized file', () => {
    const dir = scratch();
    const fifo = path.join(dir, 'fifo.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(codeOf(fifo)).toBe('not-regular');
    const link = path.join(dir, 'zero.json');
    fs.symlinkSync('/dev/zero', link);
    expect(codeOf(link)).toBe('symlink');
    expect(codeOf('/dev/zero')).toBe('not-regular');
    expect(codeOf(dir)).toBe('not-regular');
    expect(codeOf(path.join(dir, 'none'))).toBe('missing');
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, 'z'.repeat(2048));
    expect(codeOf(big, 1024)).toBe('too-large');
  });
});
