/**
 * Every bad path given to the CLI is bad input: status 2 and one sentence that
 * names the option, the path and what was expected; no stack trace, nothing
 * read from a FIFO or a device, nothing created under /proc or /sys.
 * The CLI runs in-process (main(), the function index.ts exits with): every
 * case stops at option parsing, before any process is read or signalled.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/output.js';
import {
  makeDirectory,
  PathError,
  validateDirectory,
  validateInputFile,
  validateOutputFile,
} from '../src/config/paths.js';

interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function strays(args: readonly string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), errIsTty: false, env: {} };
  const status = await main(args, io);
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

let dir: string;
let file: string;
let fifo: string;
let link: string;
let stateDir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-paths-'));
  file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'not a directory');
  fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  link = path.join(dir, 'link');
  fs.symlinkSync('/dev/null', link);
  stateDir = path.join(dir, 'state');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bad CLI paths', () => {
  // [args, what the one sentence must say]
  const cases = (): Array<[string[], RegExp]> => [
    [
      ['start', '--state', dir],
      /^strays start: --state ".*strays-paths-\w+" is a directory; expected a regular file, or a new file in an existing writable directory\.$/,
    ],
    [
      ['start', '--state', path.join(file, 'state.json')],
      /--state ".*a-file\/state\.json" cannot be created: ".*a-file" is a regular file, not a directory/,
    ],
    [
      ['start', '--state', '/proc/self/strays/state.json'],
      /--state "\/proc\/self\/strays\/state\.json" is under \/proc; expected/,
    ],
    [['start', '--state', '/sys/fs/strays.json'], /--state "\/sys\/fs\/strays\.json" is under \/sys/],
    [['start', '--state', link], /--state ".*link" is a symbolic link; expected a regular file/],
    [['start', '--state', '/dev/null'], /--state "\/dev\/null" is a character device/],
    [['start', '--state', path.join(dir, 'x'.repeat(300))], /has a name longer than 255 bytes/],
    [['start', '--state', path.join(dir, 'x'.repeat(240))], /has a file name longer than 223 bytes/],
    [['start', '--state', `${path.join(dir, 'new')}/`], /--state ".*new\/" ends with "\/", which names a directory/],
    [['run', '--state', dir, '--', 'true'], /^strays run: --state ".*" is a directory; expected a regular file/],
    [['run', '--state', fifo, '--', 'true'], /--state ".*fifo" is a FIFO/],
    [['ps', '--json', dir], /^strays ps: --json ".*" is a directory; expected a regular file/],
    [['ps', '--state', fifo], /^strays ps: --state ".*fifo" is a FIFO; expected an existing regular file\.$/],
    [['check', '--state', fifo], /^strays check: --state ".*fifo" is a FIFO; expected an existing regular file\.$/],
    [
      ['check', '--state', '/dev/zero'],
      /--state "\/dev\/zero" is a character device; expected an existing regular file/,
    ],
    [['check', '--state', dir], /--state ".*" is a directory; expected an existing regular file/],
    [['check', '--state', '/proc/self/status'], /--state "\/proc\/self\/status" is under \/proc/],
    [
      ['check', '--state', path.join(dir, 'missing.json')],
      /--state ".*missing\.json" does not exist; expected an existing regular file/,
    ],
    [['check', '--state', file, '--json', fifo], /--json ".*fifo" is a FIFO/],
    [
      ['sweep', '--state-dir', file],
      /^strays sweep: --state-dir ".*a-file" is a regular file; expected a directory, or a new directory/,
    ],
    [['sweep', '--state-dir', '/proc/strays'], /--state-dir "\/proc\/strays" is under \/proc/],
    [['sweep', '--state-dir', stateDir, '--json', dir], /--json ".*" is a directory/],
    [['sweep', '--state-dir', stateDir, '--metrics', '/dev/full'], /--metrics "\/dev\/full" is a character device/],
    [['hooks', 'github', '--out', file], /^strays hooks: --out ".*a-file" is a regular file; expected a directory/],
    [['hooks', 'github', '--out', '/proc/self/hooks'], /--out "\/proc\/self\/hooks" is under \/proc/],
    [
      ['hooks', 'github', '--out', path.join(file, 'hooks')],
      /--out ".*a-file\/hooks" cannot be created: ".*a-file" is a regular file, not a directory/,
    ],
  ];

  it('each exits 2 with one sentence naming the option, the path and what was expected', async () => {
    for (const [args, message] of cases()) {
      const ran = await strays(args);
      const [sentence, hint] = ran.stderr.split('\n');
      expect({ args, status: ran.status }).toEqual({ args, status: 2 });
      expect({ args, sentence }).toEqual({ args, sentence: expect.stringMatching(message) });
      expect(hint).toMatch(/^Run `strays \w+ --help`/);
      expect(ran.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    // Nothing was created by the refused commands, and the devices are still devices.
    expect(fs.existsSync(stateDir)).toBe(false);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(fs.statSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('hooks: writes into a new nested directory, and never through a planted symbolic link', async () => {
    const out = path.join(dir, 'hooks', 'nested');
    const ok = await strays(['hooks', 'github', '--out', out, '--bin', '/usr/bin/node /opt/strays/cli.js']);
    expect(ok.status).toBe(0);
    expect(fs.statSync(path.join(out, 'job-started.sh')).mode & 0o777).toBe(0o755);
    const planted = path.join(dir, 'planted');
    fs.mkdirSync(planted);
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'keep me');
    fs.symlinkSync(victim, path.join(planted, 'job-completed.sh'));
    const ran = await strays(['hooks', 'github', '--out', planted, '--bin', '/usr/bin/node /opt/strays/cli.js']);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(
      /^strays hooks: --out ".*planted\/job-completed\.sh" is a symbolic link; expected a regular file/,
    );
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
    expect(fs.existsSync(path.join(planted, 'job-started.sh'))).toBe(false);
  });

  it('a hostile path is quoted: capped, control and bidi characters escaped', async () => {
    const hostile = path.join(dir, `evil\u202e\n::error::x${'y'.repeat(100_000)}`, 'state.json');
    const ran = await strays(['start', '--state', hostile]);
    expect(ran.status).toBe(2);
    expect(ran.stderr).not.toMatch(/[\u202e]/);
    expect(ran.stderr.split('\n')[0]).toContain('evil\\u202e\\n::error::x');
    expect(ran.stderr.length).toBeLessThan(1000);
  });
});

describe('src/config/paths.ts', () => {
  const problem = (check: () => unknown): string | undefined => {
    try {
      check();
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(PathError);
      return (error as PathError).problem;
    }
  };

  it('accepts a new file in a writable directory and an existing regular file', () => {
    expect(validateOutputFile('--json', path.join(dir, 'new.json'))).toBe(path.join(dir, 'new.json'));
    expect(validateOutputFile('--json', file)).toBe(file);
    expect(validateInputFile('--state', file)).toBe(file);
  });

  it('requires the parent directory unless the writer creates it, and never through a file', () => {
    const deep = path.join(dir, 'a', 'b', 'r.json');
    expect(problem(() => validateOutputFile('--json', deep))).toMatch(/directory ".*\/a\/b" does not exist/);
    expect(validateOutputFile('input report-path', deep, { createParents: true })).toBe(deep);
    expect(
      problem(() => validateOutputFile('input report-path', path.join(file, 'b', 'r.json'), { createParents: true })),
    ).toMatch(/is a regular file, not a directory/);
  });

  it('refuses whitespace-only, NUL and over-long paths', () => {
    expect(problem(() => validateOutputFile('--json', '   '))).toBe('is empty');
    expect(problem(() => validateDirectory('--out', 'a\0b'))).toBe('contains a NUL character');
    expect(problem(() => validateOutputFile('--json', `/${'d/'.repeat(2100)}r.json`))).toMatch(
      /longer than 4095 bytes/,
    );
  });

  it('refuses paths that reach /proc through a symbolic link', () => {
    const toProc = path.join(dir, 'to-proc');
    fs.symlinkSync('/proc/self', toProc);
    expect(problem(() => validateOutputFile('--json', path.join(toProc, 'r.json')))).toMatch(/is under \/proc/);
    expect(problem(() => validateDirectory('--out', path.join(toProc, 'hooks')))).toMatch(/is under \/proc/);
  });

  it('makeDirectory creates each missing component and refuses, never spins, under /proc', () => {
    const made = makeDirectory('--out', path.join(dir, 'm', 'n', 'o'));
    expect(fs.statSync(made).isDirectory()).toBe(true);
    expect(makeDirectory('--out', made)).toBe(made);
    expect(problem(() => makeDirectory('--out', '/proc/self/x/y'))).toMatch(/is under \/proc/);
  });
});
