/** Host state: where records live, how they are written and read, and how a job's owner is judged. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type JobRecord,
  type SweptJob,
  defaultStateDir,
  findAncestorNamed,
  jobStatus,
  listJobs,
  listingNotes,
  MAX_RECORD_BYTES,
  MAX_RECORDS,
  ownerForAction,
  ownerForRun,
  ownerForStart,
  planSweep,
  readBootId,
  readPidNamespace,
  registerBaseline,
  registerJob,
  unregisterJob,
} from '../src/host/index.js';
import { snapshotFrom } from '../src/engine/baseline.js';
import { readTable } from '../src/proc/index.js';
import { readStat } from '../src/proc/linux.js';
import type { ProcessInfo, ProcessTable } from '../src/proc/types.js';
import { Leakers, waitFor } from './helpers/leakers.js';
import { tempStateDir } from './helpers/sweep-jobs.js';

let dir: string;
let leakers: Leakers | undefined;
afterEach(async () => {
  await leakers?.cleanup();
  leakers = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('state directory', () => {
  it('is /var/lib/strays for root, the XDG state home otherwise, and STRAYS_STATE_DIR wins', () => {
    expect(defaultStateDir({}, 0)).toBe('/var/lib/strays');
    expect(defaultStateDir({ HOME: '/home/r', XDG_STATE_HOME: '/x/state' }, 1000)).toBe('/x/state/strays');
    expect(defaultStateDir({ HOME: '/home/r' }, 1000)).toBe('/home/r/.local/state/strays');
    expect(defaultStateDir({ HOME: '/home/r', XDG_STATE_HOME: 'relative' }, 1000)).toBe('/home/r/.local/state/strays');
    expect(defaultStateDir({ STRAYS_STATE_DIR: '/srv/strays', HOME: '/home/r' }, 0)).toBe('/srv/strays');
  });
});

describe('job records', () => {
  const owner = { pid: 4242, start: 99, reader: 'linux-proc' as const, comm: 'Runner.Worker' };

  it('round-trips a registration, writes atomically (no temp file left) and unregisters', () => {
    dir = tempStateDir();
    const file = registerJob(
      { session: 'strays-0123456789abcdef', runnerTrackingId: 'github_1', owner },
      { stateDir: dir },
    );
    expect(fs.readdirSync(path.join(dir, 'jobs'))).toEqual(['strays-0123456789abcdef.json']);
    const { jobs, corrupt } = listJobs({ stateDir: dir });
    expect(corrupt).toEqual([]);
    expect(jobs).toHaveLength(1);
    const job = jobs[0] as JobRecord;
    expect(job).toMatchObject({
      session: 'strays-0123456789abcdef',
      runnerTrackingId: 'github_1',
      owner,
      registrar: process.pid,
      bootId: readBootId(),
      pidNamespace: readPidNamespace(),
    });
    expect(job.pidNamespace).toMatch(/^pid:\[\d+\]$/);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ kind: 'strays-job', version: 1 });
    expect(unregisterJob('strays-0123456789abcdef', { stateDir: dir })).toBe(true);
    expect(unregisterJob('strays-0123456789abcdef', { stateDir: dir })).toBe(false);
    expect(listJobs({ stateDir: dir }).jobs).toEqual([]);
  });

  it('treats a missing directory as no jobs and refuses a session that could leave the directory', () => {
    dir = tempStateDir();
    expect(listJobs({ stateDir: path.join(dir, 'absent') })).toEqual({
      dir: path.join(dir, 'absent', 'jobs'),
      jobs: [],
      corrupt: [],
      othersUnreadable: 0,
    });
    expect(() => registerJob({ session: '../etc/passwd', owner }, { stateDir: dir })).toThrow(
      /Invalid session "\.\.\/etc\/passwd"/,
    );
  });

  it('reports and skips corrupt entries, each with its problem, and ignores temp files', () => {
    dir = tempStateDir();
    registerJob({ session: 'strays-00000000000000ok', owner }, { stateDir: dir });
    const jobs = path.join(dir, 'jobs');
    const good = JSON.parse(fs.readFileSync(path.join(jobs, 'strays-00000000000000ok.json'), 'utf8'));
    const write = (name: string, value: unknown): void =>
      fs.writeFileSync(path.join(jobs, name), typeof value === 'string' ? value : JSON.stringify(value));
    // Other state (the hooks' baselines) lives beside jobs/ and is never read as a record.
    fs.mkdirSync(path.join(dir, 'github-hooks'));
    fs.writeFileSync(path.join(dir, 'github-hooks', 'x.json'), '{}');
    fs.writeFileSync(path.join(dir, 'stray-baseline.json'), '{}');
    write('a-truncated.json', '{"kind":"strays-');
    write('b-foreign.json', { hello: 1 });
    write('c-future.json', { ...good, session: 'c-future', version: 2 });
    write('d-no-owner.json', { ...good, session: 'd-no-owner', owner: { pid: 'x' } });
    write('e-renamed.json', good);
    write('.strays-1.json.123.tmp', '{');
    const list = listJobs({ stateDir: dir });
    expect(list.jobs.map((j) => j.session)).toEqual(['strays-00000000000000ok']);
    expect(list.corrupt.map((c) => [path.basename(c.file), c.problem])).toEqual([
      ['a-truncated.json', expect.stringMatching(/not valid JSON/)],
      ['b-foreign.json', expect.stringMatching(/not a strays job record/)],
      ['c-future.json', expect.stringMatching(/has version 2; this strays reads version 1/)],
      ['d-no-owner.json', expect.stringMatching(/malformed fields: owner, owner.reader/)],
      ['e-renamed.json', expect.stringMatching(/holds session strays-00000000000000ok/)],
    ]);
  });
});

describe('reading records that anyone could have planted', () => {
  const owner = { pid: 4242, start: 99, reader: 'linux-proc' as const };

  it('names a FIFO, symlinks, a hard link and an oversized file as corrupt, one problem each, without blocking', () => {
    dir = tempStateDir();
    const good = registerJob({ session: 'strays-00000000000000ok', owner }, { stateDir: dir });
    const jobs = path.join(dir, 'jobs');
    spawnSync('mkfifo', [path.join(jobs, 'a-fifo.json')]);
    fs.symlinkSync('/dev/zero', path.join(jobs, 'b-zero.json'));
    fs.symlinkSync(good, path.join(jobs, 'c-link.json'));
    fs.linkSync(good, path.join(dir, 'second-name'));
    fs.writeFileSync(path.join(jobs, 'd-huge.json'), Buffer.alloc(MAX_RECORD_BYTES + 1, 0x20));
    const list = listJobs({ stateDir: dir });
    expect(list.corrupt.map((c) => [path.basename(c.file), c.problem])).toEqual([
      ['a-fifo.json', 'is not a regular file (a FIFO)'],
      ['b-zero.json', 'is a symbolic link'],
      ['c-link.json', 'is a symbolic link'],
      ['d-huge.json', `is ${MAX_RECORD_BYTES + 1} bytes, over the ${MAX_RECORD_BYTES}-byte limit`],
      ['strays-00000000000000ok.json', 'has 2 hard links; a record has one'],
    ]);
    expect(list.jobs).toEqual([]);
  });

  it('carries the uid that owns each record file, and writes records 0640', () => {
    dir = tempStateDir();
    const file = registerJob({ session: 'strays-00000000000000ab', owner }, { stateDir: dir });
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(listJobs({ stateDir: dir }).jobs.map((j) => j.fileUid)).toEqual([process.getuid?.()]);
  });

  it('refuses a jobs/ folder others may write without the sticky bit, or one that is a symlink, and will not register there', () => {
    dir = tempStateDir();
    registerJob({ session: 'strays-00000000000000ab', owner }, { stateDir: dir });
    const jobs = path.join(dir, 'jobs');
    fs.chmodSync(jobs, 0o775);
    expect(listJobs({ stateDir: dir })).toMatchObject({
      jobs: [],
      corrupt: [],
      refused: expect.stringMatching(/^is group-writable without the sticky bit \(mode 0775\)/),
    });
    expect(() => registerJob({ session: 'strays-00000000000000cd', owner }, { stateDir: dir })).toThrow(
      /group-writable without the sticky bit/,
    );
    fs.chmodSync(jobs, 0o1777);
    expect(listJobs({ stateDir: dir }).jobs).toHaveLength(1);
    const elsewhere = path.join(dir, 'elsewhere');
    fs.renameSync(jobs, elsewhere);
    fs.symlinkSync(elsewhere, jobs);
    expect(listJobs({ stateDir: dir }).refused).toMatch(/is a symbolic link/);
    expect(listingNotes(listJobs({ stateDir: dir }))).toEqual([
      `refused the jobs folder ${jobs}: is a symbolic link; the jobs folder must be a real directory`,
    ]);
  });

  it('reads at most MAX_RECORDS record files, and says how many it left', () => {
    dir = tempStateDir();
    registerJob({ session: 'strays-00000000000000ab', owner }, { stateDir: dir });
    const jobs = path.join(dir, 'jobs');
    for (let i = 0; i < MAX_RECORDS; i++) fs.writeFileSync(path.join(jobs, `a${String(i).padStart(6, '0')}.json`), '');
    const list = listJobs({ stateDir: dir });
    expect(list.corrupt).toHaveLength(MAX_RECORDS);
    expect(list.jobs).toEqual([]); // sorted past the flood: unknown, so its processes are left alone
    expect(list.unread).toBe(1);
    expect(listingNotes(list)[0]).toBe(
      `did not read 1 record file(s) in ${jobs} past the first ${MAX_RECORDS} by name (flooded?)`,
    );
  });

  it('reports a planted file name on one escaped line', () => {
    dir = tempStateDir();
    registerJob({ session: 'strays-00000000000000ab', owner }, { stateDir: dir });
    fs.writeFileSync(path.join(dir, 'jobs', 'x\n::stop-commands::deadbeef\n\u202e.json'), '{}');
    const lines = listingNotes(listJobs({ stateDir: dir }));
    expect(lines).toEqual([
      expect.stringMatching(
        /^skipped corrupt record .*\/x\\n::stop-commands::deadbeef\\n\\u202e\.json: is not a strays job record/,
      ),
    ]);
    expect(lines.join('\n').split('\n')).toHaveLength(1);
  });
});

describe('owners', () => {
  it('action: the parent; run: strays itself; start: --owner PID, else the parent', async () => {
    const table = await readTable();
    const me = table.processes.find((p) => p.pid === process.pid) as ProcessInfo;
    const parent = table.processes.find((p) => p.pid === process.ppid) as ProcessInfo;
    expect(await ownerForRun(table)).toEqual({ pid: me.pid, start: me.start, reader: 'linux-proc', comm: me.comm });
    expect(await ownerForAction(table)).toEqual({
      pid: parent.pid,
      start: parent.start,
      reader: 'linux-proc',
      comm: parent.comm,
    });
    expect((await ownerForStart({}, table)).pid).toBe(process.ppid); // no Runner.Worker above the tests
    expect((await ownerForStart({ pid: process.ppid }, table)).pid).toBe(process.ppid);
    await expect(ownerForStart({ pid: process.pid }, table)).rejects.toThrow(
      /--owner \d+: not an ancestor of strays start/,
    );
    await expect(ownerForStart({ pid: 2 ** 30 }, table)).rejects.toThrow(/--owner 1073741824: no such process/);
    await expect(ownerForStart({ pid: 1 }, table)).rejects.toThrow(/--owner 1: PID 1 never exits/);
  });

  it('hook: the nearest ancestor whose command name is Runner.Worker', async () => {
    leakers = new Leakers();
    // comm is the basename of the executed file, so a link named Runner.Worker runs a shell called that.
    const worker = path.join(leakers.dir, 'Runner.Worker');
    fs.symlinkSync(spawnSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).stdout.trim(), worker);
    const leafFile = leakers.file('leaf');
    const child = leakers.spawn(worker, ['-c', `sleep 300 & echo $! > ${leafFile}; wait`]);
    const leaf = await waitFor(
      () => Number(fs.existsSync(leafFile) && fs.readFileSync(leafFile, 'utf8')) || undefined,
      'leaf pid',
    );
    leakers.track(leaf);
    const table = await readTable();
    const found = findAncestorNamed(table, 'Runner.Worker', leaf);
    expect(found).toEqual({
      pid: child.pid,
      start: readStat(child.pid as number)?.startTicks,
      reader: 'linux-proc',
      comm: 'Runner.Worker',
    });
    expect(findAncestorNamed(table, 'Runner.Worker', process.pid)).toBeUndefined();
  });
});

describe('when a job is over (pure)', () => {
  const proc = (pid: number, start: number, more: Partial<ProcessInfo> = {}): ProcessInfo => ({
    pid,
    ppid: 1,
    pgid: pid,
    sid: pid,
    state: 'S',
    uid: 1000,
    start,
    startedAt: undefined,
    comm: 'sleep',
    argv: ['sleep', '300'],
    ...more,
  });
  const table = (processes: ProcessInfo[]): ProcessTable => ({
    reader: 'linux-proc',
    takenAt: 1_000_000,
    now: 100_000,
    processes,
  });
  const record = (session: string, owner: { pid: number; start: number }, more: Partial<SweptJob> = {}): SweptJob => ({
    session,
    runnerTrackingId: undefined,
    owner: { ...owner, reader: 'linux-proc', comm: 'Runner.Worker' },
    startedAt: 0,
    host: 'h',
    registrar: 1,
    bootId: 'boot-a',
    fileUid: 0,
    ...more,
  });

  it('is live while the owner runs with its start stamp; over when gone, reused, a zombie or after a reboot', () => {
    const t = table([proc(10, 500), proc(11, 900), proc(12, 600, { state: 'Z' })]);
    expect(jobStatus(record('s', { pid: 10, start: 500 }), t, 'boot-a').state).toBe('live');
    expect(jobStatus(record('s', { pid: 99, start: 500 }), t, 'boot-a')).toMatchObject({
      state: 'over',
      reason: 'owner pid 99 (Runner.Worker) has exited',
    });
    expect(jobStatus(record('s', { pid: 11, start: 500 }), t, 'boot-a').reason).toMatch(/pid now belongs to sleep/);
    expect(jobStatus(record('s', { pid: 12, start: 600 }), t, 'boot-a').reason).toMatch(/zombie/);
    expect(jobStatus(record('s', { pid: 10, start: 500 }), t, 'boot-b').reason).toMatch(/rebooted/);
    const ps = record('s', { pid: 10, start: 500 }, { owner: { pid: 10, start: 500, reader: 'ps' } });
    expect(jobStatus(ps, t, 'boot-a').state).toBe('unknown');
  });

  it("leaves alone a job recorded in another PID namespace: its owner pid is not one of the sweeper's", () => {
    // Recorded inside `unshare --pid` (or a container) sharing the state folder: its owner was pid 77 there.
    const t = table([proc(77, 1, { comm: 'sshd' })]);
    const inside = record('s', { pid: 77, start: 1 }, { pidNamespace: 'pid:[4026532999]' });
    expect(jobStatus(inside, t, 'boot-a', 'pid:[4026532999]').state).toBe('live');
    const there = jobStatus(
      record('s', { pid: 99, start: 1 }, { pidNamespace: 'pid:[4026532999]' }),
      t,
      'boot-a',
      'pid:[4026531836]',
    );
    expect(there).toMatchObject({ state: 'unknown' });
    expect(there.reason).toMatch(/another PID namespace \(pid:\[4026532999\]; this sweep sees pid:\[4026531836\]\)/);
    // Records from before the field, and sweepers that cannot read their namespace: pid and start alone.
    expect(jobStatus(record('s', { pid: 99, start: 1 }), t, 'boot-a', 'pid:[4026531836]').state).toBe('over');
    const env = { env: { readable: true as const, vars: { STRAYS_SESSION: 's' } } };
    const plan = planSweep({
      jobs: [record('s', { pid: 99, start: 1 }, { pidNamespace: 'pid:[4026532999]' })],
      table: table([proc(40, 1000, env)]),
      bootId: 'boot-a',
      pidNamespace: 'pid:[4026531836]',
      olderThanMs: 0,
      unrecorded: true,
      self: 1,
    });
    expect(plan.targets).toEqual([]);
    expect(plan.live.map((m) => m.process.pid)).toEqual([40]);
  });

  it("never targets a process that any marker ties to a job that may still run, nor the sweeper's ancestors", () => {
    const env = (vars: Record<string, string>) => ({ env: { readable: true as const, vars } });
    const t = table([
      proc(10, 500, { comm: 'Runner.Worker' }),
      proc(20, 1000, env({ STRAYS_SESSION: 'dead', RUNNER_TRACKING_ID: 'live-t' })),
      proc(21, 1000, env({ STRAYS_SESSION: 'dead' })),
      proc(22, 1000, { ...env({ STRAYS_SESSION: 'dead' }), ppid: 23 }),
      proc(23, 1000, { ...env({ STRAYS_SESSION: 'dead' }), comm: 'strays' }),
      proc(24, 1000, { env: { readable: false, reason: 'permission denied' } }),
      proc(25, 1000, env({ STRAYS_SESSION: 'unknown-one' })),
    ]);
    const plan = planSweep({
      jobs: [
        record('dead', { pid: 77, start: 1 }),
        record('live', { pid: 10, start: 500 }, { runnerTrackingId: 'live-t' }),
      ],
      table: t,
      bootId: 'boot-a',
      olderThanMs: 0,
      unrecorded: false,
      self: 22,
    });
    expect(plan.targets.map((f) => f.process.pid)).toEqual([21]);
    expect(plan.live.map((m) => m.process.pid)).toEqual([20]);
    expect(plan.unrecorded.map((m) => m.process.pid)).toEqual([25]);
    expect(plan.unreadable).toBe(1);
    // Age from start ticks: (100000 - 1000) ticks = 990 s.
    expect(plan.targetInfo.get(21)?.ageMs).toBe(990_000);
    expect(
      planSweep({ jobs: [], table: t, bootId: undefined, olderThanMs: 991_000, unrecorded: true, self: 22 }).targets,
    ).toEqual([]);
  });

  it("ends a process only by a record that root or the process's own user wrote", () => {
    const env = { env: { readable: true as const, vars: { STRAYS_SESSION: 'dead' } } };
    const t = table([
      proc(30, 1000, { ...env, uid: 1000 }),
      proc(31, 1000, { ...env, uid: 2000 }),
      proc(32, 1000, { ...env, uid: undefined }),
    ]);
    const plan = (fileUid: number | undefined) =>
      planSweep({
        jobs: [record('dead', { pid: 77, start: 1 }, { fileUid })],
        table: t,
        bootId: 'boot-a',
        olderThanMs: 0,
        unrecorded: false,
        self: 1,
      });
    expect(plan(0).targets.map((f) => f.process.pid)).toEqual([30, 31, 32]);
    const byUser = plan(1000);
    expect(byUser.targets.map((f) => f.process.pid)).toEqual([30]);
    expect(byUser.refused.map((m) => [m.process.pid, m.job])).toEqual([
      [31, 'dead'],
      [32, 'dead'],
    ]);
    expect(plan(undefined).targets).toEqual([]);
    // A live record of anyone still spares: sparing is never the dangerous mistake.
    const spared = planSweep({
      jobs: [record('dead', { pid: 10, start: 500 }, { fileUid: 4242 })],
      table: table([...t.processes, proc(10, 500)]),
      bootId: 'boot-a',
      olderThanMs: 0,
      unrecorded: false,
      self: 1,
    });
    expect(spared.live.map((m) => m.process.pid)).toEqual([30, 31, 32]);
  });
});

describe('registerBaseline', () => {
  it("records the baseline's session, tracking id and owner in the baseline's reader units", async () => {
    dir = tempStateDir();
    const table = await readTable();
    const baseline = snapshotFrom({ table, session: 'strays-00000000000000bb', runnerTrackingId: 'gh-7' });
    expect(() => registerBaseline(baseline, { stateDir: dir })).toThrow(/has no owner/);
    const parent = baseline.ancestors[0] as { pid: number; start: number };
    registerBaseline({ ...baseline, owner: { pid: parent.pid, start: parent.start } }, { stateDir: dir });
    expect(listJobs({ stateDir: dir }).jobs[0]).toMatchObject({
      session: 'strays-00000000000000bb',
      runnerTrackingId: 'gh-7',
      owner: { pid: parent.pid, start: parent.start, reader: 'linux-proc' },
    });
  });
});

describe('readPidNamespace', () => {
  it("names the namespace only where /proc shows this process's own pids (NStgid with one level)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-proc-'));
    try {
      fs.mkdirSync(path.join(root, 'self', 'ns'), { recursive: true });
      fs.symlinkSync('pid:[4026532999]', path.join(root, 'self', 'ns', 'pid'));
      fs.writeFileSync(path.join(root, 'self', 'status'), 'Name:\tnode\nNStgid:\t2\n');
      expect(readPidNamespace(root)).toBe('pid:[4026532999]');
      // `unshare --pid` without --mount-proc: /proc is the parent namespace's, its pids are not this namespace's.
      fs.writeFileSync(path.join(root, 'self', 'status'), 'Name:\tnode\nNStgid:\t32685\t2\n');
      expect(readPidNamespace(root)).toBeUndefined();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
