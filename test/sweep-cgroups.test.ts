/**
 * The sweep's care of job cgroups whose end never ran (a check killed while the
 * cgroup was frozen, a runner crash): found by walking the hierarchy, thawed
 * when their job is over, removed once empty and old. Real cgroups under this
 * test's own cgroup (skipped where cgroup2 is not writable).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readCgroup2Mount, readKeyed, writeControl } from '../src/cgroup/index.js';
import { findJobCgroups, pruneJobCgroups, thawOverJobCgroups } from '../src/host/job-cgroups.js';
import { hex16, moveProcess, removeMade } from './helpers/cgroup.js';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { describeIf, needsWritableCgroup } from './helpers/requires.js';

const made: string[] = [];
let leakers: Leakers | undefined;

afterEach(async () => {
  await leakers?.cleanup();
  removeMade(made);
});

describeIf(needsWritableCgroup(), 'job cgroups left by an interrupted end', () => {
  it('are found at any depth, thawed when their job is over, and removed once empty and old', async () => {
    leakers = new Leakers();
    const mount = readCgroup2Mount()!;
    const own = /^0::(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
    // A private subtree stands in for the mount root, so the walk sees only what this test made.
    const root = path.join(mount.mountPoint, own, `sweep-cgroups-test-${hex16()}`);
    const mk = (dir: string): string => {
      fs.mkdirSync(dir);
      made.push(dir);
      return dir;
    };
    mk(root);
    const runner = mk(path.join(root, 'runner.service'));
    const [frozenSession, emptySession, youngSession, liveFrozen] = [hex16(), hex16(), hex16(), hex16()].map(
      (h) => `strays-${h}`,
    ) as [string, string, string, string];
    const frozen = mk(path.join(runner, frozenSession));
    const empty = mk(path.join(runner, emptySession));
    const young = mk(path.join(runner, youngSession));
    const live = mk(path.join(runner, liveFrozen));
    const old = new Date(Date.now() - 10 * 60_000);
    fs.utimesSync(empty, old, old);
    fs.utimesSync(frozen, old, old);

    // The leftover of a check killed mid-freeze: a process in a frozen job cgroup.
    const leftover = leakers.spawn('sleep', ['300']).pid as number;
    const other = leakers.spawn('sleep', ['301']).pid as number;
    expect(moveProcess(frozen, leftover)).toBe(true);
    expect(moveProcess(live, other)).toBe(true);
    writeControl(frozen, 'cgroup.freeze', '1');
    writeControl(live, 'cgroup.freeze', '1');
    await waitFor(
      () =>
        readKeyed(frozen, 'cgroup.events').get('frozen') === '1' &&
        readKeyed(live, 'cgroup.events').get('frozen') === '1',
      'both cgroups to freeze',
    );

    const found = findJobCgroups(root);
    expect(found.sort()).toEqual([frozen, empty, young, live].sort());

    // Only the over job's cgroup is thawed; a running job's frozen cgroup is not ours to touch.
    expect(await thawOverJobCgroups(found, new Set([frozenSession]))).toEqual([frozen]);
    expect(readKeyed(frozen, 'cgroup.events').get('frozen')).toBe('0');
    expect(readKeyed(live, 'cgroup.events').get('frozen')).toBe('1');
    writeControl(live, 'cgroup.freeze', '0');

    expect(pruneJobCgroups(found, true)).toEqual([empty]);
    expect(fs.existsSync(empty)).toBe(true); // a dry run removes nothing
    expect(pruneJobCgroups(found, false)).toEqual([empty]);
    expect(fs.existsSync(empty)).toBe(false);
    expect(fs.existsSync(young)).toBe(true); // younger than a minute: may be a job being set up
    expect(fs.existsSync(frozen)).toBe(true); // holds the leftover until the sweep ends it

    process.kill(leftover, 'SIGKILL');
    await waitFor(
      () => !isAlive(leftover) && readKeyed(frozen, 'cgroup.events').get('populated') === '0',
      'the leftover to leave its cgroup',
    );
    expect(pruneJobCgroups(found, false)).toEqual([frozen]);
    process.kill(other, 'SIGKILL');
  });
});
