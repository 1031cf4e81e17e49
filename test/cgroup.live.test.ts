/**
 * Per-job cgroups against real processes in this machine's cgroup v2 mount.
 *
 * A "worker" sh stands in for Runner.Worker: it exists before the job starts,
 * is moved into the job cgroup, and on "go" (a line on its stdin) starts a
 * daemon with `env -i setsid` — no marker, and a parent that is not the job's.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CgroupError,
  cgroupOfPid,
  cgroupRule,
  closeJobCgroup,
  dirOf,
  evacuate,
  jobDir,
  jobFreezer,
  memberPids,
  openJobCgroup,
  probeCgroup,
  readKeyed,
  readProcs,
  startIsolation,
  subCgroups,
} from '../src/cgroup/index.js';
import { moveProcess } from './helpers/cgroup.js';
import type { JobCgroupRecord } from '../src/engine/baseline.js';
import { check } from '../src/engine/index.js';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { startTestJob } from './helpers/job.js';
import { describeIf, firstMissing, needsRoot, needsWritableCgroup } from './helpers/requires.js';

const missing = firstMissing(needsRoot('makes and removes job cgroups'), needsWritableCgroup());

let leakers: Leakers | undefined;
const records: JobCgroupRecord[] = [];

/** Kills our processes, then empties and removes every cgroup a test made (also after a failure). */
afterEach(async () => {
  for (const r of records) {
    const dir = jobDir(r);
    if (fs.existsSync(dir))
      for (const d of [dir, ...subCgroups(dir)])
        if (fs.existsSync(`${d}/cgroup.freeze`)) fs.writeFileSync(`${d}/cgroup.freeze`, '0');
  }
  await leakers?.cleanup();
  leakers = undefined;
  for (const r of records.splice(0)) {
    const dir = jobDir(r);
    if (!fs.existsSync(dir)) continue;
    const all = [dir, ...subCgroups(dir)];
    for (const d of all) for (const pid of readProcs(d)) moveProcess(dirOf(r.mount, r.origin), pid);
    // A killed process leaves its cgroup only once it has fully exited: rmdir is EBUSY until then.
    for (const d of all.reverse()) await waitFor(() => removedUnlessBusy(d), `${d} to empty`);
  }
});

function removedUnlessBusy(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EBUSY') return false;
    throw error;
  }
}

interface Worker {
  readonly pid: number;
  /** Starts the env -i daemon; resolves with its pid. */
  go(): Promise<number>;
}

function startWorker(l: Leakers): Worker {
  const daemonFile = l.file('daemon');
  // `read done` keeps the worker alive (like the runner's worker) after the daemon is gone.
  const script = `read go; env -i setsid sh -c 'echo $$ > "$0"; exec sleep 300' "${daemonFile}" & read done`;
  const child: ChildProcess = l.spawn('sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'] });
  const pid = child.pid!;
  l.track(pid);
  return {
    pid,
    async go() {
      child.stdin!.write('go\n');
      const daemon = await waitFor(() => {
        const text = fs.existsSync(daemonFile) ? fs.readFileSync(daemonFile, 'utf8').trim() : '';
        return /^\d+$/.test(text) ? Number(text) : undefined;
      }, 'the env -i daemon');
      l.track(daemon);
      return daemon;
    },
  };
}

const open = async (session: string, movePid: number): Promise<JobCgroupRecord> => {
  const record = await openJobCgroup({ session, movePid });
  records.push(record);
  return record;
};

describeIf(missing, 'per-job cgroups (live, cgroup v2 writable)', () => {
  it('finds an env -i daemon by cgroup, misses it by marker, spares a concurrent job and the runner, and ends it', async () => {
    leakers = new Leakers();
    const workerA = startWorker(leakers);
    const workerB = startWorker(leakers);
    const jobA = startTestJob();
    const jobB = startTestJob();
    const origin = cgroupOfPid(workerA.pid);
    const a = await open(jobA.baseline.session, workerA.pid);
    const b = await open(jobB.baseline.session, workerB.pid);
    expect(a.path).toBe(`${origin === '/' ? '' : origin}/${jobA.baseline.session}`);
    expect(a.origin).toBe(origin);
    expect(cgroupOfPid(workerA.pid)).toBe(a.path);

    const daemonA = await workerA.go();
    const daemonB = await workerB.go();
    expect(fs.readFileSync(`/proc/${daemonA}/environ`, 'utf8')).not.toMatch(/STRAYS_SESSION/);
    expect(cgroupOfPid(daemonA)).toBe(a.path);

    // Each job's cgroup holds its own processes only.
    expect([...memberPids(a)].sort()).toEqual([workerA.pid, daemonA].sort());
    expect(memberPids(b).has(daemonA)).toBe(false);
    expect(memberPids(a).has(daemonB)).toBe(false);

    // marker mode: documented blind spot.
    const marker = await check(jobA.baseline);
    expect(marker.detection.findings.map((f) => f.process.pid)).not.toContain(daemonA);

    // cgroup mode: found, attributed to the cgroup; the runner stand-ins and job B are not.
    const { detection } = await check(jobA.baseline, { rules: [cgroupRule(a, { members: memberPids(a) })] });
    const pids = detection.findings.map((f) => f.process.pid);
    const found = detection.findings.find((f) => f.process.pid === daemonA);
    expect(found?.attribution).toBe('cgroup');
    expect(found?.reasons[0]).toBe(`lives in the job's cgroup ${a.path}`);
    for (const spared of [workerA.pid, workerB.pid, daemonB, process.pid]) expect(pids).not.toContain(spared);

    // Stop the world: the freezer refuses while the runner stand-in is inside, works once it is moved out.
    const freezer = jobFreezer(a, { protect: [workerA.pid] });
    await expect(freezer.freeze()).rejects.toThrow(/holds pid .*runner chain/);
    expect(await evacuate(a, [workerA.pid])).toEqual([workerA.pid]);
    expect(cgroupOfPid(workerA.pid)).toBe(origin);
    await freezer.freeze();
    expect(readKeyed(jobDir(a), 'cgroup.events').get('frozen')).toBe('1');
    for (const f of detection.findings) process.kill(f.process.pid, 'SIGKILL'); // SIGKILL ends frozen tasks
    await freezer.thaw();
    await waitFor(() => !isAlive(daemonA), 'the daemon to end');

    const closed = await closeJobCgroup(a);
    expect(closed).toEqual({ movedBack: [], removed: true, remaining: [], notes: [] });
    expect(fs.existsSync(jobDir(a))).toBe(false);
    for (const alive of [workerA.pid, workerB.pid, daemonB]) expect(isAlive(alive)).toBe(true);
    expect(cgroupOfPid(daemonB)).toBe(b.path);
  });

  it('moves the worker back on close, and leaves a cgroup that still holds a process', async () => {
    leakers = new Leakers();
    const worker = startWorker(leakers);
    const job = startTestJob();
    const origin = cgroupOfPid(worker.pid);
    const record = await open(job.baseline.session, worker.pid);
    const daemon = await worker.go();
    fs.mkdirSync(`${jobDir(record)}/nested`); // a step's own sub-cgroup
    moveProcess(`${jobDir(record)}/nested`, daemon);
    expect(memberPids(record).has(daemon)).toBe(true);

    const first = await closeJobCgroup(record, { settleMs: 100 });
    expect(first.movedBack).toEqual([worker.pid]);
    expect(cgroupOfPid(worker.pid)).toBe(origin);
    expect(first).toMatchObject({ removed: false, remaining: [daemon] });
    expect(first.notes[0]).toMatch(new RegExp(`still holds pid ${daemon}; it is left in place`));
    expect(isAlive(daemon)).toBe(true);

    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 'the daemon to end');
    const second = await closeJobCgroup(record);
    expect(second).toEqual({ movedBack: [], removed: true, remaining: [], notes: [] });
    expect(isAlive(worker.pid)).toBe(true);
  });

  it('job start prunes an old, empty job cgroup beside it, with the empty sub-cgroup a step made in it', async () => {
    leakers = new Leakers();
    const worker = startWorker(leakers);
    const mount = probeCgroup({ pid: worker.pid });
    if (!mount.usable) throw new Error(`cgroups not usable: ${mount.reason}`);
    const parent = dirOf(mount.mount.mountPoint, cgroupOfPid(worker.pid) as string);
    const stale = path.join(parent, startTestJob().baseline.session);
    fs.mkdirSync(path.join(stale, 'step-made'), { recursive: true });
    const old = new Date(Date.now() - 3_600_000); // a crashed job's, an hour ago (prune.ts: PRUNE_MIN_AGE_MS)
    fs.utimesSync(stale, old, old);
    try {
      await open(startTestJob().baseline.session, worker.pid);
      expect(fs.existsSync(stale)).toBe(false);
    } finally {
      if (fs.existsSync(stale)) for (const d of [path.join(stale, 'step-made'), stale]) fs.rmdirSync(d);
    }
  });

  it('auto and cgroup create the job cgroup here; concurrent sessions get separate ones', async () => {
    leakers = new Leakers();
    const w1 = startWorker(leakers);
    const w2 = startWorker(leakers);
    const s1 = await startIsolation({ requested: 'auto', session: startTestJob().baseline.session, pid: w1.pid });
    const s2 = await startIsolation({ requested: 'cgroup', session: startTestJob().baseline.session, pid: w2.pid });
    for (const s of [s1, s2]) if (s.record) records.push(s.record);
    expect(s1.used).toBe('cgroup');
    expect(s2.used).toBe('cgroup');
    expect(s1.record!.path).not.toBe(s2.record!.path);
    expect(s1.reason).toMatch(/^isolation: cgroup \(auto\): job cgroup \//);
    expect(cgroupOfPid(w1.pid)).toBe(s1.record!.path);
    expect(cgroupOfPid(w2.pid)).toBe(s2.record!.path);
    const [parent, name] = [path.posix.dirname(s1.record!.path), path.posix.basename(s1.record!.path)];
    await expect(openJobCgroup({ session: name, movePid: w2.pid, parent })).rejects.toThrow(
      /^Cannot create cgroup .*: it already exists/,
    );
    expect(cgroupOfPid(w2.pid)).toBe(s2.record!.path);
  });
});

describe('fallback where cgroups are not usable', () => {
  it.each([
    ['/proc', /not a cgroup2 filesystem/],
    ['/etc/hostname', /not a cgroup2 filesystem|not a cgroup directory/],
    ['/nonexistent/strays-cgroup', /no such cgroup/],
  ])('mount %s: probe refuses, cgroup and auto fall back to marker without creating anything', async (mount, why) => {
    const seen = probeCgroup({ pid: process.pid, mount });
    expect(seen.usable).toBe(false);
    if (!seen.usable) expect(seen.reason).toMatch(why);
    const session = startTestJob().baseline.session;
    const forced = await startIsolation({ requested: 'cgroup', session, pid: process.pid, mount });
    expect(forced.used).toBe('marker');
    expect(forced.record).toBeUndefined();
    expect(forced.reason).toMatch(
      /^isolation: cgroup was requested but is not possible here \(.*\); falling back to marker\.$/,
    );
    expect((await startIsolation({ requested: 'auto', session, pid: process.pid, mount })).reason).toMatch(
      /^isolation: marker \(auto\): cgroups not usable here: /,
    );
  });

  it('a read-only cgroup2 mount is refused, and opening a job cgroup on a non-cgroup path fails clearly', async () => {
    expect(
      probeCgroup({ pid: process.pid, mount: { mountPoint: '/sys/fs/cgroup', root: '/', readOnly: true } }),
    ).toEqual({
      usable: false,
      reason: 'the cgroup2 mount /sys/fs/cgroup is read-only',
    });
    const attempt = () =>
      openJobCgroup({ session: 'strays-00000000000000aa', movePid: process.pid, mount: '/proc/self' });
    await expect(attempt()).rejects.toThrow(CgroupError);
    await expect(attempt()).rejects.toThrow(/^Cannot create cgroup \/proc\/self.*strays-00000000000000aa: /);
  });

  it('marker is honoured without probing', async () => {
    expect(await startIsolation({ requested: 'marker', session: 'strays-00000000000000ab', pid: process.pid })).toEqual(
      {
        used: 'marker',
        reason: 'isolation: marker (as requested): environment marker and lineage only.',
      },
    );
  });
});
