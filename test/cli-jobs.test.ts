/**
 * `strays start` / `strays check` / `strays ps` in separate shells, as CI
 * hooks use them; the GitHub hook scripts end to end; and every bad input:
 * status 2 and nothing signalled (a canary that a real check would kill lives).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { CLI, DEAD, ROOT, cli, ensureBuilt, readPid } from './cli-support.js';
import { expectValidReport } from './helpers/report-schema.js';

let leakers: Leakers;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => leakers.cleanup());

const NODE_CLI = `${process.execPath} ${CLI}`;

/** Runs a hook as the runner does (JobHookProvider → ScriptHandler): `bash -e FILE`. */
function bash(file: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** `eval "$(strays start …)"` in one shell, which then leaks a setsid daemon and exits. Returns the daemon's pid. */
async function startJobAndLeak(state: string, env: NodeJS.ProcessEnv = {}): Promise<number> {
  // Not `eval … && setsid … &`: that backgrounds the eval too, and the subshell would exec into the
  // "leak", which is then the process that ran `strays start`, rightly part of the baseline.
  const script = `eval "$(${NODE_CLI} start --state ${state} --quiet)" || exit 1; setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 340' &`;
  return leakers.daemon(script, { env: { NO_COLOR: '1', STRAYS_SESSION: undefined, ...env } });
}

interface JsonReport {
  leaks: Array<{ pid: number; outcome: string; attribution: string }>;
  spared: Array<{ pid: number }>;
}
const report = (file: string): JsonReport => expectValidReport(JSON.parse(fs.readFileSync(file, 'utf8')) as JsonReport);

describe('strays start and check in separate shells', () => {
  it('catch a leak between them and spare a process started before start', async () => {
    leakers = new Leakers();
    const before = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 341' &`);
    const state = leakers.file('state.json');
    const leak = await startJobAndLeak(state);
    const json = leakers.file('report.json');
    const shown = await cli(['ps', '--state', state]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(String(leak));
    expect(shown.stdout).toContain('sleep 340');
    expect(isAlive(leak)).toBe(true); // ps touches nothing

    const result = await cli(['check', '--state', state, '--grace', '2s', '--fail-on-leak', '--json', json]);
    expect(result.status).toBe(3);
    expect(isAlive(leak)).toBe(false);
    expect(isAlive(before)).toBe(true);
    const leaked = report(json).leaks;
    expect(leaked.map((l) => l.pid)).toEqual([leak]);
    expect(DEAD).toContain(leaked[0]?.outcome);
    expect(leaked[0]?.attribution).toBe('marker');
  });

  it('with --no-kill reports and signals nothing; exits 0 without --fail-on-leak', async () => {
    leakers = new Leakers();
    const state = leakers.file('state.json');
    const leak = await startJobAndLeak(state);
    const result = await cli(['check', '--state', state, '--no-kill']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('sleep 340');
    expect(result.stderr).toMatch(/1 leaked process/);
    expect(isAlive(leak)).toBe(true);
  });

  it('start prints only an eval-able export line on stdout', async () => {
    leakers = new Leakers();
    const result = await cli(['start', '--state', leakers.file('state.json')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^export STRAYS_SESSION='strays-[0-9a-f]{16}' STRAYS_BASELINE_SHA256='[0-9a-f]{64}'\n$/,
    );
  });
});

describe('an owner that is gone', () => {
  it('an --owner that exits while start runs is status 2 with a sentence, and no job is recorded', async () => {
    leakers = new Leakers();
    const dir = leakers.dir;
    const stateDir = path.join(dir, 'state');
    // The owner shell exits at once; start, in a subshell, outlives it.
    const script = `(${NODE_CLI} start --state ${dir}/s.json --owner $$ 2> ${dir}/err; echo $? > ${dir}/status.tmp; mv ${dir}/status.tmp ${dir}/status) & exit 0`;
    leakers.spawn('sh', ['-c', script], {
      env: { ...process.env, STRAYS_STATE_DIR: stateDir, NO_COLOR: '1', STRAYS_SESSION: '' },
    });
    const status = await waitFor(
      () => fs.existsSync(path.join(dir, 'status')) && fs.readFileSync(path.join(dir, 'status'), 'utf8').trim(),
      'start to finish',
      30_000,
    );
    expect(status).toBe('2');
    expect(fs.readFileSync(path.join(dir, 'err'), 'utf8')).toMatch(
      /--owner \d+: (no such process|not an ancestor)|exited right after strays start/,
    );
    expect(fs.existsSync(path.join(dir, 's.json'))).toBe(false);
    expect(fs.existsSync(path.join(stateDir, 'jobs')) ? fs.readdirSync(path.join(stateDir, 'jobs')) : []).toEqual([]);
  });
});

describe('GitHub runner job hooks', () => {
  it('hooks/*.sh are exactly what `strays hooks github --bin strays` writes', async () => {
    leakers = new Leakers();
    const out = path.join(leakers.dir, 'hooks');
    const result = await cli(['hooks', 'github', '--out', out, '--bin', 'strays']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`ACTIONS_RUNNER_HOOK_JOB_STARTED=${out}/job-started.sh`);
    for (const name of ['job-started.sh', 'job-completed.sh']) {
      expect(fs.readFileSync(path.join(out, name), 'utf8')).toBe(
        fs.readFileSync(path.join(ROOT, 'hooks', name), 'utf8'),
      );
      expect(fs.statSync(path.join(ROOT, 'hooks', name)).mode & 0o111).not.toBe(0);
    }
  });

  it("run as the runner runs them (bash -e FILE, RUNNER_TRACKING_ID set): end a step's daemon, marked by either variable", async () => {
    leakers = new Leakers();
    const stateDir = path.join(leakers.dir, 'state');
    const githubEnv = leakers.file('github_env');
    fs.writeFileSync(githubEnv, '');
    const env = {
      RUNNER_TRACKING_ID: 'github_0f6e1d9c-test',
      STRAYS_BIN: NODE_CLI,
      STRAYS_STATE_DIR: stateDir,
      GITHUB_ENV: githubEnv,
      NO_COLOR: '1',
      STRAYS_SESSION: undefined,
    };
    const started = await bash(`${ROOT}/hooks/job-started.sh`, env);
    expect(started.status).toBe(0);
    const marker = /^STRAYS_SESSION=(strays-[0-9a-f]{16})$/m.exec(fs.readFileSync(githubEnv, 'utf8'))?.[1];
    expect(marker).toBeDefined();
    // Steps: one with both marks (as the runner passes GITHUB_ENV on), one that dropped STRAYS_SESSION.
    const both = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 350' &`, {
      env: { ...env, STRAYS_SESSION: marker },
    });
    const trackingOnly = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 351' &`, { env });
    expect(fs.existsSync(path.join(stateDir, 'github-hooks', 'github_0f6e1d9c-test.json'))).toBe(true);

    const completed = await bash(`${ROOT}/hooks/job-completed.sh`, {
      ...env,
      STRAYS_OPTIONS: '--grace 2s --fail-on-leak',
    });
    expect(completed.output).toMatch(/2 leaked processes/);
    expect(completed.status).toBe(3); // fails the job, as --fail-on-leak asks
    await waitFor(() => !isAlive(both) && !isAlive(trackingOnly), 'the step daemons to end');
    expect(fs.existsSync(path.join(stateDir, 'github-hooks', 'github_0f6e1d9c-test.json'))).toBe(false);
  });
});

describe('bad input: status 2, nothing signalled', () => {
  it('every case names what is wrong, and the canary a real check would kill lives', async () => {
    leakers = new Leakers();
    const state = leakers.file('state.json');
    const canary = await startJobAndLeak(state);
    const corrupt = leakers.file('corrupt.json');
    fs.writeFileSync(corrupt, '{"kind": "strays-baseline", "vers');
    const otherVersion = leakers.file('v99.json');
    fs.writeFileSync(otherVersion, JSON.stringify({ ...JSON.parse(fs.readFileSync(state, 'utf8')), version: 99 }));
    const ranFile = leakers.file('ran');
    const cases: Array<[string[], RegExp]> = [
      [['check', '--state', state, '--bogus'], /unknown option --bogus\. Accepted: .*--grace DURATION/],
      [['check', '--state', state, '--grace', '5 parsecs'], /Invalid --grace "5 parsecs": expected "500ms", "5s"/],
      [['check', '--state', state, '--grace'], /--grace needs a value/],
      [
        ['check', '--state', state, '--isolation', 'chroot'],
        /Invalid --isolation "chroot": expected one of auto, marker, cgroup/,
      ],
      [['check', '--state', state, '--unattributed', 'maybe'], /Invalid --unattributed "maybe"/],
      [['check', '--state', state, '--allow', ''], /--allow needs a value/],
      [['check', '--state', state, '--json', '/nonexistent-dir/r.json'], /--json .*does not exist/],
      [['check', '--state', state, '--no-kill=false'], /--no-kill takes no value/],
      [['check'], /--state FILE is required/],
      [['check', '--state', leakers.file('missing.json')], /missing\.json-\d+" does not exist/],
      [['check', '--state', corrupt], /is not valid JSON/],
      [['check', '--state', otherVersion], /has version 99; this strays reads version 1/],
      [['run', '--grace', 'soon', '--', 'sh', '-c', `echo ran > ${ranFile}`], /Invalid --grace "soon"/],
      [['run', 'sh', '-c', `echo ran > ${ranFile}`], /put the command after "--"/],
      [['run', '--'], /no command given/],
      [['run', '--frobnicate', '--', 'true'], /unknown option --frobnicate/],
      [['start', '--state', leakers.file('s.json'), '--owner', 'me'], /invalid --owner "me": expected a process id/],
      [['start', '--state', leakers.file('s.json'), '--owner', '1'], /--owner 1: PID 1 never exits/],
      [['start', '--state', leakers.file('s.json'), '--owner', String(2 ** 22 + 1)], /--owner \d+: no such process/],
      [
        ['start', '--state', leakers.file('s.json'), '--ci', 'travis'],
        /invalid --ci "travis": expected one of github, gitlab, buildkite, jenkins, circleci/,
      ],
      [
        ['start', '--state', leakers.file('s.json'), '--ci', 'gitlab', '--owner', '5'],
        /give --ci SYSTEM or --owner PID, not both/,
      ],
      [
        ['start', '--state', leakers.file('s.json'), '--ci', 'circleci'],
        /no ancestor of strays start is named circleci-agent/,
      ],
      [
        ['start', '--state', leakers.file('s.json'), '--export-to', '/nonexistent-dir/x.env'],
        /--export-to .*does not exist/,
      ],
      [
        ['start', '--state', `${corrupt}/under-a-file/s.json`],
        /--state .*cannot be created: .* is a regular file, not a directory/,
      ],
      [['ps', '--state', corrupt], /is not valid JSON/],
      [['hooks', 'jenkins', '--out', leakers.dir], /expected the CI system: github/],
      [['nonsense'], /unknown command "nonsense"/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toMatch(message);
      expect(isAlive(canary)).toBe(true);
    }
    expect(readPid(ranFile)).toBeUndefined();
    expect(fs.existsSync(ranFile)).toBe(false);
  });
});
