/**
 * The job cgroup through the privileged helper (README "When a job cgroup is used":
 * a user with passwordless sudo).
 *
 * This machine has no sudo and the tests run as root, so:
 * - the helper's scripts run as root through a stand-in for sudo that logs
 *   each call and runs the command unelevated (`prefix: [tracer]`), or with
 *   `prefix: []` as root runs them by default: the same scripts sudo would run;
 * - the unprivileged side runs as uid 65534 from a transpiled copy of src/
 *   (test/helpers/as-user.ts): no sudo → marker; a sudo that wants a password
 *   → marker, said once, tried once.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  cgroupOfPid,
  closeJobCgroup,
  dirOf,
  evacuate,
  helperDir,
  jobDir,
  jobFreezer,
  openJobCgroup,
  probeCgroup,
  readKeyed,
  readProcs,
  startIsolation,
  subCgroups,
} from '../src/cgroup/index.js';
import { resetHelperRefusals as resetCgroupHelperRefusals } from '../src/privilege/helper.js';
import { moveProcess } from './helpers/cgroup.js';
import { CLI_SETTING_NAMES } from '../src/cli/guard.js';
import { parseGuardOptions } from '../src/config/options.js';
import type { JobCgroupRecord } from '../src/engine/baseline.js';
import { newSessionId } from '../src/engine/session.js';
import { finishJob, finishJobReportFirst } from '../src/job/finish.js';
import { buildForUsers, pathWithoutSudo } from './helpers/as-user.js';
import { startTestJob } from './helpers/job.js';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { describeIf, firstMissing, needsRootAndSharedNode, needsWritableCgroup } from './helpers/requires.js';

const NOBODY = 65534;
// Direct writes (the helper ruled out): the tests below stand in for sudo themselves.
const probe = probeCgroup({ pid: process.pid, privilege: { prefix: false } });
const missing = firstMissing(
  needsRootAndSharedNode("runs the helper's scripts as root and a job as uid 65534"),
  needsWritableCgroup(),
);

let leakers: Leakers | undefined;
const records: JobCgroupRecord[] = [];
/** Extra cgroups a test made by hand, removed after the job cgroups inside them. */
const extraDirs: string[] = [];

afterEach(async () => {
  for (const r of records) {
    const dir = jobDir(r);
    if (fs.existsSync(dir)) for (const d of [dir, ...subCgroups(dir)]) fs.writeFileSync(`${d}/cgroup.freeze`, '0');
  }
  await leakers?.cleanup();
  leakers = undefined;
  for (const r of records.splice(0)) {
    const dir = jobDir(r);
    if (!fs.existsSync(dir)) continue;
    const all = [dir, ...subCgroups(dir)];
    for (const d of all) for (const pid of readProcs(d)) moveProcess(dirOf(r.mount, r.origin), pid);
    for (const d of all.reverse()) fs.rmdirSync(d);
  }
  for (const d of extraDirs.splice(0)) if (fs.existsSync(d)) fs.rmdirSync(d);
  resetCgroupHelperRefusals();
});

/** A stand-in for sudo that logs one line per call and runs the command without elevation. */
function tracer(l: Leakers): { prefix: string[]; calls: () => string[] } {
  const log = l.file('calls');
  const file = l.file('tracer');
  // Run from the test's own directory: anything a broken helper let the shell execute (`touch pwned`) lands there.
  fs.writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$1 $2" >> '${log}'\ncd '${l.dir}' || exit 1\nexec "$@"\n`, {
    mode: 0o755,
  });
  return {
    prefix: [file],
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
  };
}

/** The runner's worker stand-in (as in cgroup.live.test.ts): on "go", starts an `env -i setsid` daemon. */
function startWorker(l: Leakers): { pid: number; go(): Promise<number> } {
  const daemonFile = l.file('daemon');
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

const asNobody = (script: string, ...args: string[]) =>
  spawnSync('sh', ['-c', script, 'sh', ...args], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' });

describeIf(missing, 'job cgroup through the privileged helper (live, as root)', () => {
  it('one helper call per phase: open (mkdir, move, freezer to the user), evacuate, close (thaw, remove)', async () => {
    leakers = new Leakers();
    const trace = tracer(leakers);
    const worker = startWorker(leakers);
    const origin = cgroupOfPid(worker.pid);
    const privilege = { prefix: trace.prefix };
    const record = await openJobCgroup({
      session: newSessionId(),
      movePid: worker.pid,
      privilege: { ...privilege, mode: 'always' },
      owner: { uid: NOBODY, gid: NOBODY },
    });
    records.push(record);
    expect(record.via).toBe('sudo');
    expect(trace.calls()).toHaveLength(1);
    expect(cgroupOfPid(worker.pid)).toBe(record.path);
    expect(record.origin).toBe(origin);

    // Only cgroup.freeze is handed to the job's user; the directory and cgroup.procs stay root's.
    const dir = jobDir(record);
    expect(fs.statSync(`${dir}/cgroup.freeze`).uid).toBe(NOBODY);
    expect(fs.statSync(dir).uid).toBe(0);
    expect(fs.statSync(`${dir}/cgroup.procs`).uid).toBe(0);
    // ... and the kernel lets that user freeze and thaw the job, but not move processes in or out.
    expect(asNobody('echo 1 > "$1/cgroup.freeze"', dir).status).toBe(0);
    await waitFor(() => readKeyed(dir, 'cgroup.events').get('frozen') === '1', 'frozen by uid 65534');
    expect(asNobody('echo 0 > "$1/cgroup.freeze"', dir).status).toBe(0);
    await waitFor(() => readKeyed(dir, 'cgroup.events').get('frozen') === '0', 'thawed by uid 65534');
    expect(
      asNobody('echo "$2" > "$1/cgroup.procs"', dirOf(record.mount, record.origin), String(worker.pid)).status,
    ).not.toBe(0);

    const daemon = await worker.go();
    expect(cgroupOfPid(daemon)).toBe(record.path);

    expect(await evacuate(record, [worker.pid, process.pid], privilege)).toEqual([worker.pid]); // the test process was never inside
    expect(trace.calls()).toHaveLength(2);
    expect(cgroupOfPid(worker.pid)).toBe(origin);

    const freezer = jobFreezer(record, { protect: [worker.pid] });
    await freezer.freeze();
    expect(readKeyed(dir, 'cgroup.events').get('frozen')).toBe('1');
    process.kill(daemon, 'SIGKILL');
    await freezer.thaw();
    await waitFor(() => !isAlive(daemon), 'the daemon to end');

    const closed = await closeJobCgroup(record, { privilege });
    expect(closed).toEqual({ movedBack: [], removed: true, remaining: [], notes: [] });
    expect(trace.calls()).toHaveLength(3);
    expect(fs.existsSync(dir)).toBe(false);
    expect(isAlive(worker.pid)).toBe(true);
  });

  it('close through the helper thaws, moves the worker back, and leaves a cgroup that still holds a process', async () => {
    leakers = new Leakers();
    const trace = tracer(leakers);
    const worker = startWorker(leakers);
    const origin = cgroupOfPid(worker.pid);
    const privilege = { prefix: trace.prefix };
    const record = await openJobCgroup({
      session: newSessionId(),
      movePid: worker.pid,
      privilege: { ...privilege, mode: 'always' },
    });
    records.push(record);
    const daemon = await worker.go();
    fs.writeFileSync(`${jobDir(record)}/cgroup.freeze`, '1'); // as a crashed post step might leave it

    const first = await closeJobCgroup(record, { privilege, settleMs: 100 });
    expect(first).toMatchObject({ movedBack: [worker.pid], removed: false, remaining: [daemon] });
    expect(first.notes).toEqual([`The job cgroup ${jobDir(record)} still holds pid ${daemon}; it is left in place.`]);
    expect(cgroupOfPid(worker.pid)).toBe(origin);
    expect(fs.readFileSync(`${jobDir(record)}/cgroup.freeze`, 'utf8').trim()).toBe('0');
    expect(isAlive(daemon)).toBe(true);

    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 'the daemon to end');
    const second = await closeJobCgroup(record, { privilege });
    expect(second).toEqual({ movedBack: [], removed: true, remaining: [], notes: [] });
    expect(trace.calls()).toHaveLength(3);
  });

  it('a whole job: startIsolation through the helper, then finishJob finds the env -i daemon by cgroup, freezes, ends it and removes the cgroup', async () => {
    leakers = new Leakers();
    const worker = startWorker(leakers);
    const origin = cgroupOfPid(worker.pid);
    const job = startTestJob();
    // prefix []: the helper's scripts, run directly (as root, the default for a `via: 'sudo'` record at the end too).
    const started = await startIsolation({
      requested: 'auto',
      session: job.baseline.session,
      pid: worker.pid,
      privilege: { prefix: [], mode: 'always' },
    });
    expect(started.used).toBe('cgroup');
    expect(started.reason).toMatch(
      /^isolation: cgroup \(auto\): job cgroup \/.*\/strays-[0-9a-f]{16} \(via sh \(no elevation\)\)\.$/,
    );
    const record = started.record!;
    records.push(record);
    expect(record.via).toBe('sudo');
    const daemon = await worker.go();
    expect(fs.readFileSync(`/proc/${daemon}/environ`, 'utf8')).not.toMatch(/STRAYS_SESSION/);

    const options = parseGuardOptions({ grace: '1s' }, CLI_SETTING_NAMES);
    const finished = await finishJob({
      baseline: { ...job.baseline, cgroup: record },
      options,
      privileged: false,
      forget: false,
    });
    const found = finished.detection.findings.find((f) => f.process.pid === daemon);
    expect(found?.attribution).toBe('cgroup');
    expect(finished.detection.findings.map((f) => f.process.pid)).not.toContain(worker.pid);
    expect(finished.notes.filter((n) => /cgroup|freezer/.test(n))).toEqual([]); // frozen, evacuated and closed without a problem
    await waitFor(() => !isAlive(daemon), 'the daemon to end');
    expect(isAlive(worker.pid)).toBe(true);
    expect(cgroupOfPid(worker.pid)).toBe(origin);
    expect(fs.existsSync(jobDir(record))).toBe(false);
  });

  it("a clean job through the helper: the checker's chain leaves in the cleanup call itself, and the cgroup goes", async () => {
    leakers = new Leakers();
    const worker = startWorker(leakers);
    const origin = cgroupOfPid(worker.pid);
    const job = startTestJob();
    const started = await startIsolation({
      requested: 'cgroup',
      session: job.baseline.session,
      pid: worker.pid,
      privilege: { prefix: [], mode: 'always' },
    });
    const record = started.record!;
    records.push(record);
    expect(record.via).toBe('sudo');
    // The post step stand-in: a child of the worker, inside the job cgroup like the worker, checks the job.
    const checker = await worker.go();
    expect(cgroupOfPid(checker)).toBe(record.path);
    const finished = finishJobReportFirst({
      baseline: { ...job.baseline, cgroup: record },
      options: parseGuardOptions({ grace: '1s' }, CLI_SETTING_NAMES),
      checker,
      privileged: false,
      forget: false,
    });
    const { detection, closing } = await finished;
    expect(detection.findings).toEqual([]); // the chain is never-touch, the cgroup holds nothing else
    expect(await closing).toEqual([]);
    expect(cgroupOfPid(worker.pid)).toBe(origin);
    expect(cgroupOfPid(checker)).toBe(origin);
    expect(fs.existsSync(jobDir(record))).toBe(false);
  });

  it('values reach the shell only as arguments: a cgroup path with shell metacharacters is used literally', async () => {
    leakers = new Leakers();
    const trace = tracer(leakers);
    const worker = startWorker(leakers);
    const origin = cgroupOfPid(worker.pid)!;
    const pwned = path.join(leakers.dir, 'pwned');
    const parent = path.posix.join(origin, 'o $(touch pwned);touch pwned`touch pwned`"\'touch pwned');
    const parentDir = dirOf(probe.usable ? probe.mount.mountPoint : '', parent);
    fs.mkdirSync(parentDir);
    extraDirs.push(parentDir);
    const privilege = { prefix: trace.prefix };
    const record = await openJobCgroup({
      session: newSessionId(),
      movePid: worker.pid,
      parent,
      privilege: { ...privilege, mode: 'always' },
    });
    records.push(record);
    expect(cgroupOfPid(worker.pid)).toBe(record.path);
    expect(await closeJobCgroup(record, { privilege })).toEqual({
      movedBack: [worker.pid],
      removed: true,
      remaining: [],
      notes: [],
    });
    expect(trace.calls()).toHaveLength(2);
    expect(fs.existsSync(pwned)).toBe(false);
  });
});

describeIf(missing, 'refused before anything runs', () => {
  it('a session that is not strays-<16 hex>, with or without metacharacters', async () => {
    leakers = new Leakers();
    const trace = tracer(leakers);
    const worker = startWorker(leakers);
    for (const session of [
      'strays-0123456789abcdef;touch /tmp/x',
      'strays-$(id)',
      'strays-not.hex.at.all',
      '../strays-0123456789abcdef',
    ]) {
      await expect(
        openJobCgroup({ session, movePid: worker.pid, privilege: { prefix: trace.prefix, mode: 'always' } }),
      ).rejects.toThrow(/cannot name a cgroup|Refusing a privileged cgroup operation/);
    }
    expect(trace.calls()).toEqual([]);
    expect(cgroupOfPid(worker.pid)).toBe(cgroupOfPid(process.pid));
  });

  it('a record whose mount is not a cgroup2 mount point, or whose paths leave it', async () => {
    leakers = new Leakers();
    const trace = tracer(leakers);
    // A directory that looks like a job cgroup, under a "mount" with metacharacters.
    const fake = path.join(leakers.dir, 'm;touch x $(id)');
    fs.mkdirSync(path.join(fake, 'strays-0123456789abcdef'), { recursive: true });
    const forged: JobCgroupRecord = {
      mount: fake,
      path: '/strays-0123456789abcdef',
      origin: '/',
      moved: [{ pid: process.pid, start: 0 }],
      via: 'sudo',
    };
    const closed = await closeJobCgroup(forged, { privilege: { prefix: trace.prefix } });
    expect(closed.removed).toBe(false);
    expect(closed.notes[0]).toMatch(
      /^Refusing a privileged cgroup operation on .* is not a cgroup2 mount point in \/proc\/self\/mountinfo\.$/,
    );
    expect(fs.existsSync(path.join(fake, 'strays-0123456789abcdef'))).toBe(true);

    const mount = probe.usable ? probe.mount.mountPoint : '';
    expect(() => helperDir(mount, '/a/../../etc', 'cgroup')).toThrow(/not a plain absolute path/);
    expect(() => helperDir(mount, 'relative/strays-0123456789abcdef', 'job')).toThrow(/not a plain absolute path/);
    expect(() => helperDir(mount, '/x\n/strays-0123456789abcdef', 'job')).toThrow(/control characters/);
    expect(() => helperDir(mount, '/strays-0123456789abcdef;rm', 'job')).toThrow(/named strays-<16 hex digits>/);
    expect(() => helperDir(`${mount}/`, '/strays-0123456789abcdef', 'job')).toThrow(/not a cgroup2 mount point/);
    expect(helperDir(mount, '/a b;$(c)/strays-0123456789abcdef', 'job')).toBe(
      `${mount}/a b;$(c)/strays-0123456789abcdef`,
    );
    expect(trace.calls()).toEqual([]);
  });
});

describeIf(missing, 'an unprivileged job (uid 65534)', () => {
  let build: string;
  let scratch: string;
  beforeAll(() => {
    build = buildForUsers();
    fs.writeFileSync(
      path.join(build, 'begin-job.mjs'),
      `const { beginJob } = await import('./src/job/begin.js');
const out = [];
for (const isolation of process.argv.slice(2)) {
  const begun = await beginJob({ isolation, owner: () => undefined, cgroupPid: process.pid, register: false });
  out.push({ isolation: begun.isolation, notes: begun.notes, cgroup: begun.baseline.cgroup ?? null });
}
process.stdout.write(JSON.stringify({ uid: process.getuid(), out }));
`,
      { mode: 0o644 },
    );
    scratch = fs.mkdtempSync(path.join(build, 'scratch-'));
    fs.chmodSync(scratch, 0o777);
  }, 60_000);
  afterAll(() => {
    if (build) fs.rmSync(build, { recursive: true, force: true });
  });

  interface Begun {
    readonly uid: number;
    readonly out: { isolation: string; notes: string[]; cgroup: unknown }[];
  }

  /** Runs begin-job.mjs as nobody with `PATH`; resolves with its answer. */
  const beginAsNobody = (pathEnv: string, isolations: string[]): Promise<Begun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(build, 'begin-job.mjs'), ...isolations], {
        uid: NOBODY,
        gid: NOBODY,
        cwd: build,
        env: { PATH: pathEnv, HOME: scratch },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(JSON.parse(stdout) as Begun) : reject(new Error(`begin-job exited ${code}: ${stderr}`)),
      );
    });

  it('no sudo installed: marker, with one line saying the cgroup is not writable and sudo is missing', async () => {
    const answer = await beginAsNobody(pathWithoutSudo(build), ['auto', 'cgroup']);
    expect(answer.uid).toBe(NOBODY);
    const [auto, cgroup] = answer.out;
    expect(auto).toEqual({
      isolation: 'marker',
      cgroup: null,
      notes: [
        expect.stringMatching(
          /^isolation: marker \(auto\): cgroups not usable here: cannot write \/.*: permission denied \(.*\), and sudo is not installed\.$/,
        ),
      ],
    });
    expect(cgroup?.notes).toEqual([
      expect.stringMatching(
        /^isolation: cgroup was requested but is not possible here \(cannot write .*, and sudo is not installed\); falling back to marker\.$/,
      ),
    ]);
  });

  it("sudo that wants a password: tried once, then marker with sudo's own words; never fails the job", async () => {
    const bin = path.join(build, 'fakebin');
    fs.mkdirSync(bin, { mode: 0o755 });
    const log = path.join(scratch, 'sudo-calls');
    // What `sudo -n` prints and returns when the user has no passwordless rule (sudo(8), -n).
    fs.writeFileSync(
      path.join(bin, 'sudo'),
      `#!/bin/sh\necho "$1 $2 $3" >> '${log}'\necho 'sudo: a password is required' >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const answer = await beginAsNobody(`${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, ['auto', 'cgroup']);
    const [first, second] = answer.out;
    expect(first).toEqual({
      isolation: 'marker',
      cgroup: null,
      notes: [
        'isolation: marker (auto): Cannot create a job cgroup through sudo -n: sudo -n refused: sudo: a password is required. Falling back to marker.',
      ],
    });
    // The refusal is remembered: the second job start in this process does not ask sudo again.
    expect(second?.notes).toEqual([
      expect.stringMatching(
        /^isolation: cgroup was requested but is not possible here \(cannot write .*: permission denied \(.*\), and sudo -n refused: sudo: a password is required\); falling back to marker\.$/,
      ),
    ]);
    const calls = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(calls).toHaveLength(1);
    expect(calls).toEqual(['-n sh -c']);
  });
});
