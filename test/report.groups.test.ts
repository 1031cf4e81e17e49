/**
 * Groups of identical leaks (README "Order and groups"): one row per command
 * shape, step, user and outcome. Entries are built here rather than read: the
 * rule is about the report's rows, not about processes.
 */
import { describe, expect, it } from 'vitest';
import { groupEntries, type Ungrouped } from '../src/report/index.js';

/** A leak entry with what grouping reads; the rest as a report would fill it. */
function entry(pid: number, argv: string[], uid: number, step = 'tests'): Ungrouped {
  return {
    pid,
    start: 1000 + pid,
    command: argv.join(' '),
    argv,
    commandLength: argv.join(' ').length,
    argvCount: argv.length,
    truncated: false,
    comm: argv[0] as string,
    uid,
    user: uid === 0 ? 'root' : 'runner',
    startedAt: undefined,
    ageMs: 10,
    step,
    stepName: undefined,
    attribution: 'cgroup',
    reasons: [],
    ancestry: [],
    ancestryEndsAt: undefined,
    ppid: 1,
    reparented: true,
    sessionLeader: true,
    groupLeader: true,
    state: 'S',
    stopped: false,
    uninterruptible: false,
    wchan: undefined,
    zombieChildren: [],
    holds: {
      listening: [],
      cwd: undefined,
      cwdInWorkspace: undefined,
      cwdPlace: undefined,
      openFiles: [],
      fds: 'unknown',
      fdsReason: undefined,
      fdsRead: undefined,
      fdsTotal: undefined,
      fdsCapped: false,
      children: [],
    },
    outcome: 'exited',
    signals: ['SIGTERM'],
    via: 'process',
    detail: undefined,
  };
}

describe('groups of identical leaks', () => {
  it('one shape, step and user is one row: sleep 404 and sleep 405 together', () => {
    const { groups, index } = groupEntries(
      'leaks',
      [entry(10, ['sleep', '404'], 1001), entry(11, ['sleep', '405'], 1001)],
      0,
    );
    expect(groups.map((g) => g.pids)).toEqual([[10, 11]]);
    expect(index).toEqual([0, 0]);
  });

  it("another user's process of the same shape is a row of its own (a step's sudo daemon beside its own)", () => {
    const { groups, index } = groupEntries(
      'leaks',
      [entry(10, ['sleep', '300'], 1001), entry(21, ['sleep', '302'], 0)],
      0,
    );
    expect(groups.map((g) => g.pids)).toEqual([[10], [21]]);
    expect(index).toEqual([0, 1]);
  });

  it('another step is a row of its own', () => {
    const { groups } = groupEntries(
      'leaks',
      [entry(10, ['sleep', '1'], 1001, 'a'), entry(11, ['sleep', '1'], 1001, 'b')],
      3,
    );
    expect(groups.map((g) => [g.step, g.pids])).toEqual([
      ['a', [10]],
      ['b', [11]],
    ]);
  });
});
