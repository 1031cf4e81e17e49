/**
 * The host state as a privilege boundary: what an unprivileged job (uid
 * 65534) can plant in the shared jobs/ folder must neither stop nor steer the
 * root sweep, nor a later job's check. Everything runs as a child process
 * with a timeout (the strays CLI from a plain-JS copy of src/), so a hang is a
 * failed assertion, not a stuck test run; the suite's private PID namespace
 * keeps the root sweep away from the machine's own processes.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { newSessionId, SESSION_VAR, TRACKING_VAR } from '../src/engine/session.js';
import { ensureJobsDir, jobsDir, listJobs, registerJob, serializeJob } from '../src/host/index.js';
import { readStat } from '../src/proc/linux.js';
import { hookScript } from '../src/cli/github-hooks.js';
import { buildForUsers } from './helpers/as-user.js';
import { describeIf, needsRootAndSharedNode } from './helpers/requires.js';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { markedDaemon, registeredJob, tempStateDir } from './helpers/sweep-jobs.js';

const NOBODY = 65534;
const missing = needsRootAndSharedNode('plants host state as uid 65534 and sweeps as root');
/** Far above what any of these runs needs; reaching it means something blocked. */
const TIMEOUT_MS = 45_000;
const INJECTED = 'x\n::error title=Injected::fake\n::stop-commands::deadbeef\n.json';

let build: string;
let leakers: Leakers;
let stateDir: string;
beforeAll(() => {
  if (missing === undefined) build = buildForUsers();
});
afterAll(() => {
  if (build) fs.rmSync(build, { recursive: true, force: true });
});
afterEach(async () => {
  await leakers?.cleanup();
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
});

/** A shared state directory as the README documents it: root's, 0755, with a root-owned sticky jobs/ (1777). */
function sharedStateDir(): string {
  const dir = tempStateDir();
  fs.chmodSync(dir, 0o755);
  ensureJobsDir(jobsDir(dir));
  return dir;
}

/** Runs `sh -c script` as `uid` with a timeout; the strays CLI is "$STRAYS". */
function shellAs(uid: number, script: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync('sh', ['-c', script], {
    encoding: 'utf8',
    uid,
    gid: uid,
    cwd: build,
    timeout: TIMEOUT_MS,
    env: {
      PATH: process.env.PATH,
      HOME: leakers.dir,
      NO_COLOR: '1',
      STRAYS: `${process.execPath} ${path.join(build, 'src/cli/index.js')}`,
      ...env,
    },
  });
}

/** `strays sweep` as root, in its own process. */
const rootSweep = (dir: string): SpawnSyncReturns<string> =>
  shellAs(0, `$STRAYS sweep --older-than 0s --grace 1s --state-dir "$DIR"`, { DIR: dir });

/** A job of `uid`: a live owner, its record written by that user, and a marked daemon of that user. */
async function liveJobOf(uid: number, dir: string): Promise<{ session: string; daemon: number }> {
  const owner = leakers.spawn('sleep', ['600'], { uid, gid: uid });
  const pid = owner.pid as number;
  const start = (await waitFor(() => readStat(pid), 'owner to start')).startTicks;
  const session = newSessionId();
  const registration = JSON.stringify({ session, owner: { pid, start, reader: 'linux-proc', comm: 'sleep' } });
  const wrote = shellAs(uid, `${process.execPath} --input-type=module -e "$CODE" "$REG" "$DIR"`, {
    CODE: `const r = await import('${build}/src/host/registry.js'); r.registerJob(JSON.parse(process.argv[1]), { stateDir: process.argv[2] });`,
    REG: registration,
    DIR: dir,
  });
  expect(wrote.status, wrote.stderr).toBe(0);
  const daemon = await markedDaemon(leakers, { [SESSION_VAR]: session }, 'sleep 301');
  return { session, daemon };
}

/** Lines of `text` that mention `needle`. */
const linesWith = (text: string, needle: string): string[] => text.split('\n').filter((l) => l.includes(needle));

/** Lines the runner would read as the planted workflow commands (actions/runner ActionCommand: `::` after leading whitespace). */
const injectedCommands = (text: string): string[] =>
  text.split('\n').filter((l) => /^\s*::.*(Injected|stop-commands|deadbeef)/.test(l));

describeIf(missing, 'host state planted by an unprivileged job (uid 65534), against a root sweep', () => {
  it('a FIFO, symlinks to /dev/zero and to a root-only file, a forged record and an injected name: one escaped line each, live jobs untouched', async () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o1777); // nobody's daemons write their pid files here
    stateDir = sharedStateDir();
    const jobs = jobsDir(stateDir);
    expect(fs.statSync(jobs).mode & 0o7777).toBe(0o1777);

    // Live jobs: one of nobody (its own record), one of root (root's record), each with a marked daemon.
    const nobodyJob = await liveJobOf(NOBODY, stateDir);
    const rootJob = await registeredJob(leakers, stateDir);
    const rootDaemon = await markedDaemon(leakers, { [SESSION_VAR]: rootJob.session });
    // A victim of root whose job is recorded elsewhere: only a forged record could tie it to a job here.
    const tracking = `github_${newSessionId()}`;
    const victim = await markedDaemon(leakers, { [SESSION_VAR]: newSessionId(), [TRACKING_VAR]: tracking });
    // A root-only file holding what would parse as a record.
    const secret = path.join(leakers.dir, 'root-only.json');
    fs.writeFileSync(secret, serializeJob({ ...listJobs({ stateDir }).jobs[0]!, session: 'secret' }), { mode: 0o600 });

    const forged = newSessionId();
    const forgedRecord = serializeJob({
      session: forged,
      runnerTrackingId: tracking,
      owner: { pid: 999_999, start: 1, reader: 'linux-proc', comm: 'gone' },
      startedAt: 0,
      host: 'h',
      registrar: 1,
      bootId: undefined,
    });
    const planted = shellAs(
      NOBODY,
      `cd "$JOBS" && mkfifo '~.json' && ln -s /dev/zero z.json && ln -s "$SECRET" secret.json &&
      printf '%s' "$FORGED" > "$FORGED_NAME.json" && printf '{}' > "$INJECTED" &&
      { cat "$ROOT_RECORD" 2>/dev/null && echo read-root-record; true; } &&
      printf '%s' "$FORGED" > "$HOME/copy.json" && { mv -f "$HOME/copy.json" "$ROOT_RECORD" 2>/dev/null && echo swapped || echo swap-refused; }`,
      {
        JOBS: jobs,
        SECRET: secret,
        FORGED: forgedRecord,
        FORGED_NAME: forged,
        INJECTED,
        ROOT_RECORD: path.join(jobs, `${rootJob.session}.json`),
      },
    );
    expect(planted.status, planted.stderr).toBe(0);
    // Root's record is 0640: nobody cannot read it. The sticky bit: nobody cannot replace it (rename(2): EPERM).
    expect(planted.stdout.trim()).toBe('swap-refused');

    const swept = rootSweep(stateDir);
    expect(swept.error, 'sweep finished within its timeout').toBeUndefined();
    expect(swept.status, swept.stderr).toBe(0);
    const out = swept.stdout;
    for (const pid of [nobodyJob.daemon, rootDaemon, victim]) expect(isAlive(pid)).toBe(true);

    const one = (needle: string, problem: RegExp): void => {
      const lines = linesWith(out, needle);
      expect(lines, `${needle} in:\n${out}`).toHaveLength(1);
      expect(lines[0]).toMatch(problem);
    };
    one(`${jobs}/~.json`, /skipped corrupt record .*: is not a regular file \(a FIFO\)/);
    one(`${jobs}/z.json`, /: is a symbolic link/);
    one(`${jobs}/secret.json`, /: is a symbolic link; nothing is ended/);
    one(`${jobs}/x\\n::error title=Injected::fake\\n::stop-commands::deadbeef\\n.json`, /: is not a strays job record/);
    one(
      `pid ${victim} `,
      new RegExp(
        `left alone, not this record's to end: .*carries the marker of job ${forged}, whose record is owned by uid ${NOBODY}`,
      ),
    );
    expect(linesWith(out, 'Injected')).toHaveLength(1);
    expect(injectedCommands(out)).toEqual([]);
    // Nothing of the root-only file reaches the output: not its size, not whether it parses.
    expect(out).not.toMatch(/secret\.json: .*(bytes|JSON|version)/);
    // The forged record stays, so the next sweep says so again; the live jobs' records stay.
    expect(
      listJobs({ stateDir })
        .jobs.map((j) => j.session)
        .sort(),
    ).toEqual([nobodyJob.session, rootJob.session, forged].sort());

    // A later job of nobody on the same host: start and check read the same folder and finish.
    const state = path.join(leakers.dir, 'later-job.json');
    const report = path.join(leakers.dir, 'later-report.json');
    const later = shellAs(
      NOBODY,
      `eval "$($STRAYS start --isolation marker --state "$STATE")" && $STRAYS check --state "$STATE" --remove-state --grace 1s --json "$REPORT"`,
      {
        STATE: state,
        REPORT: report,
        STRAYS_STATE_DIR: stateDir,
      },
    );
    expect(later.error, 'start and check finished within their timeout').toBeUndefined();
    expect(later.status, later.stderr).toBe(0);
    // The notes reach the report (and the console when it has sections): one escaped entry per bad file.
    const notes: string[] = JSON.parse(fs.readFileSync(report, 'utf8')).notes;
    expect(notes.filter((n) => n.includes('Injected'))).toEqual([
      expect.stringMatching(
        /^host state: skipped corrupt record .*x\\n::error title=Injected::fake\\n::stop-commands::deadbeef\\n\.json: /,
      ),
    ]);
    expect(notes.filter((n) => n.includes(`${jobs}/~.json`))).toHaveLength(1);
    expect(notes.filter((n) => n.includes(`${jobs}/z.json`))).toHaveLength(1);
    expect(linesWith(`${later.stdout}\n${later.stderr}`, 'Injected').length).toBeLessThanOrEqual(1);
    expect(injectedCommands(`${later.stdout}\n${later.stderr}`)).toEqual([]);
    expect(notes.join('\n')).not.toContain(rootJob.session);
    // nobody's own sweep of the shared folder: finishes, counts root's records it cannot read, ends nothing of root's.
    const own = shellAs(NOBODY, `$STRAYS sweep --older-than 0s --grace 1s --state-dir "$DIR"`, { DIR: stateDir });
    expect(own.error).toBeUndefined();
    expect(own.stdout).toMatch(/ {2}1 record\(s\) of other users not readable to this user \(mode 0640\)/);
    expect(linesWith(own.stdout, 'Injected')).toHaveLength(1);
    for (const pid of [nobodyJob.daemon, rootDaemon, victim]) expect(isAlive(pid)).toBe(true);
  });

  it("a later job's pre and post steps and the GitHub job-started hook finish, and print one escaped line per planted entry", async () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o1777);
    stateDir = sharedStateDir();
    const jobs = jobsDir(stateDir);
    const planted = shellAs(
      NOBODY,
      `cd "$JOBS" && mkfifo '~.json' && ln -s /dev/zero z.json && printf '{}' > "$INJECTED"`,
      { JOBS: jobs, INJECTED },
    );
    expect(planted.status, planted.stderr).toBe(0);

    // The action as nobody, with the real @actions/core: pre, then post with the state pre saved.
    const home = path.join(leakers.dir, 'runner');
    fs.mkdirSync(home, { mode: 0o777 });
    fs.chmodSync(home, 0o777);
    const files = {
      GITHUB_STATE: path.join(home, 'state'),
      GITHUB_ENV: path.join(home, 'env'),
      GITHUB_OUTPUT: path.join(home, 'output'),
      RUNNER_TEMP: home,
      STRAYS_STATE_DIR: stateDir,
      INPUT_ISOLATION: 'marker',
    };
    for (const f of [files.GITHUB_STATE, files.GITHUB_ENV, files.GITHUB_OUTPUT]) {
      fs.writeFileSync(f, '');
      fs.chmodSync(f, 0o666);
    }
    // Straight from node: sh would drop STATE_baseline-path (not a shell name) from the environment.
    const step = (name: string, more: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [path.join(build, `src/action/${name}.js`)], {
        encoding: 'utf8',
        uid: NOBODY,
        gid: NOBODY,
        cwd: build,
        timeout: TIMEOUT_MS,
        env: { PATH: process.env.PATH, HOME: home, ...files, ...more },
      });
    const pre = step('pre');
    expect(pre.error, 'pre finished within its timeout').toBeUndefined();
    expect(pre.status, pre.stdout + pre.stderr).toBe(0);
    const saved = /^baseline-path<<(\S+)\n(.*)\n\1$/m.exec(fs.readFileSync(files.GITHUB_STATE, 'utf8'));
    expect(saved, 'pre saved the baseline path').not.toBeNull();
    const post = step('post', { 'STATE_baseline-path': saved?.[2] });
    expect(post.error, 'post finished within its timeout').toBeUndefined();
    expect(post.status, post.stderr).toBe(0);
    const log = post.stdout;
    const postReport = fs.readdirSync(home).find((f) => f.endsWith('.report.json')) as string;
    const postNotes: string[] = JSON.parse(fs.readFileSync(path.join(home, postReport), 'utf8')).notes;
    expect(postNotes.filter((n) => n.includes('Injected'))).toEqual([
      expect.stringMatching(
        /^host state: skipped corrupt record .*x\\n::error title=Injected::fake\\n::stop-commands::deadbeef\\n\.json: /,
      ),
    ]);
    expect(postNotes.filter((n) => n.includes(`${jobs}/~.json`))).toHaveLength(1);
    expect(postNotes.filter((n) => n.includes(`${jobs}/z.json`))).toHaveLength(1);
    expect(linesWith(log, 'Injected').length).toBeLessThanOrEqual(1);
    expect(injectedCommands(log)).toEqual([]);

    // The job-started hook (as the runner's user, root here): sweep, then start; it still exports the marker.
    const hook = path.join(leakers.dir, 'job-started.sh');
    fs.writeFileSync(hook, hookScript('job-started', 'strays'), { mode: 0o755 });
    const githubEnv = path.join(leakers.dir, 'hook-env');
    const ran = shellAs(0, `exec bash -e "$HOOK"`, {
      HOOK: hook,
      STRAYS_BIN: `${process.execPath} ${path.join(build, 'src/cli/index.js')}`,
      STRAYS_STATE_DIR: stateDir,
      RUNNER_TRACKING_ID: `github_${newSessionId()}`,
      GITHUB_ENV: githubEnv,
      STRAYS_OPTIONS: '--isolation marker',
    });
    expect(ran.error, 'the hook finished within its timeout').toBeUndefined();
    expect(ran.status, ran.stderr).toBe(0);
    expect(fs.readFileSync(githubEnv, 'utf8')).toMatch(/^STRAYS_SESSION=strays-[0-9a-f]+$/m);
    const hookLog = `${ran.stdout}\n${ran.stderr}`;
    expect(linesWith(hookLog, 'Injected')).toHaveLength(1);
    expect(injectedCommands(hookLog)).toEqual([]);
  });

  it('a record swapped in a folder others may write without the sticky bit: the folder is refused in one line, nothing is ended', async () => {
    leakers = new Leakers();
    stateDir = tempStateDir();
    fs.chmodSync(leakers.dir, 0o1777);
    const job = await registeredJob(leakers, stateDir);
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    const jobs = jobsDir(stateDir);
    fs.chmodSync(stateDir, 0o755);
    fs.chmodSync(jobs, 0o777); // as a first registrant with a loose umask might have left it
    // nobody replaces root's record by a copy whose owner is long gone: root's live job would look over.
    const record = path.join(jobs, `${job.session}.json`);
    const fake = fs.readFileSync(record, 'utf8').replace(/"pid": \d+/, '"pid": 999999');
    const swapped = shellAs(
      NOBODY,
      `printf '%s' "$FAKE" > "$HOME/fake.json" && mv -f "$HOME/fake.json" "$RECORD" && echo swapped`,
      { FAKE: fake, RECORD: record },
    );
    expect(swapped.stdout.trim(), swapped.stderr).toBe('swapped');
    expect(fs.statSync(record).uid).toBe(NOBODY);

    const swept = rootSweep(stateDir);
    expect(swept.error).toBeUndefined();
    expect(swept.status, swept.stderr).toBe(0);
    const lines = linesWith(swept.stdout, jobs);
    expect(lines.filter((l) => /refused the jobs folder/.test(l))).toEqual([
      expect.stringMatching(
        /refused the jobs folder .*: is group- and world-writable without the sticky bit \(mode 0777\).*nothing is ended on its account/,
      ),
    ]);
    expect(isAlive(daemon)).toBe(true);
    // Even were the folder trusted, the swapped file is nobody's and could end no process of root.
    fs.chmodSync(jobs, 0o1777);
    const again = rootSweep(stateDir);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      new RegExp(`left alone, not this record's to end: pid ${daemon} .*whose record is owned by uid ${NOBODY}`),
    );
    expect(isAlive(daemon)).toBe(true);
  });

  it('records are 0640 and folders are made as documented: root a shared sticky jobs/, a user a private one', async () => {
    leakers = new Leakers();
    stateDir = tempStateDir();
    fs.chmodSync(stateDir, 0o755);
    const file = registerJob(
      { session: newSessionId(), owner: { pid: process.pid, start: 1, reader: 'linux-proc' } },
      { stateDir },
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.statSync(jobsDir(stateDir)).mode & 0o7777).toBe(0o1777);
    const mine = path.join(leakers.dir, 'nobody-state');
    fs.chmodSync(leakers.dir, 0o1777);
    const made = shellAs(
      NOBODY,
      `${process.execPath} --input-type=module -e "$CODE" && stat -c '%a %U' "$DIR" "$DIR/jobs" "$DIR/jobs/"*.json`,
      {
        CODE: `const r = await import('${build}/src/host/registry.js'); r.registerJob({ session: 'strays-0000000000000abc', owner: { pid: 1, start: 1, reader: 'linux-proc' } }, { stateDir: '${mine}' });`,
        DIR: mine,
      },
    );
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout.trim().split('\n')).toEqual(['700 nobody', '700 nobody', '640 nobody']);
  });
});
