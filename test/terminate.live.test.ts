import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, type Detection } from '../src/engine/index.js';
import { readStat } from '../src/proc/linux.js';
import { terminate } from '../src/terminate/index.js';
import type { TerminationResult } from '../src/terminate/types.js';
import type { TestJob } from './helpers/job.js';
import { type Leakers, isAlive, sleep, waitFor } from './helpers/leakers.js';
import { byPid, detectAsFinishJob, findingFor, leakingJobs, rescanOf, stillLeaking } from './helpers/terminate.js';
import { itIf, needsCommand } from './helpers/requires.js';

const fresh = leakingJobs();
let leakers: Leakers;

const setup = (): TestJob => {
  const next = fresh();
  leakers = next.leakers;
  return next.job;
};

/** Outside the test PID namespace nothing reaps orphans, so an ended orphan may stay a zombie. */
const ENDED_ON_TERM = ['exited', 'zombie'];
const ENDED_ON_KILL = ['killed', 'zombie'];

function expectEnded(r: TerminationResult | undefined, onKill: boolean): void {
  expect(r, 'a result for the pid').toBeDefined();
  expect(onKill ? ENDED_ON_KILL : ENDED_ON_TERM).toContain(r?.outcome);
  if (onKill) expect(r?.signals).toContain('SIGKILL');
  else expect(r?.signals).not.toContain('SIGKILL');
  if (r?.outcome === 'zombie') expect(r.reaper).toBeGreaterThan(0);
}

function expectFound(detection: Detection, pids: readonly number[]): void {
  for (const pid of pids)
    expect(
      detection.findings.map((f) => f.process.pid),
      `pid ${pid} detected`,
    ).toContain(pid);
}

async function findingsOf(j: TestJob, pids: readonly number[]) {
  const { detection } = await check(j.baseline);
  expectFound(detection, pids);
  return detection;
}

/** Detects until `enough(count)` holds: 300 background forks take a moment to appear. */
async function findingsWhen(j: TestJob, enough: (count: number) => boolean) {
  for (let tries = 0; ; tries++) {
    const { detection } = await check(j.baseline);
    if (enough(detection.findings.length) || tries > 200) return detection.findings;
    await sleep(50);
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });

describe('terminate against live leakers', () => {
  it('ends a setsid nohup daemon on SIGTERM, through its own process group', async () => {
    const j = setup();
    const pid = await leakers.daemon(`setsid nohup sh -c 'echo $$ > "$PIDFILE"; exec sleep 310' >/dev/null 2>&1 &`, {
      env: j.env,
    });
    const { findings } = await findingsOf(j, [pid]);
    const t = await terminate(findings, { graceMs: 1000, kill: true, rescan: rescanOf(j) });
    const r = byPid(t.results, pid);
    expectEnded(r, false);
    expect(r?.via).toBe('group');
    expect(r?.signals.slice(0, 3)).toEqual(['SIGSTOP', 'SIGTERM', 'SIGCONT']);
    expect(await stillLeaking(j)).toEqual([]);
  });

  itIf(needsCommand('git', 'git'), 'ends a git daemon --detach (the git-kv case)', async () => {
    const j = setup();
    const base = fs.mkdtempSync(path.join(leakers.dir, 'git-'));
    const port = await freePort();
    const pid = await leakers.daemon(
      `exec git daemon --detach --pid-file="$PIDFILE" --base-path="${base}" --listen=127.0.0.1 --port=${port} "${base}"`,
      { env: j.env },
    );
    const { findings } = await findingsOf(j, [pid]);
    const t = await terminate(findings, { graceMs: 1000, kill: true, rescan: rescanOf(j) });
    expectEnded(byPid(t.results, pid), false);
    expect(await stillLeaking(j)).toEqual([]);
  });

  it('ends a grandchild orphaned when its parent was SIGKILLed (the Gitea case)', async () => {
    const j = setup();
    const childFile = leakers.file('child');
    const parent = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; sleep 309 & echo $! > "${childFile}"; wait' &`, {
      env: j.env,
    });
    const child = await waitFor(
      () => Number(fs.existsSync(childFile) && fs.readFileSync(childFile, 'utf8')) || undefined,
      'child pid',
    );
    leakers.track(child);
    process.kill(parent, 'SIGKILL');
    await waitFor(() => !isAlive(parent), 'the parent to die');
    const { findings } = await findingsOf(j, [child]);
    const t = await terminate(findings, { graceMs: 1000, kill: true, rescan: rescanOf(j) });
    expectEnded(byPid(t.results, child), false);
    expect(await stillLeaking(j)).toEqual([]);
  });

  it('SIGKILLs a loop that ignores SIGTERM, soon after the grace period', async () => {
    const j = setup();
    const pid = await leakers.daemon(`setsid sh -c 'trap "" TERM; echo $$ > "$PIDFILE"; while :; do sleep 1; done' &`, {
      env: j.env,
    });
    // As the post step calls it: detection's table, and rescans that read only what is new.
    const detected = await detectAsFinishJob(j);
    expectFound(detected.detection, [pid]);
    const graceMs = 500;
    const { processes, rescan } = detected;
    const t = await terminate(detected.detection.findings, { graceMs, kill: true, processes, rescan });
    expectEnded(byPid(t.results, pid), true);
    expect(t.results.filter((r) => r.outcome === 'survived')).toEqual([]);
    expect(await stillLeaking(j)).toEqual([]);
    console.log(`[terminate] SIGTERM-ignoring loop: grace ${graceMs} ms, terminate took ${t.durationMs} ms`);
  });

  it('ends a stopped (SIGSTOP) process', async () => {
    const j = setup();
    const pid = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 308' &`, { env: j.env });
    process.kill(pid, 'SIGSTOP');
    await waitFor(() => readStat(pid)?.state === 'T', 'state T');
    const { findings } = await findingsOf(j, [pid]);
    const t = await terminate(findings, { graceMs: 1000, kill: true, rescan: rescanOf(j) });
    expect(['exited', 'killed', 'zombie']).toContain(byPid(t.results, pid)?.outcome);
    expect(await stillLeaking(j)).toEqual([]);
  });

  // sudo without a pty stops itself when its command stops: after stop-the-world and SIGCONT it stopped again,
  // its SIGTERM pending, and only SIGKILL ended it, a grace period later (test/hosted-runner.live.test.ts). This
  // parent stops itself once when it is first resumed, and relays SIGTERM to its child, as sudo does.
  itIf(
    needsCommand('python3', 'python3'),
    'ends a parent that stops itself again once resumed (as sudo does), on SIGTERM: one more SIGCONT',
    async () => {
      const j = setup();
      const script = [
        'import os, signal, sys',
        'child = os.fork()',
        "if child == 0: os.execvp('sleep', ['sleep', '309'])",
        "open(os.environ['PIDFILE'], 'w').write(str(os.getpid()))",
        'stops = [1]',
        'def relay(signo, frame):',
        '    try: os.kill(child, signo)',
        '    except ProcessLookupError: pass',
        'def stop_once(signo, frame):',
        '    if stops: stops.pop(); os.kill(os.getpid(), signal.SIGSTOP)',
        'signal.signal(signal.SIGTERM, relay)',
        'signal.signal(signal.SIGCONT, stop_once)',
        'os.waitpid(child, 0)',
      ].join('\n');
      const file = leakers.file('stops-with-its-child.py');
      fs.writeFileSync(file, script);
      const pid = await leakers.daemon(`setsid python3 '${file}' &`, { env: j.env });
      const { findings } = await findingsOf(j, [pid]);
      const t = await terminate(findings, { graceMs: 5000, kill: true, rescan: rescanOf(j) });
      expectEnded(byPid(t.results, pid), false);
      expect(byPid(t.results, pid)?.signals.filter((s) => s === 'SIGCONT').length).toBe(2);
      expect(await stillLeaking(j)).toEqual([]);
    },
  );

  it("ends two supervisors in separate sessions that restart each other and each other's child", async () => {
    const j = setup();
    const d = leakers.dir;
    const script = path.join(d, 'sup.sh');
    fs.writeFileSync(
      script,
      [
        'echo $$ > "$D/sup-$1"',
        'while :; do',
        '  c=$(cat "$D/child-$2" 2>/dev/null)',
        '  if [ -z "$c" ] || ! kill -0 "$c" 2>/dev/null; then sleep 300 & echo $! > "$D/child-$2"; fi',
        '  s=$(cat "$D/sup-$2" 2>/dev/null)',
        '  if [ -z "$s" ] || ! kill -0 "$s" 2>/dev/null; then setsid sh "$D/sup.sh" "$2" "$1" & fi',
        '  sleep 0.05',
        'done',
        '',
      ].join('\n'),
    );
    const env = { ...j.env, D: d };
    await leakers.daemon(`echo $$ > "$PIDFILE"; setsid sh "$D/sup.sh" a b & exec sleep 311`, { env });
    const read = (name: string): number | undefined => {
      const text = fs.existsSync(path.join(d, name)) ? fs.readFileSync(path.join(d, name), 'utf8').trim() : '';
      return /^\d+$/.test(text) && isAlive(Number(text)) ? Number(text) : undefined;
    };
    const pids = await waitFor(() => {
      const all = ['sup-a', 'sup-b', 'child-a', 'child-b'].map(read);
      return all.every((p) => p !== undefined) ? (all as number[]) : undefined;
    }, 'both supervisors and both children');
    const sups = pids.slice(0, 2) as number[];
    const detected = await detectAsFinishJob(j);
    expectFound(detected.detection, pids);
    const t = await terminate(detected.detection.findings, {
      graceMs: 1000,
      kill: true,
      processes: detected.processes,
      rescan: detected.rescan,
    });
    for (const pid of sups) expect(['exited', 'killed', 'zombie']).toContain(byPid(t.results, pid)?.outcome);
    expect(t.results.filter((r) => r.outcome === 'survived')).toEqual([]);
    await sleep(200); // a supervisor that escaped would have restarted something by now
    expect(await stillLeaking(j)).toEqual([]);
    console.log(
      `[terminate] supervisors: ${t.results.length} results, ${t.added.length} added by rescans, ${t.durationMs} ms`,
    );
  });

  it('reports the zombie child and kills its parent', async () => {
    const j = setup();
    // The child outlives the exec, so the shell cannot reap it first; `sleep 306` never calls wait(2).
    const parent = await leakers.daemon(`sh -c 'sleep 0.3 & echo $$ > "$PIDFILE"; exec sleep 306' &`, { env: j.env });
    const zombie = await waitFor(() => {
      const kids = fs
        .readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      return kids.find((k) => readStat(k)?.state === 'Z');
    }, 'a zombie child');
    const detection = await findingsOf(j, [parent]);
    expect(detection.zombies.map((z) => z.process.pid)).toContain(zombie);
    expect(detection.zombies.find((z) => z.process.pid === zombie)?.reaper).toBe(parent);
    // Handed the zombie as if it were a finding, terminate must still call it a zombie, not a leak.
    const t = await terminate([...detection.findings, findingFor(zombie)], {
      graceMs: 1000,
      kill: true,
      rescan: rescanOf(j),
    });
    const z = byPid(t.results, zombie);
    expect(z?.outcome).toBe('zombie');
    expect(z?.reaper).toBe(parent);
    expect(z?.signals).toEqual([]);
    expectEnded(byPid(t.results, parent), false);
  });

  it('ends 300 leaks at once, by group and per pid', async () => {
    const j = setup();
    const pid = await leakers.daemon(
      `for i in $(seq 150); do setsid sleep 1000 & sleep 1000 & done; echo $$ > "$PIDFILE"; exec sleep 1000`,
      { env: j.env },
    );
    const findings = await findingsWhen(j, (n) => n >= 301);
    expect(findings.map((f) => f.process.pid)).toContain(pid);
    const graceMs = 5000;
    const t = await terminate(findings, { graceMs, kill: true, rescan: rescanOf(j) });
    expect(t.results.length).toBeGreaterThanOrEqual(301);
    for (const r of t.results) expect(ENDED_ON_TERM).toContain(r.outcome);
    expect(t.results.some((r) => r.via === 'group')).toBe(true);
    expect(t.results.some((r) => r.via === 'process')).toBe(true);
    expect(await stillLeaking(j)).toEqual([]);
    console.log(
      `[terminate] ${t.results.length} cooperative leaks: terminate took ${t.durationMs} ms (grace ${graceMs} ms)`,
    );
  });

  it("signals a leak in the test runner's own process group per pid, and the runner survives", async () => {
    const j = setup();
    const child = leakers.spawn('sleep', ['307'], { env: j.env, detached: false });
    const pid = child.pid as number;
    await waitFor(() => isAlive(pid), 'the child');
    const ownGroup = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ')[2];
    const { findings } = await findingsOf(j, [pid]);
    expect(String(findings.find((f) => f.process.pid === pid)?.process.pgid)).toBe(ownGroup);
    const t = await terminate(findings, { graceMs: 1000, kill: true, rescan: rescanOf(j) });
    const r = byPid(t.results, pid);
    expect(r?.via).toBe('process');
    expectEnded(r, false);
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(process.ppid)).toBe(true);
  });

  it('never signals a recycled pid: a finding whose start ticks differ is gone', async () => {
    const j = setup();
    const other = leakers.spawn('sleep', ['312']);
    const pid = other.pid as number;
    await waitFor(() => isAlive(pid), 'the process');
    const stale = findingFor(pid, { start: (readStat(pid)?.startTicks ?? 0) - 1 });
    const t = await terminate([stale], { graceMs: 500, kill: true });
    const r = byPid(t.results, pid);
    expect(r?.outcome).toBe('gone');
    expect(r?.detail).toMatch(/pid reused/);
    expect(r?.signals).toEqual([]);
    expect(isAlive(pid)).toBe(true);
    void j;
  });

  it('never signals itself or its ancestors, even when handed them', async () => {
    setup();
    const t = await terminate([findingFor(process.pid), findingFor(process.ppid)], { graceMs: 300, kill: true });
    for (const r of t.results) {
      expect(r.outcome).toBe('reported');
      expect(r.signals).toEqual([]);
      expect(r.detail).toMatch(/never signalled/);
    }
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(process.ppid)).toBe(true);
  });

  it('with kill: false reports everything and signals nothing', async () => {
    const j = setup();
    const pid = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 313' &`, { env: j.env });
    const { findings } = await findingsOf(j, [pid]);
    const t = await terminate(findings, { graceMs: 300, kill: false, rescan: rescanOf(j) });
    expect(t.results.map((r) => [r.outcome, r.signals.length, r.via])).toEqual(
      findings.map(() => ['reported', 0, 'none']),
    );
    expect(readStat(pid)?.state).not.toBe('T');
    expect(isAlive(pid)).toBe(true);
  });
});
