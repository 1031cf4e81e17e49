/**
 * README "Leaks the marker cannot see", with the job AND the check running as
 * an unprivileged user (uid 65534), as on a real runner.
 *
 * ssh-agent (setgid) and gpg-agent (prctl PR_SET_DUMPABLE 0) make their
 * /proc/PID/environ unreadable even to their own user; an `env -i` daemon has
 * no marker to read. All three double-fork to PID 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Baseline } from '../src/engine/baseline.js';
import { loadBaseline } from '../src/engine/baseline-file.js';
import { detect } from '../src/engine/detect.js';
import type { Detection } from '../src/engine/findings.js';
import { SESSION_VAR } from '../src/engine/session.js';
import { resetHelperRefusals } from '../src/privilege/helper.js';
import { parsePrivilegedOutput, privilegedArgv, readEnvironsPrivileged } from '../src/proc/privileged.js';
import { readUnreadableEnvs, WANTED_ENV } from '../src/proc/index.js';
import type { ProcessTable } from '../src/proc/types.js';
import type { Termination } from '../src/terminate/types.js';
import { buildForUsers, runProbeAs } from './helpers/as-user.js';
import { describeIf, firstMissing, needsCommand, needsRootAndSharedNode } from './helpers/requires.js';
import { Leakers, isAlive, sleep, waitFor } from './helpers/leakers.js';

const NOBODY = 65534;
const missing = firstMissing(
  needsRootAndSharedNode('runs the job as uid 65534'),
  needsCommand('ssh-agent', 'openssh-client'),
  needsCommand('gpg-connect-agent', 'gnupg'),
);
let build: string;
let leakers: Leakers;

beforeAll(() => {
  if (missing === undefined) build = buildForUsers();
});
afterAll(() => {
  if (build) fs.rmSync(build, { recursive: true, force: true });
});
afterEach(async () => leakers?.cleanup());

interface CheckAnswer {
  readonly pid: number;
  readonly table: ProcessTable;
  readonly detection: Detection;
  readonly notes: readonly string[];
  readonly termination?: Termination;
}

/** The pre step, as the job's user: writes the baseline and returns it. */
async function startJob(): Promise<{ baseline: Baseline; file: string; env: NodeJS.ProcessEnv }> {
  const file = path.join(leakers.dir, 'baseline.json');
  await runProbeAs(build, NOBODY, ['snapshot', file]);
  const baseline = loadBaseline(file);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: leakers.dir, [SESSION_VAR]: baseline.session };
  return { baseline, file, env };
}

/** A step of the job, run as nobody: leaves its daemon, whose pid it writes to $PIDFILE. */
const step = (script: string, env: NodeJS.ProcessEnv): Promise<number> =>
  leakers.daemon(script, { env, uid: NOBODY, gid: NOBODY });

const SSH_AGENT = `eval "$(ssh-agent -s)" >/dev/null; echo "$SSH_AGENT_PID" > "$PIDFILE"`;
// gpg-connect-agent starts `gpg-agent --daemon`; its pid comes from the agent itself, never from a name lookup.
const GPG_AGENT = `export GNUPGHOME="$(mktemp -d "$HOME/gnupg.XXXXXX")"; gpg-connect-agent /bye >/dev/null 2>&1;
  gpg-connect-agent 'getinfo pid' /bye | sed -n 's/^D //p' > "$PIDFILE.tmp"; mv "$PIDFILE.tmp" "$PIDFILE"`;
const ENV_I = `env -i setsid sh -c 'echo $$ > "$0"; exec sleep 310' "$PIDFILE" &`;

/**
 * The post step, as nobody: check, and end what was found. Other test files
 * share this PID namespace; one of them briefly runs a process named
 * Runner.Worker, which rightly makes the guard refuse to guess. Retrying is
 * safe then: nothing was found, so nothing was signalled.
 */
async function finish(
  file: string,
  options: { otherSessions?: string[] } = {},
  expectAmbiguous = false,
): Promise<CheckAnswer> {
  for (let attempt = 0; ; attempt++) {
    const answer = await runProbeAs<CheckAnswer>(build, NOBODY, ['finish', file, JSON.stringify(options)]);
    const busyElsewhere =
      answer.detection.findings.length === 0 &&
      answer.detection.unattributed.some((u) => /Runner\.Worker/.test(u.reasons[1] ?? ''));
    if (expectAmbiguous || !busyElsewhere || attempt === 4) return answer;
    await sleep(200);
  }
}

describeIf(missing, 'unprivileged job and check (uid 65534)', () => {
  it('the agents really are unreadable to their own user (the premise)', async () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o777);
    const job = await startJob();
    const agents = [await step(SSH_AGENT, job.env), await step(GPG_AGENT, job.env)];
    const read = await runProbeAs<{ table: ProcessTable }>(build, NOBODY, ['read', job.file]);
    for (const pid of agents) {
      const p = read.table.processes.find((x) => x.pid === pid);
      expect(p?.uid).toBe(NOBODY);
      expect(p?.ppid).toBe(1);
      expect(p?.env).toEqual({ readable: false, reason: 'permission denied' });
      expect(p?.cwd).toBeUndefined();
      expect(p?.cgroup).toBeDefined(); // cgroup stays readable
    }
    // Root reads them, and they do carry the marker: only the checker's privileges hide it.
    for (const pid of agents)
      expect(fs.readFileSync(`/proc/${pid}/environ`, 'utf8')).toContain(`${SESSION_VAR}=${job.baseline.session}`);
  });

  // The env -i daemon is readable and marker-less: evidence against, so without a job cgroup it is left alone
  // (README "What ends a process, what only reports it").
  it('single-job host: finds ssh-agent and gpg-agent by the one guess and ends them; spares an env -i daemon, another user and older processes', async () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o777);
    const older = await step(ENV_I, { PATH: process.env.PATH });
    const job = await startJob();
    const sshAgent = await step(SSH_AGENT, job.env);
    const gpgAgent = await step(GPG_AGENT, job.env);
    const envI = await step(ENV_I, job.env);
    const otherUser = await leakers.daemon(`env -i setsid sh -c 'echo $$ > "$0"; exec sleep 311' "$PIDFILE" &`);
    const ours = [sshAgent, gpgAgent];

    const answer = await finish(job.file);
    const found = new Map(answer.detection.findings.map((f) => [f.process.pid, f]));
    for (const pid of ours) {
      expect(found.get(pid)?.attribution).toBe('time-window');
      expect(found.get(pid)?.reasons[0]).toMatch(
        /^started during the job by its user, orphaned \(parent is PID 1\).*; environment unreadable \(permission denied\) and no privileged read$/,
      );
      expect(found.get(pid)?.reasons[1]).toMatch(/no other job visible/);
    }
    for (const spared of [older, otherUser, envI, answer.pid]) expect(found.has(spared)).toBe(false);
    expect(answer.detection.findings.map((f) => f.process.pid).sort()).toEqual([...ours].sort());
    expect(answer.detection.unattributed).toEqual([]);
    // No sudo on the probe's PATH (test/helpers/as-user.ts): said once, and the check went on without it.
    expect(answer.notes).toEqual([expect.stringMatching(/unreadable and (sudo is not installed|sudo -n refused)/)]);

    const outcomes = new Map(answer.termination?.results.map((r) => [r.pid, r.outcome]));
    for (const pid of ours) expect(['exited', 'killed', 'zombie']).toContain(outcomes.get(pid));
    for (const pid of ours) await waitFor(() => !isAlive(pid), `pid ${pid} to end`);
    for (const pid of [older, otherUser, envI]) expect(isAlive(pid)).toBe(true);
  });

  it('another job active: the same processes are reported as unattributed and left alone', async () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o777);
    const job = await startJob();
    const other = await step(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 312' &`, {
      ...job.env,
      [SESSION_VAR]: 'strays-00000000000000ee',
    });
    const sshAgent = await step(SSH_AGENT, job.env);
    const gpgAgent = await step(GPG_AGENT, job.env);
    const envI = await step(ENV_I, job.env);

    // The other job is a live job of the host state: its session is judged for what it is.
    const answer = await finish(job.file, { otherSessions: ['strays-00000000000000ee'] }, true);
    expect(answer.detection.findings.map((f) => f.process.pid)).toEqual([]);
    const unattributed = new Map(answer.detection.unattributed.map((u) => [u.process.pid, u]));
    expect(unattributed.has(envI)).toBe(false); // readable, marker-less: not even possibly the job's
    for (const pid of [sshAgent, gpgAgent]) {
      expect(unattributed.get(pid)?.attribution).toBe('time-window');
      expect(unattributed.get(pid)?.reasons[1]).toContain(
        'strays session strays-00000000000000ee is active on this host',
      );
    }
    expect(unattributed.has(other)).toBe(false);
    expect(answer.detection.spared.find((s) => s.process.pid === other)?.reason).toMatch(/of another live job/);
    expect(answer.termination).toBeUndefined();
    for (const pid of [sshAgent, gpgAgent, envI, other]) expect(isAlive(pid)).toBe(true);
  });

  it('another active strays session in the host state also makes it ambiguous', async () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o777);
    const job = await startJob();
    const agent = await step(SSH_AGENT, job.env);
    const answer = await finish(job.file, { otherSessions: ['strays-00000000000000dd'] }, true);
    expect(answer.detection.unattributed.find((u) => u.process.pid === agent)?.reasons[1]).toMatch(
      /strays session strays-00000000000000dd is active/,
    );
    expect(isAlive(agent)).toBe(true);
  });

  it("another runner's Runner.Worker on the host makes it ambiguous too", async () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o777);
    // comm is the basename of the executed file: a link named Runner.Worker runs a sleep called that.
    const worker = path.join(leakers.dir, 'Runner.Worker');
    fs.symlinkSync('/bin/sleep', worker);
    const otherWorker = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; exec "$0" 313' "${worker}" &`, {
      uid: NOBODY,
      gid: NOBODY,
    });
    const job = await startJob();
    const agent = await step(SSH_AGENT, job.env);
    const answer = await finish(job.file, {}, true);
    expect(answer.detection.findings).toEqual([]);
    expect(answer.detection.unattributed.find((u) => u.process.pid === agent)?.reasons[1]).toContain(
      `pid ${otherWorker} is another runner's Runner.Worker`,
    );
    expect(isAlive(agent)).toBe(true);
  });

  it("privileged read: root reads the agents' environments in one call and attributes them by marker", async () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o777);
    const job = await startJob();
    const sshAgent = await step(SSH_AGENT, job.env);
    const gpgAgent = await step(GPG_AGENT, job.env);
    const envI = await step(ENV_I, job.env);
    // The table as the unprivileged checker reads it ...
    const asUser = await runProbeAs<{ table: ProcessTable }>(build, NOBODY, ['read', job.file]);
    expect(asUser.table.processes.find((p) => p.pid === sshAgent)?.env?.readable).toBe(false);
    // ... then the one privileged call, here run directly as root (prefix []) where a runner would use `sudo -n`.
    const { table, read } = await readUnreadableEnvs(asUser.table, []);
    expect(read).toBeGreaterThanOrEqual(2);
    const detection = detect(job.baseline, table, { checker: process.pid });
    const found = new Map(detection.findings.map((f) => [f.process.pid, f]));
    expect(found.get(sshAgent)?.attribution).toBe('privileged-read');
    expect(found.get(gpgAgent)?.attribution).toBe('privileged-read');
    expect(found.get(sshAgent)?.reasons[0]).toMatch(/carries this job's STRAYS_SESSION \(environment read as root/);
    expect(found.has(envI)).toBe(false); // readable, genuinely marker-less: evidence against
    // Only the marker variables were kept.
    const env = table.processes.find((p) => p.pid === sshAgent)?.env;
    expect(env?.readable && Object.keys(env.vars).every((k) => WANTED_ENV.has(k))).toBe(true);
  });
});

describe('privileged helper', () => {
  it('is not used when absent, with one reason, and never retried', async () => {
    resetHelperRefusals();
    const first = await readEnvironsPrivileged([process.pid], WANTED_ENV, { prefix: ['/nonexistent/sudo', '-n'] });
    expect(first).toEqual({ ok: false, reason: '/nonexistent/sudo is not installed', command: '/nonexistent/sudo -n' });
    const again = await readEnvironsPrivileged([process.pid], WANTED_ENV, { prefix: ['/nonexistent/sudo', '-n'] });
    expect(again).toEqual(first);
  });

  it('a refusing helper (password required) is reported with its own words', async () => {
    resetHelperRefusals();
    const result = await readEnvironsPrivileged([process.pid], WANTED_ENV, {
      prefix: ['sh', '-c', 'echo "sudo: a password is required" >&2; exit 1', 'sudo'],
    });
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('a password is required') });
  });
});

describe('privileged output parsing', () => {
  it("keeps only wanted variables, and a process cannot forge another pid's section", () => {
    const token = 'strays-0123456789abcdef01234567';
    const forged = `X=1\0${'strays-guess'}=2\0STRAYS_SESSION=evil\0`;
    const raw = `\0${token}=1\0SECRET=s\0STRAYS_SESSION=a\0${forged}\0${token}=2\0HOME=/x\0\0${token}=3\0\0${token}-failed=3\0`;
    const envs = parsePrivilegedOutput(raw, token, [1, 2, 3, 4], WANTED_ENV);
    expect(envs.get(1)).toEqual({ readable: true, vars: { STRAYS_SESSION: 'a' }, via: 'privileged' });
    expect(envs.get(2)).toEqual({ readable: true, vars: {}, via: 'privileged' });
    expect(envs.get(3)?.readable).toBe(false);
    expect(envs.get(4)).toEqual({ readable: false, reason: 'not printed by the privileged helper' });
  });

  it('runs one helper for all pids', () => {
    const argv = privilegedArgv(['sudo', '-n'], [10, 20], 'tok');
    expect(argv.slice(0, 4)).toEqual(['sudo', '-n', 'sh', '-c']);
    expect(argv.slice(5)).toEqual(['sh', '/proc', 'tok', '10', '20']);
  });
});
