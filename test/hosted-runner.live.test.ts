/**
 * A GitHub-hosted runner's set-up, for real: the job runs as an unprivileged
 * user with passwordless sudo (README "When a job cgroup is used"), and the
 * committed bundles (dist/) run through the job simulator as the runner runs
 * them. Nothing stands in for sudo: the real one, with a sudoers file of the
 * test's own bind-mounted over /etc/sudoers in a private mount namespace, so
 * that the host's sudoers are never touched and the rule dies with the test.
 *
 * The job leaks a daemon that carries the job's marks and an `env -i`
 * daemon that carries nothing: only the job cgroup, made through sudo at job
 * start, proves the second is the job's.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { dirOf, readProcs, subCgroups } from '../src/cgroup/index.js';
import { loadBaseline } from '../src/engine/baseline-file.js';
import { moveProcess } from './helpers/cgroup.js';
import { Leakers, isAlive } from './helpers/leakers.js';
import {
  describeIf,
  firstMissing,
  needsCommand,
  needsMountNamespace,
  needsRootAndSharedNode,
  needsWritableCgroup,
} from './helpers/requires.js';
import { JOB_UID, asHostedUser, writeHostedSudoers } from './sim/hosted-user.mjs';
import { REPO_ROOT } from './sim/job.mjs';

const NOBODY = JOB_UID;
const missing = firstMissing(
  needsRootAndSharedNode('runs the job as uid 65534 with its own sudoers rule'),
  needsCommand('sudo', 'sudo'),
  needsCommand('setpriv', 'util-linux'),
  needsMountNamespace(),
  needsWritableCgroup(),
  readableByNobody(),
);

/** The job's user must be able to read the bundles and the simulator (a checkout under /root is not). */
function readableByNobody(): string | undefined {
  for (let p = REPO_ROOT; p !== path.dirname(p); p = path.dirname(p))
    if ((fs.statSync(p).mode & 0o005) !== 0o005) return `needs ${REPO_ROOT} readable by other users (${p} is not)`;
  return undefined;
}

let leakers: Leakers | undefined;
let jobCgroup: string | undefined;

afterEach(async () => {
  await leakers?.cleanup();
  // A cgroup the post step failed to remove: its processes go back to the parent, then it goes.
  if (jobCgroup !== undefined && fs.existsSync(jobCgroup)) {
    const all = [jobCgroup, ...subCgroups(jobCgroup)];
    for (const d of all) for (const pid of readProcs(d)) moveProcess(path.dirname(jobCgroup), pid);
    for (const d of all.reverse()) fs.rmdirSync(d);
  }
  leakers = undefined;
  jobCgroup = undefined;
});

/** The job: pre, the step in argv[3], post, with the inputs in argv[4]; what each printed, as JSON on stdout. */
const DRIVER = `
import fs from 'node:fs';
import { SimJob } from ${JSON.stringify(path.join(REPO_ROOT, 'test/sim/job.mjs'))};
const [root, stepFile, inputs] = process.argv.slice(2);
const job = new SimJob({ root });
const pre = await job.pre({ inputs: JSON.parse(inputs) });
const step = await job.run(fs.readFileSync(stepFile, 'utf8'), { id: 'tests' });
const post = await job.post({ inputs: JSON.parse(inputs) });
process.stdout.write(JSON.stringify({ pre, step, post }));
`;

/** A step that leaves a daemon with the job's marks and one without any (`env -i`), their pids in `pids`. */
const leakyStep = (pids: string): string =>
  [
    `nohup sleep 300 >/dev/null 2>&1 & echo $! > '${pids}/marked'`,
    `env -i setsid sh -c 'echo $$ > "$0"; exec sleep 301' '${pids}/unmarked' >/dev/null 2>&1 &`,
    `while [ ! -s '${pids}/unmarked' ]; do sleep 0.05; done`,
  ].join('\n');

interface Step {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
}

interface HostedJob {
  readonly pre: Step;
  readonly step: Step;
  readonly post: Step;
  /** Every command sudo ran, one entry each (its log, unwrapped). */
  readonly sudoCalls: readonly string[];
  /** The job cgroup pre recorded in the baseline, and how it was made. */
  readonly jobCgroup: string | undefined;
  readonly via: string | undefined;
}

/**
 * Runs pre, `stepScript` and post as nobody, with passwordless sudo granted by a sudoers file bind-mounted over
 * /etc/sudoers in a mount namespace of the job's own.
 */
async function hostedJob(dir: string, stepScript: string, inputs: Record<string, string> = {}): Promise<HostedJob> {
  const log = path.join(dir, 'sudo.log');
  const sudoers = path.join(dir, 'sudoers');
  writeHostedSudoers(sudoers, log);
  const driver = path.join(dir, 'driver.mjs');
  const step = path.join(dir, 'step.sh');
  fs.writeFileSync(driver, DRIVER);
  fs.writeFileSync(step, stepScript);
  for (const d of ['pids', 'home', 'job']) {
    fs.mkdirSync(path.join(dir, d));
    fs.chownSync(path.join(dir, d), NOBODY, NOBODY);
  }
  fs.chmodSync(dir, 0o755);
  const [command, args] = asHostedUser(sudoers, [
    process.execPath,
    driver,
    path.join(dir, 'job'),
    step,
    JSON.stringify(inputs),
  ]);
  const child = spawn(command, args, {
    cwd: path.join(dir, 'home'),
    env: { PATH: process.env.PATH, HOME: path.join(dir, 'home') },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const steps: { pre: Step; step: Step; post: Step } = await new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`the job exited ${code}: ${err.slice(-2000)}${out.slice(-2000)}`));
      }
    }),
  );
  const session = /guarding this job as (strays-[0-9a-f]{16})/.exec(steps.pre.stdout)?.[1];
  const baseline = path.join(dir, 'job', 'runner-temp', `${session}.baseline.json`);
  const record = session && fs.existsSync(baseline) ? loadBaseline(baseline).cgroup : undefined;
  jobCgroup = record && dirOf(record.mount, record.path);
  // sudo's log wraps long entries onto indented lines.
  const sudoCalls = fs.existsSync(log)
    ? fs
        .readFileSync(log, 'utf8')
        .split(/\n(?=\S)/)
        .filter(Boolean)
        .map((c) => c.replace(/\s+/g, ' '))
    : [];
  return { ...steps, sudoCalls, jobCgroup, via: record?.via };
}

/** The pid a step wrote to pids/NAME; tracked for afterEach should post have left it. */
function leakedPid(dir: string, name: string): number {
  const pid = Number(fs.readFileSync(path.join(dir, 'pids', name), 'utf8'));
  leakers?.trackIfAlive(pid);
  return pid;
}

/** Each leak of the JSON report by pid: its attribution and outcome. */
function leaksOf(post: Step): Map<number, { attribution: string; outcome: string; uid: number; group: number }> {
  const report = JSON.parse(fs.readFileSync(post.outputs['report-path'] as string, 'utf8'));
  return new Map(
    report.leaks.map((l: { pid: number; attribution: string; outcome: string; uid: number; group: number }) => [
      l.pid,
      l,
    ]),
  );
}

/** Every call was nobody running a command as root through the real sudo. */
const expectSudoCalls = (calls: readonly string[], count: number): void => {
  expect(calls).toHaveLength(count);
  for (const c of calls) expect(c).toMatch(/ : nobody : .* USER=root ; COMMAND=/);
};

describeIf(missing, 'a hosted runner: the job as an unprivileged user with passwordless sudo', () => {
  it('makes the job cgroup through sudo, ends the unmarked daemon it proves, and removes the cgroup', async () => {
    leakers = new Leakers();
    const dir = leakers.dir;
    const job = await hostedJob(dir, leakyStep(path.join(dir, 'pids')));
    const marked = leakedPid(dir, 'marked');
    const unmarked = leakedPid(dir, 'unmarked');

    expect(job.pre.code, job.pre.stdout + job.pre.stderr).toBe(0);
    expect(job.pre.stdout).toMatch(/isolation: cgroup \(auto\): job cgroup \S+ \(via sudo -n\)\./);
    expect(job.via).toBe('sudo');
    expect(job.step.code).toBe(0);
    // Both daemons found and ended; fail-on-leak fails the post step.
    expect(job.post.code, job.post.stdout + job.post.stderr).toBe(1);
    expect(job.post.outputs['leaked-count']).toBe('2');
    const leaks = leaksOf(job.post);
    expect([...leaks.keys()].sort()).toEqual([marked, unmarked].sort());
    expect(leaks.get(unmarked)?.attribution).toBe('cgroup');
    for (const p of [marked, unmarked]) expect(isAlive(p)).toBe(false);
    // The cgroup is gone; open, the move out for the freezer, close: each through the real sudo.
    expect(fs.existsSync(job.jobCgroup as string)).toBe(false);
    expectSudoCalls(job.sudoCalls, 3);
  }, 60_000);

  it('a clean job: two sudo calls, the cgroup removed at once, nothing said about it', async () => {
    leakers = new Leakers();
    const job = await hostedJob(leakers.dir, 'true\n');
    expect(job.pre.stdout).toMatch(/\(via sudo -n\)\./);
    expect(job.via).toBe('sudo');
    expect(job.post.code, job.post.stdout + job.post.stderr).toBe(0);
    expect(job.post.outputs['leaked-count']).toBe('0');
    // The helper that closes the cgroup was started from inside it (the post step is a child of the runner
    // worker, which is in the job cgroup): it must not keep the cgroup populated while it waits for it to empty.
    expect(job.post.stdout).not.toMatch(/still holds|left in place|cannot remove/);
    expect(fs.existsSync(job.jobCgroup as string)).toBe(false);
    expectSudoCalls(job.sudoCalls, 2);
  }, 60_000);

  it('isolation marker: ssh-agent hides its environment from its own user; the marker read through sudo proves it', async () => {
    leakers = new Leakers();
    const dir = leakers.dir;
    const pids = path.join(dir, 'pids');
    const job = await hostedJob(dir, `eval "$(ssh-agent -s)" >/dev/null; echo "$SSH_AGENT_PID" > '${pids}/agent'\n`, {
      isolation: 'marker',
    });
    const agent = leakedPid(dir, 'agent');
    expect(job.pre.stdout).toMatch(/isolation: marker \(as requested\)/);
    expect(job.post.code, job.post.stdout + job.post.stderr).toBe(1);
    expect(leaksOf(job.post).get(agent)?.attribution).toBe('privileged-read');
    expect(isAlive(agent)).toBe(false);
    expectSudoCalls(job.sudoCalls, 1); // the one privileged read; nothing else needed sudo
  }, 60_000);

  it("another user's daemon in the job cgroup (a step's sudo): proven by the cgroup, ended through sudo", async () => {
    leakers = new Leakers();
    const dir = leakers.dir;
    const pids = path.join(dir, 'pids');
    // sudo resets the environment: the daemon carries no mark, and it runs as root, not as the job's user. The
    // sudo above it stays too; it stops itself when its command is stopped, so it needs one more SIGCONT to act
    // on its SIGTERM (src/terminate/index.ts, resumeOnce) rather than wait for SIGKILL.
    const job = await hostedJob(
      dir,
      `sudo -n setsid sh -c 'echo $$ > "$0"; exec sleep 302' '${pids}/root' >/dev/null 2>&1 &\n` +
        `setsid sh -c 'echo $$ > "$0"; exec sleep 303' '${pids}/own' >/dev/null 2>&1 &\n` +
        `while [ ! -s '${pids}/root' ] || [ ! -s '${pids}/own' ]; do sleep 0.05; done\n`,
    );
    const daemon = leakedPid(dir, 'root');
    const own = leakedPid(dir, 'own');
    expect(job.via).toBe('sudo');
    expect(job.post.code, job.post.stdout + job.post.stderr).toBe(1);
    const leaks = leaksOf(job.post);
    expect(leaks.get(daemon)).toMatchObject({ attribution: 'cgroup', outcome: 'exited' });
    // The job user's own `sleep 303` has the root daemon's shape, step and outcome, but not its user: its own row.
    expect(leaks.get(own)).toMatchObject({ uid: NOBODY, outcome: 'exited' });
    expect(leaks.get(own)?.group).not.toBe(leaks.get(daemon)?.group);
    leaks.delete(own);
    // The sudo process keeps the step's environment, unreadable to the job's user: its marker is read through sudo.
    for (const [pid, leak] of leaks) {
      expect(leak.uid).toBe(0);
      expect(leak.outcome).toBe('exited'); // on SIGTERM, within the grace period
      expect(['cgroup', 'privileged-read']).toContain(leak.attribution);
      expect(isAlive(pid)).toBe(false);
    }
    expect(fs.existsSync(job.jobCgroup as string)).toBe(false);
  }, 60_000);
});
