import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/engine/findings.js';
import type { ProcessInfo } from '../src/proc/types.js';
import { neverTouchPids } from '../src/engine/never-touch.js';
import { buildTree } from '../src/engine/tree.js';
import { safeGroups } from '../src/terminate/groups.js';
import { outcomeOf, reportedOnly, type TargetRecord } from '../src/terminate/outcome.js';

const protectedPids = (processes: readonly ProcessInfo[], checker: number): Set<number> =>
  neverTouchPids({ tree: buildTree(processes), checker });

const proc = (pid: number, ppid: number, pgid: number, sid: number | undefined, state = 'S'): ProcessInfo => ({
  pid,
  ppid,
  pgid,
  sid,
  state,
  uid: 1001,
  start: 1000 + pid,
  startedAt: undefined,
  comm: `p${pid}`,
  argv: [],
});
const key = (p: ProcessInfo): string => `${p.pid}@${p.start}`;

// A runner-like chain: init(1) → runner(100, group 100, session 100) → step shell(110, same group) → us(120).
const runnerChain = [proc(1, 0, 1, 1), proc(100, 1, 100, 100), proc(110, 100, 100, 100), proc(120, 110, 100, 100)];

describe('safeGroups', () => {
  it("allows a setsid daemon's own group when every live member is a finding", () => {
    const d = [proc(200, 1, 200, 200), proc(201, 200, 200, 200)];
    const groups = safeGroups([...runnerChain, ...d], new Set(d.map(key)), protectedPids([...runnerChain, ...d], 120));
    expect(groups.get(200)?.sort()).toEqual([200, 201]);
  });

  it('refuses a group with a live member that is not a finding, but ignores zombies', () => {
    const d = [proc(200, 1, 200, 200), proc(201, 200, 200, 200)];
    const zombie = proc(202, 200, 200, 200, 'Z');
    const all = [...runnerChain, ...d, zombie];
    expect(safeGroups(all, new Set([key(d[0] as ProcessInfo)]), new Set([120])).has(200)).toBe(false);
    expect(safeGroups(all, new Set(d.map(key)), new Set([120])).has(200)).toBe(true);
  });

  it("refuses the runner's group for `cmd &` even if the runner were handed to it as a finding", () => {
    const leak = proc(300, 1, 100, 100); // orphaned `cmd &`: still in the runner's group and session
    const all = [...runnerChain, leak];
    const guarded = protectedPids(all, 120);
    expect([...guarded].sort((a, b) => a - b)).toEqual([1, 100, 110, 120]);
    expect(safeGroups(all, new Set([key(leak)]), guarded).size).toBe(0);
    // Defence in depth: a wrong finding list naming the whole group still does not allow it.
    expect(safeGroups(all, new Set(all.map(key)), guarded).size).toBe(0);
  });

  it("refuses a group in the runner's session (setpgid could add a non-finding), and groups with unknown sessions", () => {
    const jobGroup = [proc(400, 110, 400, 100), proc(401, 400, 400, 100)]; // `set -m; cmd &` in a step
    expect(
      safeGroups([...runnerChain, ...jobGroup], new Set(jobGroup.map(key)), new Set([120, 110, 100, 1])).size,
    ).toBe(0);
    const unknown = [proc(500, 1, 500, undefined)];
    expect(safeGroups([...runnerChain, ...unknown], new Set(unknown.map(key)), new Set([120])).size).toBe(0);
  });

  it('never allows pgid 0 or 1', () => {
    const odd = [proc(600, 1, 1, 1), proc(601, 1, 0, 601)];
    expect(safeGroups(odd, new Set(odd.map(key)), new Set([120])).size).toBe(0);
  });

  it('does not count a recycled pid (other start) as the finding', () => {
    const live = proc(700, 1, 700, 700);
    expect(safeGroups([live], new Set([`700@1`]), new Set([120])).size).toBe(0);
  });
});

const finding = (pid: number): Finding => ({
  process: proc(pid, 1, pid, pid),
  attribution: 'marker',
  reasons: ['test'],
  ancestry: [1],
  children: [],
  step: undefined,
});
const record = (signals: string[], settled?: TargetRecord['settled']): TargetRecord => ({
  finding: finding(42),
  pid: 42,
  start: 1042,
  signals,
  via: 'process',
  settled,
});

describe('outcomeOf', () => {
  it('tells exited from killed by whether SIGKILL was needed', () => {
    expect(outcomeOf(record(['SIGSTOP', 'SIGTERM', 'SIGCONT']), { kind: 'dead' }).outcome).toBe('exited');
    expect(
      outcomeOf(record(['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGSTOP', 'SIGKILL', 'SIGCONT']), { kind: 'dead' }).outcome,
    ).toBe('killed');
  });

  it('calls a dead-but-unreaped process a zombie with its reaper, never survived', () => {
    const r = outcomeOf(record(['SIGSTOP', 'SIGTERM', 'SIGKILL']), { kind: 'zombie', reaper: 1 });
    expect(r.outcome).toBe('zombie');
    expect(r.reaper).toBe(1);
    expect(r.detail).toMatch(/ended on SIGKILL.*pid 1/);
  });

  it('reports a survivor in state D with its wchan', () => {
    const r = outcomeOf(record(['SIGSTOP', 'SIGTERM', 'SIGCONT', 'SIGKILL']), {
      kind: 'running',
      state: 'D',
      wchan: 'request_wait_answer',
    });
    expect(r.outcome).toBe('survived');
    expect(r.detail).toMatch(/state D \(uninterruptible sleep\); wchan request_wait_answer/);
  });

  it('maps settled records: gone, reused, zombie, denied, protected', () => {
    expect(outcomeOf(record([], { kind: 'gone' }), { kind: 'dead' }).outcome).toBe('gone');
    const reused = outcomeOf(record([], { kind: 'reused', start: 9 }), {
      kind: 'running',
      state: 'S',
      wchan: undefined,
    });
    expect([reused.outcome, reused.detail]).toEqual(['gone', expect.stringMatching(/pid reused/)]);
    expect(outcomeOf(record([], { kind: 'zombie', reaper: 7 }), { kind: 'zombie', reaper: 7 })).toMatchObject({
      outcome: 'zombie',
      reaper: 7,
    });
    expect(
      outcomeOf(record([], { kind: 'denied', detail: 'EPERM: x' }), { kind: 'running', state: 'S', wchan: undefined }),
    ).toMatchObject({
      outcome: 'not-permitted',
      detail: 'EPERM: x',
    });
    expect(
      outcomeOf(record([], { kind: 'protected', detail: 'is the strays process itself: never signalled' }), {
        kind: 'running',
        state: 'S',
        wchan: undefined,
      }),
    ).toMatchObject({
      outcome: 'reported',
      via: 'none',
    });
  });

  it('kill: false reports every finding, unsignalled', () => {
    expect(reportedOnly([finding(5), finding(6)]).map((r) => [r.pid, r.outcome, r.signals.length, r.via])).toEqual([
      [5, 'reported', 0, 'none'],
      [6, 'reported', 0, 'none'],
    ]);
  });
});
