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
  needsRootAndSharedNode,
  needsWritableCgroup,
} from './helpers/requires.js';
import { REPO_ROOT } from './sim/job.mjs';

const NOBODY = 65534;
const missing = firstMissing(
  needsRootAndSharedNode('runs the job as uid 65534 with its own sudoers rule'),
  needsCommand('sudo', 'sudo'),
  needsCommand('setpriv', 'util-linux'),
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

/** The job: pre, the step in argv[3], post; what each printed, as JSON on stdout. */
const DRIVER = `
import fs from 'node:fs';
import { SimJob } from ${JSON.stringify(path.join(REPO_ROOT, 'test/sim/job.mjs'))};
const [root, stepFile] = process.argv.slice(2);
const job = new SimJob({ root });
const pre = await job.pre();
const step = await job.run(fs.readFileSync(stepFile, 'utf8'), { id: 'tests' });
const post = await job.post();
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

/** Runs the driver as nobody, with `sudoers` as /etc/sudoers in a mount namespace of its own. */
function runJobAsNobody(dir: string, sudoers: string): Promise<{ pre: Step; step: Step; post: Step }> {
  const driver = path.join(dir, 'driver.mjs');
  const pids = path.join(dir, 'pids');
  const step = path.join(dir, 'step.sh');
  fs.writeFileSync(driver, DRIVER);
  fs.writeFileSync(step, leakyStep(pids));
  const own = [pids, path.join(dir, 'home'), path.join(dir, 'job')];
  for (const d of own) {
    fs.mkdirSync(d);
    fs.chownSync(d, NOBODY, NOBODY);
  }
  fs.chmodSync(dir, 0o755);
  const script =
    'mount --bind "$1" /etc/sudoers && shift && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"';
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'sh',
      sudoers,
      process.execPath,
      driver,
      path.join(dir, 'job'),
      step,
    ],
    { cwd: path.join(dir, 'home'), env: { PATH: process.env.PATH, HOME: path.join(dir, 'home') } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`the job exited ${code}: ${err.slice(-2000)}${out.slice(-2000)}`));
      }
    }),
  );
}

describeIf(missing, 'a hosted runner: the job as an unprivileged user with passwordless sudo', () => {
  it('makes the job cgroup through sudo, ends the unmarked daemon it proves, and removes the cgroup', async () => {
    leakers = new Leakers();
    const dir = leakers.dir;
    const log = path.join(dir, 'sudo.log');
    const sudoers = path.join(dir, 'sudoers');
    // What a hosted image grants the runner user, and a log of every command sudo runs.
    fs.writeFileSync(
      sudoers,
      `Defaults env_reset\nDefaults logfile="${log}"\nroot ALL=(ALL:ALL) ALL\nnobody ALL=(ALL) NOPASSWD: ALL\n`,
      { mode: 0o440 },
    );
    const { pre, step, post } = await runJobAsNobody(dir, sudoers);
    const pid = (name: string): number => {
      const p = Number(fs.readFileSync(path.join(dir, 'pids', name), 'utf8'));
      leakers?.trackIfAlive(p); // for afterEach, should post have left it
      return p;
    };
    const marked = pid('marked');
    const unmarked = pid('unmarked');

    expect(pre.code, pre.stdout + pre.stderr).toBe(0);
    expect(pre.stdout).toMatch(/isolation: cgroup \(auto\): job cgroup \S+ \(via sudo -n\)\./);
    expect(step.code).toBe(0);
    const session = /guarding this job as (strays-[0-9a-f]{16})/.exec(pre.stdout)?.[1];
    expect(session).toBeDefined();
    const record = loadBaseline(path.join(dir, 'job', 'runner-temp', `${session}.baseline.json`)).cgroup;
    expect(record?.via).toBe('sudo');
    jobCgroup = record && dirOf(record.mount, record.path);

    // Both daemons found and ended; fail-on-leak fails the post step.
    expect(post.code, post.stdout + post.stderr).toBe(1);
    expect(post.outputs['leaked-count']).toBe('2');
    const report = JSON.parse(fs.readFileSync(post.outputs['report-path'] as string, 'utf8'));
    const attribution = new Map(report.leaks.map((l: { pid: number; attribution: string }) => [l.pid, l.attribution]));
    expect([...attribution.keys()].sort()).toEqual([marked, unmarked].sort());
    expect(attribution.get(unmarked)).toBe('cgroup');
    for (const p of [marked, unmarked]) expect(isAlive(p)).toBe(false);
    // The cgroup is gone, and every cgroup write went through the real sudo, as nobody.
    expect(fs.existsSync(jobCgroup as string)).toBe(false);
    // sudo's log wraps long entries onto indented lines.
    const calls = fs
      .readFileSync(log, 'utf8')
      .split(/\n(?=\S)/)
      .filter(Boolean)
      .map((c) => c.replace(/\s+/g, ' '));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const c of calls) expect(c).toMatch(/ : nobody : .* USER=root ; COMMAND=/);
  }, 60_000);
});
