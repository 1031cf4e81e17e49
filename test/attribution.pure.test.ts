/**
 * The attribution rule, one test per clause, on tables built by
 * test/helpers/process-builder.ts (pure: runs without root).
 * Proof ends and fails; a readable environment without this job's marker is
 * evidence against; the one guess is for unreadable environments on a host
 * where no other job is visible.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupRule } from '../src/cgroup/members.js';
import { parseAllowlist } from '../src/engine/allowlist.js';
import { detect } from '../src/engine/detect.js';
import type { Detection } from '../src/engine/findings.js';
import { SESSION_VAR, TRACKING_VAR } from '../src/engine/session.js';
import { within } from '../src/engine/time-window.js';
import { firstSeen, promotable } from '../src/job/rescan.js';
import { pipelinePartners } from '../src/proc/pipes.js';
import { annotations, buildReport } from '../src/report/index.js';
import { HostBuilder, OTHER_SESSION, UNREADABLE, env, jobCgroup } from './helpers/process-builder.js';

const pids = (list: Detection['findings']): number[] => list.map((f) => f.process.pid).sort((a, b) => a - b);

function judge(h: HostBuilder, options: Parameters<typeof detect>[2] = {}, cgroup = false): Detection {
  const record = cgroup ? jobCgroup() : undefined;
  const baseline = h.baseline({ cgroup: record });
  return detect(baseline, h.table(), { checker: h.checker, rules: record ? [cgroupRule(record)] : [], ...options });
}

describe('proof ends and fails', () => {
  it("this job's STRAYS_SESSION, RUNNER_TRACKING_ID, the job cgroup, and descent from any of them", () => {
    const h = new HostBuilder();
    const marked = h.add({ ppid: 1, env: h.marked() });
    const tracked = h.add({ ppid: 1, env: h.tracked() });
    const inCgroup = h.add({ ppid: 1, env: env(), cgroup: `${jobCgroup().path}` });
    const child = h.add({ ppid: marked.pid, env: env() }); // env -i child of a marked daemon
    const d = judge(h, {}, true);
    const by = new Map(d.findings.map((f) => [f.process.pid, f.attribution]));
    expect(by.get(marked.pid)).toBe('marker');
    expect(by.get(tracked.pid)).toBe('tracking-id');
    expect(by.get(inCgroup.pid)).toBe('cgroup');
    expect(by.get(child.pid)).toBe('lineage');
    expect(d.unattributed).toEqual([]);
  });

  it('our session with another RUNNER_TRACKING_ID is still ours (the session proves)', () => {
    const h = new HostBuilder();
    const p = h.add({ ppid: 1, env: h.marked({ [TRACKING_VAR]: 'someone-else' }) });
    expect(pids(judge(h).findings)).toEqual([p.pid]);
  });

  it('zombies (Z and X) are dead: reported as zombies, never as running leaks', () => {
    const h = new HostBuilder();
    const z = h.add({ ppid: 1, env: h.marked(), state: 'Z' });
    const x = h.add({ ppid: 1, env: h.marked(), state: 'X' });
    const d = judge(h);
    expect(d.findings).toEqual([]);
    expect(d.zombies.map((zz) => zz.process.pid).sort()).toEqual([z.pid, x.pid].sort());
  });
});

describe("a readable environment without this job's marker is evidence against", () => {
  for (const uid of [0, 65534]) {
    for (const isolation of ['marker', 'cgroup'] as const) {
      it(`PID 1 starts a same-uid process during the job (uid ${uid}, ${isolation}): not the job's, not even unattributed`, () => {
        const h = new HostBuilder({ uid });
        const agentCommand = h.add({ ppid: 1, comm: 'sh', env: env({ PATH: '/bin' }) });
        const grandchild = h.add({ ppid: agentCommand.pid, comm: 'cat', env: env() });
        const orphan = h.add({ ppid: 1, comm: 'sleep', env: env() }); // double-forked, marker-less, in the runner's cgroup
        const d = judge(h, {}, isolation === 'cgroup');
        expect(d.findings).toEqual([]);
        expect(d.unattributed).toEqual([]);
        for (const p of [agentCommand, grandchild, orphan])
          expect(d.spared.some((s) => s.process.pid === p.pid)).toBe(false);
      });
    }
  }

  it("a Jenkins-style agent as PID 1 with two executors: build B (no strays) is never build A's", () => {
    const h = new HostBuilder({ initComm: 'java' });
    const buildB = h.add({ ppid: 1, comm: 'sh', env: env({ BUILD_TAG: 'B' }) });
    for (let i = 0; i < 7; i++) h.add({ ppid: buildB.pid, comm: 'sleep', env: env({ BUILD_TAG: 'B' }) });
    const leakA = h.add({ ppid: 1, env: h.marked() });
    const d = judge(h);
    expect(pids(d.findings)).toEqual([leakA.pid]);
    expect(d.unattributed).toEqual([]);
  });
});

describe('the one guess: environments that cannot be read', () => {
  it("ends an unreadable same-uid orphan in the runner's cgroup on a quiet host, naming its evidence", () => {
    const h = new HostBuilder();
    const agent = h.add({ ppid: 1, comm: 'ssh-agent', env: UNREADABLE });
    const d = judge(h);
    expect(d.findings).toHaveLength(1);
    expect(d.findings[0]?.attribution).toBe('time-window');
    expect(d.findings[0]?.process.pid).toBe(agent.pid);
    expect(d.findings[0]?.reasons.join('; ')).toMatch(
      /environment unreadable \(permission denied\) and no privileged read.*no other job visible/,
    );
  });

  it('never with a job cgroup: membership decides', () => {
    const h = new HostBuilder();
    h.add({ ppid: 1, comm: 'ssh-agent', env: UNREADABLE });
    const d = judge(h, {}, true);
    expect(d.findings).toEqual([]);
    expect(d.unattributed).toEqual([]);
  });

  it('never for another uid, an old process, a live parent, or another cgroup', () => {
    const h = new HostBuilder();
    h.add({ ppid: 1, env: UNREADABLE, uid: 4242 });
    h.add({ ppid: 1, env: UNREADABLE, old: true });
    const parent = h.add({ ppid: 1, env: env(), old: true });
    h.add({ ppid: parent.pid, env: UNREADABLE });
    h.add({ ppid: 1, env: UNREADABLE, cgroup: '/user.slice/user-1001.slice/session-3.scope' });
    const d = judge(h);
    expect(d.findings).toEqual([]);
    expect(d.unattributed).toEqual([]);
  });

  it('a root cgroup "/" contains only itself', () => {
    expect(within('/system.slice/cron.service', '/')).toBe(false);
    expect(within('/', '/')).toBe(true);
    expect(within('/a/b', '/a')).toBe(true);
    expect(within('/ab', '/a')).toBe(false);
    const h = new HostBuilder({ runnerCgroup: '/' });
    h.add({ ppid: 1, env: UNREADABLE, cgroup: '/system.slice/cron.service' });
    const inRoot = h.add({ ppid: 1, env: UNREADABLE, cgroup: '/' });
    expect(pids(judge(h).findings)).toEqual([inRoot.pid]);
  });

  it('another live job on the host: unattributed, with its descendants, never a finding', () => {
    const h = new HostBuilder();
    const other = h.add({ ppid: 1, env: env({ [SESSION_VAR]: OTHER_SESSION }) });
    const agent = h.add({ ppid: 1, comm: 'gpg-agent', env: UNREADABLE });
    const child = h.add({ ppid: agent.pid, comm: 'scdaemon', env: UNREADABLE });
    const d = judge(h, { otherSessions: [OTHER_SESSION] });
    expect(d.findings).toEqual([]);
    expect(pids(d.unattributed)).toEqual([agent.pid, child.pid]);
    expect(d.unattributed[0]?.reasons[1]).toMatch(/another job was active/);
    expect(d.spared.find((s) => s.process.pid === other.pid)?.reason).toMatch(/of another live job/);
  });

  it('a malformed foreign session does not make the host look busy', () => {
    const h = new HostBuilder();
    h.add({ ppid: 1, env: env({ [SESSION_VAR]: 'not-a-session' }) });
    const agent = h.add({ ppid: 1, env: UNREADABLE });
    expect(pids(judge(h).findings)).toEqual([agent.pid]);
  });

  it('off with timeWindow: false', () => {
    const h = new HostBuilder();
    h.add({ ppid: 1, env: UNREADABLE });
    expect(judge(h, { timeWindow: false }).findings).toEqual([]);
  });
});

describe('markers judged for what they are', () => {
  it('a foreign session that is no registered live job is evidence neither way: listed as spared, never a finding', () => {
    const h = new HostBuilder();
    const forged = h.add({ ppid: 1, env: env({ [SESSION_VAR]: 'strays-ffffffffffffffff' }) });
    const d = judge(h);
    expect(d.findings).toEqual([]);
    expect(d.spared.find((s) => s.process.pid === forged.pid)?.reason).toMatch(/no evidence either way/);
  });

  it("a foreign session does not hide a process in the job cgroup, nor a child of the job's process", () => {
    const h = new HostBuilder();
    const inCgroup = h.add({ ppid: 1, env: env({ [SESSION_VAR]: OTHER_SESSION }), cgroup: jobCgroup().path });
    const parent = h.add({ ppid: 1, env: h.marked() });
    const hidden = h.add({ ppid: parent.pid, env: env({ [SESSION_VAR]: OTHER_SESSION }) });
    const d = judge(h, { otherSessions: [OTHER_SESSION] }, true);
    expect(pids(d.findings)).toEqual([inCgroup.pid, parent.pid, hidden.pid].sort((a, b) => a - b));
  });

  it("another job's RUNNER_TRACKING_ID is spared and listed", () => {
    const h = new HostBuilder();
    const other = h.add({ ppid: 1, env: env({ [TRACKING_VAR]: 'track-theirs' }) });
    const d = judge(h);
    expect(d.findings).toEqual([]);
    expect(d.spared.find((s) => s.process.pid === other.pid)?.reason).toMatch(/another job's RUNNER_TRACKING_ID/);
  });
});

describe('allow is a verdict of its own', () => {
  it('spares an allowed supervisor and everything it starts, at any depth', () => {
    const h = new HostBuilder();
    const sup = h.add({ ppid: 1, comm: 'supervisor', env: h.marked() });
    const worker = h.add({ ppid: sup.pid, comm: 'worker', env: h.marked() });
    const task = h.add({ ppid: worker.pid, comm: 'task', env: h.marked() });
    const deeper = h.add({ ppid: task.pid, comm: 'sh', env: h.marked() });
    const leak = h.add({ ppid: 1, comm: 'leak', env: h.marked() });
    const d = judge(h, { allow: parseAllowlist(['name:supervisor']) });
    expect(pids(d.findings)).toEqual([leak.pid]);
    const spared = new Map(d.spared.map((s) => [s.process.pid, s.reason]));
    for (const p of [sup, worker, task, deeper]) expect(spared.get(p.pid)).toMatch(/allowed by "name:supervisor"/);
    expect(spared.get(deeper.pid)).toMatch(/^descends from pid \d+, allowed by/);
  });
});

describe('never touched', () => {
  it('the checker, its ancestors, the recorded runner chain and PID 1, even when they carry the marker', () => {
    const h = new HostBuilder();
    const shell = h.add({ ppid: h.worker.pid, comm: 'bash', env: h.marked() });
    const checker = h.add({ ppid: shell.pid, comm: 'strays', env: h.marked() });
    const d = detect(h.baseline(), h.table(), { checker: checker.pid });
    expect(d.findings.map((f) => f.process.pid)).not.toContain(shell.pid);
    expect(d.findings.map((f) => f.process.pid)).not.toContain(checker.pid);
  });

  it('pipeline partners handed in are never findings, but what they start may be', () => {
    const h = new HostBuilder();
    const tee = h.add({ ppid: h.worker.pid, comm: 'tee', env: h.marked() });
    const leak = h.add({ ppid: 1, env: h.marked() });
    const d = judge(h, {
      partners: new Map([[tee.pid, "is the checker's pipeline partner: reads its stdout (pipe:[1])"]]),
    });
    expect(pids(d.findings)).toEqual([leak.pid]);
  });
});

describe('a termination rescan never promotes', () => {
  it('keeps only processes the first pass never saw, found by proof', () => {
    const h = new HostBuilder();
    h.add({ ppid: 1, env: UNREADABLE });
    const firstTable = h.table();
    const first = judge(h, { otherSessions: [OTHER_SESSION] });
    expect(first.unattributed).toHaveLength(1);
    // The other job ended meanwhile: the rescan's fresh judgement would now take the agent.
    const rescan = judge(h);
    expect(rescan.findings).toHaveLength(1);
    const forked = h.add({ ppid: 1, env: h.marked() });
    const later = judge(h);
    expect(promotable(later.findings, firstSeen(firstTable)).map((f) => f.process.pid)).toEqual([forked.pid]);
  });
});

describe('pipeline partners (src/proc/pipes.ts), on a built /proc', () => {
  const mkproc = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'strays-pipes-'));
  const fd = (root: string, pid: number, n: number, link: string, flags: string): void => {
    fs.mkdirSync(path.join(root, String(pid), 'fd'), { recursive: true });
    fs.mkdirSync(path.join(root, String(pid), 'fdinfo'), { recursive: true });
    fs.symlinkSync(link, path.join(root, String(pid), 'fd', String(n)));
    fs.writeFileSync(path.join(root, String(pid), 'fdinfo', String(n)), `pos:\t0\nflags:\t${flags}\nmnt_id:\t15\n`);
  };

  it("the other end of the checker's stdout is a partner; a leak writing to the same pipe is not", () => {
    const root = mkproc();
    try {
      fd(root, 10, 0, '/dev/null', '0100000');
      fd(root, 10, 1, 'pipe:[777]', '01'); // checker writes stdout
      fd(root, 10, 2, 'pipe:[777]', '01');
      fd(root, 20, 0, 'pipe:[777]', '00'); // tee reads it
      fd(root, 30, 1, 'pipe:[777]', '01'); // `sleep 300 &` writes to the same pipe
      fd(root, 40, 5, 'pipe:[888]', '00'); // unrelated pipe
      const partners = pipelinePartners(10, [20, 30, 40, 99], root);
      expect([...partners.keys()]).toEqual([20]);
      expect(partners.get(20)).toMatch(/reads its stdout \(pipe:\[777\]\)/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("the writer into the checker's stdin is a partner", () => {
    const root = mkproc();
    try {
      fd(root, 10, 0, 'pipe:[555]', '00');
      fd(root, 20, 1, 'pipe:[555]', '01');
      expect([...pipelinePartners(10, [20], root).keys()]).toEqual([20]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('unattributed never fails the job', () => {
  it('the report of a job with only unattributed processes does not fail, and counts them apart', () => {
    const h = new HostBuilder();
    h.add({ ppid: 1, comm: 'gpg-agent', env: UNREADABLE });
    const baseline = h.baseline();
    const detection = detect(baseline, h.table(), { checker: h.checker, otherSessions: [OTHER_SESSION] });
    expect(detection.unattributed).toHaveLength(1);
    const report = buildReport({
      baseline,
      detection,
      termination: undefined,
      explanations: new Map(),
      options: { kill: true, graceMs: 1000, failOnLeak: true },
      context: { host: 'test', checkedAt: 1_700_000_200_000 },
    });
    expect(report.failed).toBe(false);
    expect(report.counts).toMatchObject({ leaked: 0, unattributed: 1 });
    expect(annotations(report).map((a) => a.level)).toEqual(['warning', 'warning']); // the job's, then the group's
  });
});
