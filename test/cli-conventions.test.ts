/**
 * CLI conventions, on the built CLI: `strays help CMD`, `--version`/`-v`,
 * option lists that match what each command takes, colour decided by
 * --color, NO_COLOR and FORCE_COLOR, and `ps --json` in the report's shape.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { spawnSync } from 'node:child_process';
import { CLI, cli, ensureBuilt } from './cli-support.js';
import { Leakers, waitFor } from './helpers/leakers.js';
import { expectValidReport } from './helpers/report-schema.js';
import { itIf, needsRootAndSharedNode } from './helpers/requires.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes it looks for.
const ANSI = /\u001b\[\d+m/;
let leakers: Leakers | undefined;

beforeAll(ensureBuilt, 120_000);
afterEach(async () => {
  await leakers?.cleanup();
  leakers = undefined;
});

describe('help and version', () => {
  it('`strays help CMD` is `strays CMD --help`; -v and --version print the version', async () => {
    for (const name of ['run', 'start', 'check', 'ps', 'sweep', 'hooks']) {
      const viaHelp = await cli(['help', name]);
      const viaFlag = await cli([name, '--help']);
      expect(viaHelp.status).toBe(0);
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
      expect(viaHelp.stdout).toMatch(new RegExp(`Usage: .*strays ${name}`));
    }
    const unknown = await cli(['help', 'frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    for (const flag of ['-v', '--version']) {
      const result = await cli([flag]);
      expect({ flag, status: result.status, out: result.stdout.trim() }).toEqual({ flag, status: 0, out: pkg.version });
    }
  });

  it('each command lists exactly the options it takes', async () => {
    const options = async (name: string): Promise<string[]> =>
      [...(await cli([name, '--help'])).stdout.matchAll(/^\s+(?:-\w, )?\s*(--[\w-]+)/gm)].map((m) => m[1] as string);
    expect(await options('start')).toEqual([
      '--state',
      '--ci',
      '--owner',
      '--export-to',
      '--print-session',
      '--isolation',
      '--quiet',
      '--help',
    ]);
    expect(await options('ps')).toEqual(['--state', '--allow', '--json', '--show-secrets', '--help']);
    const check = await options('check');
    for (const o of [
      '--grace',
      '--allow',
      '--no-kill',
      '--fail-on-leak',
      '--json',
      '--quiet',
      '--color',
      '--show-secrets',
    ])
      expect(check).toContain(o);
    // Every listed option is accepted (not "unknown option"), and an unlisted one is refused.
    const refused = await cli(['start', '--grace', '1s']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /unknown option --grace\. Accepted: --state FILE, --ci SYSTEM, --owner PID, --export-to FILE, --print-session, --isolation MODE, --quiet, --help/,
    );
    const allow = (await cli(['check', '--help'])).stdout;
    expect(allow).toMatch(/--allow GLOB .*command line matches GLOB, or whose name matches name:GLOB/);
  });
});

describe('colour', () => {
  it('--color decides; auto follows NO_COLOR, then FORCE_COLOR, then the terminal', async () => {
    const state = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'strays-color-')), 'state.json');
    expect((await cli(['start', '--state', state])).status).toBe(0);
    const stderr = async (args: string[], env: NodeJS.ProcessEnv): Promise<string> => {
      const r = await cli(['check', '--state', state, '--no-kill', ...args], { env });
      expect(r.status).toBe(0);
      return r.stderr;
    };
    // cli() sets NO_COLOR=1 by default; '' unsets it in effect (no-color.org: set and not empty).
    expect(await stderr([], { NO_COLOR: '' })).not.toMatch(ANSI); // not a terminal
    expect(await stderr([], { NO_COLOR: '', FORCE_COLOR: '1' })).toMatch(ANSI);
    expect(await stderr([], { NO_COLOR: '', FORCE_COLOR: '0' })).not.toMatch(ANSI);
    expect(await stderr([], { NO_COLOR: '1', FORCE_COLOR: '1' })).not.toMatch(ANSI);
    expect(await stderr(['--color', 'always'], { NO_COLOR: '1' })).toMatch(ANSI);
    expect(await stderr(['--color=never'], { NO_COLOR: '', FORCE_COLOR: '1' })).not.toMatch(ANSI);
    const bad = await cli(['check', '--state', state, '--color', 'sometimes']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/invalid --color "sometimes": expected auto, always or never/);
    fs.rmSync(path.dirname(state), { recursive: true, force: true });
  });
});

describe('ps --json', () => {
  it('writes the report shape of check, with and without --state, to stdout', async () => {
    leakers = new Leakers();
    const state = leakers.file('state.json');
    const started = await cli(['start', '--state', state]);
    const session = /STRAYS_SESSION='([^']+)'/.exec(started.stdout)?.[1] as string;
    const pid = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 341' &`, {
      env: { ...process.env, STRAYS_SESSION: session, GITHUB_ACTION: 'serve' },
    });
    // A process with a secret in its argv: the tree on the console shows it redacted, like the report.
    const token = `ghp_${'T0k3n'.repeat(8)}`;
    const secret = await leakers.daemon(
      `setsid sh -c 'echo $$ > "$PIDFILE"; exec bash -c "while :; do sleep 1; done" --api-token ${token}' &`,
      { env: { ...process.env, STRAYS_SESSION: session } },
    );
    await waitFor(
      () =>
        fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep') &&
        fs.readFileSync(`/proc/${secret}/cmdline`, 'utf8').startsWith('bash'),
      'sleep and bash',
    );

    const job = await cli(['ps', '--state', state, '--json', '-']);
    expect(job.status).toBe(0);
    const report = expectValidReport(JSON.parse(job.stdout));
    expect(report).toMatchObject({ version: 1, tool: 'strays', session });
    expect(report.leaks.find((l: { pid: number }) => l.pid === pid)).toMatchObject({
      command: 'sleep 341',
      step: 'serve',
      outcome: 'reported',
    });
    expect(job.stderr).toMatch(new RegExp(`job ${session}: \\d+ processes`)); // the tree moved to stderr
    expect(job.stderr).toContain('--api-token ***');
    expect(job.stdout + job.stderr).not.toContain(token);

    const all = await cli(['ps', '--json', '-']);
    expect(all.status).toBe(0);
    const every = expectValidReport(JSON.parse(all.stdout));
    expect(every.session).toBe('*');
    expect(all.stdout + all.stderr).not.toContain(token);
    expect(every.leaks.find((l: { pid: number }) => l.pid === pid)).toMatchObject({
      command: 'sleep 341',
      reasons: [`carries STRAYS_SESSION=${session}`],
    });
  });
});

describe('notes', () => {
  itIf(
    needsRootAndSharedNode('runs the CLI as uid 65534'),
    "a non-root check keeps what it could not do in the report's notes, not on stderr",
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-notes-'));
      fs.chmodSync(dir, 0o777);
      // As the unprivileged runner user: no cgroup, no sudo on this machine, and a host state directory it may not enter.
      const locked = path.join(dir, 'locked');
      fs.mkdirSync(locked, { mode: 0o700 });
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: dir, STRAYS_STATE_DIR: locked };
      delete env.STRAYS_SESSION;
      delete env.RUNNER_TRACKING_ID;
      // A copy of the one-file CLI: the checkout may sit where uid 65534 cannot enter (a 0700 mktemp dir, a 0750 home).
      const cli65534 = path.join(dir, 'cli');
      fs.mkdirSync(cli65534, { mode: 0o755 });
      for (const f of ['index.js', 'package.json'])
        fs.copyFileSync(path.join(path.dirname(CLI), f), path.join(cli65534, f));
      const as65534 = (args: string[]) =>
        spawnSync(process.execPath, [path.join(cli65534, 'index.js'), ...args], {
          uid: 65534,
          gid: 65534,
          env,
          cwd: dir,
          encoding: 'utf8',
        });
      expect(as65534(['start', '--state', path.join(dir, 's.json'), '--quiet']).status).toBe(0);
      const checked = as65534(['check', '--state', path.join(dir, 's.json'), '--json', '-']);
      expect(checked.status).toBe(0);
      const report = expectValidReport(JSON.parse(checked.stdout));
      expect(report.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^host state: .*EACCES/)]));
      // A clean run says one line, whatever it could not do.
      if (report.leaks.length + report.unattributed.length === 0)
        expect(checked.stderr.trim()).toBe('strays: no leaked processes.');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  );
});
