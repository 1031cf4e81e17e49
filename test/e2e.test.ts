/**
 * End to end: the committed action bundles (dist/pre, dist/main, dist/post)
 * run by the job simulator as a runner would run them, against real leakers.
 * Every pid a step reports is tracked at once, so afterEach ends whatever an
 * assertion left behind, by pid and start time, never by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimJob, REPO_ROOT, type StepResult } from './sim/job.mjs';
import { freePort, leakedPids, leakyStep } from './sim/leaks.mjs';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { expectValidReport } from './helpers/report-schema.js';
import { firstMissing, itIf, needsCommand, needsWritableCgroup } from './helpers/requires.js';

let leakers: Leakers;
const jobs: SimJob[] = [];

beforeAll(() => {
  for (const entry of ['pre', 'main', 'post']) {
    if (!fs.existsSync(path.join(REPO_ROOT, 'dist', entry, 'index.js')))
      throw new Error(`dist/${entry}/index.js is missing: run npm run build`);
  }
});

afterEach(async () => {
  await leakers.cleanup();
  for (const job of jobs.splice(0)) job.dispose();
});

function newJob(options: ConstructorParameters<typeof SimJob>[0] = {}): SimJob {
  const job = new SimJob(options);
  jobs.push(job);
  return job;
}

/** A run step that leaves `sleep <secs>` behind (in the runner's group, like `cmd &`) and reports its pid. */
async function leakSleep(job: SimJob, secs: number, id?: string): Promise<number> {
  const file = leakers.file('sleep');
  const step = await job.run(`sleep ${secs} > /dev/null 2>&1 < /dev/null &\necho $! > ${file}\n`, id ? { id } : {});
  expect(step.code).toBe(0);
  return leakers.track(Number(fs.readFileSync(file, 'utf8'))).pid;
}

const leakedCount = (post: StepResult): number => Number(post.outputs['leaked-count']);

describe('the action bundles in a simulated job', () => {
  it('a clean job passes: nothing leaked, a summary saying so, the report written, the job cgroup gone', async () => {
    leakers = new Leakers();
    const job = newJob();
    const ownCgroup = fs.readFileSync('/proc/self/cgroup', 'utf8');
    const pre = await job.pre();
    expect(pre.code).toBe(0);
    expect(job.jobEnv.STRAYS_SESSION).toMatch(/^strays-[0-9a-f]{16}$/);
    const main = await job.main();
    expect(main.stdout).toMatch(new RegExp(`guarded, session ${job.jobEnv.STRAYS_SESSION}, \\d+ processes`));
    expect((await job.run('echo building; sleep 0.1 & wait')).code).toBe(0);
    const post = await job.post();
    expect(post.code).toBe(0);
    expect(leakedCount(post)).toBe(0);
    expect(post.summary).toMatch(/no leaked processes/i);
    expect(post.annotations).toEqual([]);
    const report = expectValidReport(JSON.parse(fs.readFileSync(post.outputs['report-path'] as string, 'utf8')));
    expect(report).toMatchObject({ version: 1, session: job.jobEnv.STRAYS_SESSION, leaks: [] });
    // With a job cgroup (auto, where this machine allows one), this process (the steps' "worker") is back
    // where it was and the cgroup is removed: the runner chain left it while post read the table.
    const made = /job cgroup (\/\S+\/strays-[0-9a-f]{16})\./.exec(pre.stdout)?.[1];
    if (made !== undefined) expect(fs.existsSync(made)).toBe(false);
    expect(fs.readFileSync('/proc/self/cgroup', 'utf8')).toBe(ownCgroup);
  });

  itIf(
    firstMissing(needsCommand('git', 'git'), needsCommand('python3', 'python3')),
    'a leaking job fails, names every leak and its step, and ends them (git daemon, setsid server, sleep &)',
    async () => {
      leakers = new Leakers();
      const job = newJob();
      await job.pre({ inputs: { 'grace-period': '2s' } });
      const dir = path.join(job.root, 'leaks');
      fs.mkdirSync(dir);
      const step = await job.run(leakyStep(dir, await freePort()), { id: 'integration-tests' });
      const pids = leakedPids(dir);
      for (const pid of Object.values(pids)) if (isAlive(pid)) leakers.track(pid);
      expect(step.code).toBe(0);
      expect(Object.keys(pids).sort()).toEqual(['git-daemon', 'server', 'sleep']);
      for (const pid of Object.values(pids)) expect(isAlive(pid)).toBe(true);

      const post = await job.post({ inputs: { 'grace-period': '2s' } });
      expect(post.code).toBe(1);
      expect(leakedCount(post)).toBe(3);
      expect(post.summary).toMatch(/strays: 3 leaked processes/);
      for (const pid of Object.values(pids)) expect(post.summary).toContain(String(pid));
      expect(post.summary).toContain('git-daemon --detach');
      expect(post.summary).toContain('sleep 300');
      expect(post.summary).toMatch(/integration-tests/);
      const errors = post.annotations.filter((a) => a.level === 'error');
      for (const pid of Object.values(pids))
        expect(errors.some((a) => a.message.includes(`pid ${pid}`) && a.message.includes('integration-tests'))).toBe(
          true,
        );
      for (const pid of Object.values(pids)) await waitFor(() => !isAlive(pid), `pid ${pid} to be ended`);
      const report = expectValidReport(JSON.parse(fs.readFileSync(post.outputs['report-path'] as string, 'utf8')));
      expect(report.leaks.map((l: { pid: number }) => l.pid).sort()).toEqual(Object.values(pids).sort());
    },
  );

  it('kill: false reports the leak as a warning and leaves it running', async () => {
    leakers = new Leakers();
    const job = newJob();
    const inputs = { kill: 'false', 'fail-on-leak': 'false' };
    await job.pre({ inputs });
    const pid = await leakSleep(job, 331);
    const post = await job.post({ inputs });
    expect(post.code).toBe(0);
    expect(leakedCount(post)).toBe(1);
    expect(post.summary).toContain('sleep 331');
    expect(post.annotations.map((a) => a.level)).toEqual(['warning', 'warning']); // the job's, then the group's
    expect(isAlive(pid)).toBe(true);
    process.kill(pid, 'SIGKILL'); // ours: the test started it (afterEach would too)
  });

  itIf(
    needsWritableCgroup(),
    'kill: false in a job cgroup: the cgroup still holding the leak is left, and said after the report, in the log, the summary and the JSON',
    async () => {
      leakers = new Leakers();
      const job = newJob();
      const inputs = { kill: 'false', 'fail-on-leak': 'false', isolation: 'cgroup' };
      await job.pre({ inputs });
      const pid = await leakSleep(job, 334);
      const post = await job.post({ inputs });
      expect(post.code).toBe(0);
      const report = expectValidReport(JSON.parse(fs.readFileSync(post.outputs['report-path'] as string, 'utf8')));
      expect(report.isolation).toBe('cgroup');
      const left = new RegExp(
        `The job cgroup /\\S+/strays-[0-9a-f]{16} still holds pid ${pid}; it is left in place\\.`,
      );
      // Closing runs while the report is published: its note follows the report's summary line.
      const lines = post.stdout.split('\n');
      const summaryLine = lines.findIndex((l) => l.includes('strays: 1 leaked process'));
      const noteLine = lines.findIndex((l) => left.test(l));
      expect(summaryLine).toBeGreaterThanOrEqual(0);
      expect(noteLine).toBeGreaterThan(summaryLine);
      expect(post.summary).toMatch(/Notes on closing the job cgroup \(1\)/);
      expect(post.summary).toMatch(left);
      expect(report.notes.some((n: string) => left.test(n))).toBe(true);
      expect(isAlive(pid)).toBe(true);
      process.kill(pid, 'SIGKILL'); // ours: the test started it (afterEach would too)
    },
  );

  it('an allowed process survives, and alone it does not fail the job', async () => {
    leakers = new Leakers();
    const job = newJob();
    const inputs = { allow: 'sleep 33[2]\nname:nothing-like-this' };
    await job.pre({ inputs });
    const allowed = await leakSleep(job, 332);
    const post = await job.post({ inputs });
    expect(post.code).toBe(0);
    expect(leakedCount(post)).toBe(0);
    expect(isAlive(allowed)).toBe(true);
    const report = expectValidReport(JSON.parse(fs.readFileSync(post.outputs['report-path'] as string, 'utf8')));
    expect(JSON.stringify(report.spared)).toContain(String(allowed));
  });

  it('a bad input fails pre at once, naming the input, the value and the accepted forms', async () => {
    leakers = new Leakers();
    const job = newJob();
    const pre = await job.pre({ inputs: { 'grace-period': 'a while' } });
    expect(pre.code).toBe(1);
    expect(pre.annotations[0]?.message).toMatch(/grace-period "a while".*"500ms", "5s", "1m"/);
    expect(job.jobEnv.STRAYS_SESSION).toBeUndefined();
  });

  it('spares a process from before the job and one of a concurrent job, ending only its own', async () => {
    leakers = new Leakers();
    const before = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 333' &`);
    const a = newJob();
    const b = newJob();
    expect(a.trackingId).not.toBe(b.trackingId);
    // Both jobs' "workers" are this one test process: with job cgroups, B's pre would move it into a cgroup
    // below A's, and B's processes would then rightly be members of A's cgroup. Real jobs have a worker each.
    const inputs = { 'grace-period': '2s', isolation: 'marker' };
    await a.pre({ inputs });
    await b.pre({ inputs });
    expect(a.jobEnv.STRAYS_SESSION).not.toBe(b.jobEnv.STRAYS_SESSION);
    const ofB = await leakSleep(b, 334);
    const ofA = await leakSleep(a, 335);

    const postA = await a.post({ inputs });
    expect(postA.code).toBe(1);
    expect(leakedCount(postA)).toBe(1);
    await waitFor(() => !isAlive(ofA), `job A's pid ${ofA} to be ended`);
    expect(isAlive(ofB)).toBe(true);
    expect(isAlive(before)).toBe(true);

    const postB = await b.post({ inputs });
    expect(leakedCount(postB)).toBe(1);
    await waitFor(() => !isAlive(ofB), `job B's pid ${ofB} to be ended`);
    expect(isAlive(before)).toBe(true);
  });

  it('post without pre still cleans up by RUNNER_TRACKING_ID, with a warning', async () => {
    leakers = new Leakers();
    const job = newJob();
    const pid = await leakSleep(job, 336);
    const post = await job.post({ inputs: { 'grace-period': '2s' } });
    expect(post.annotations.some((a) => a.level === 'warning' && /no baseline/.test(a.message))).toBe(true);
    expect(leakedCount(post)).toBe(1);
    await waitFor(() => !isAlive(pid), `pid ${pid} to be ended`);
  });

  it('two concurrent jobs with the action on one host: each ends exactly its own leaks and fails only for its own', async () => {
    leakers = new Leakers();
    // Both jobs' steps are children of this one process, so a job cgroup (which moves the runner) cannot be given to each: marker isolation.
    const inputs = { 'grace-period': '1s', isolation: 'marker' };
    const a = newJob();
    const b = newJob();
    expect((await a.pre({ inputs })).code).toBe(0);
    expect((await b.pre({ inputs })).code).toBe(0);
    const leaks = async (job: SimJob, secs: number): Promise<{ marked: number; envI: number }> => {
      const marked = leakers.file('marked');
      const envI = leakers.file('envi');
      const step = await job.run(
        `setsid sh -c 'echo $$ > ${marked}; exec sleep ${secs}' > /dev/null 2>&1 < /dev/null &\n` +
          `env -i setsid sh -c 'echo $$ > ${envI}; exec sleep ${secs + 1}' > /dev/null 2>&1 < /dev/null &\n` +
          `while [ ! -s ${marked} ] || [ ! -s ${envI} ]; do sleep 0.02; done\n`,
      );
      expect(step.code).toBe(0);
      const pid = (f: string): number => leakers.track(Number(fs.readFileSync(f, 'utf8'))).pid;
      return { marked: pid(marked), envI: pid(envI) };
    };
    const ofA = await leaks(a, 520);
    const ofB = await leaks(b, 530);
    const postA = await a.post({ inputs });
    expect(postA.code).not.toBe(0);
    expect(leakedCount(postA)).toBe(1);
    expect(postA.outputs['unattributed-count']).toBe('0');
    await waitFor(() => !isAlive(ofA.marked), "job A's leak to end");
    expect(isAlive(ofB.marked)).toBe(true); // the other job's leak, still running its job
    for (const p of [ofA.envI, ofB.envI]) expect(isAlive(p)).toBe(true); // no proof without a job cgroup: left alone
    const reportA = JSON.parse(fs.readFileSync(postA.outputs['report-path'] as string, 'utf8')) as {
      leaks: Array<{ pid: number }>;
    };
    expect(reportA.leaks.map((l) => l.pid)).toEqual([ofA.marked]);
    const postB = await b.post({ inputs });
    expect(leakedCount(postB)).toBe(1);
    await waitFor(() => !isAlive(ofB.marked), "job B's leak to end");
  });
});
