/**
 * Pruning what crashed jobs left: empty, old `strays-*` cgroups go; a
 * populated one, a young one and anything not named like a job cgroup stay.
 * Real cgroups on this host's cgroup2 mount (skipped where not writable).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { PRUNE_MIN_AGE_MS, readCgroup2Mount } from '../src/cgroup/index.js';
import { hex16, moveProcess, pruneStaleJobCgroups, removeMade } from './helpers/cgroup.js';
import { Leakers } from './helpers/leakers.js';
import { describeIf, needsWritableCgroup } from './helpers/requires.js';

const made: string[] = [];
let leakers: Leakers | undefined;

afterEach(async () => {
  await leakers?.cleanup();
  removeMade(made);
});

describeIf(needsWritableCgroup(), 'pruneStaleJobCgroups', () => {
  it('removes only old, empty job cgroups', async () => {
    const mount = readCgroup2Mount()!;
    const parent = path.join(mount.mountPoint, `strays-prune-test-${hex16()}`);
    fs.mkdirSync(parent);
    made.push(parent);
    const mk = (name: string): string => {
      const dir = path.join(parent, name);
      fs.mkdirSync(dir);
      made.push(dir);
      return dir;
    };
    const stale = mk(`strays-${hex16()}`);
    mk(`${path.basename(stale)}/step-made`); // an empty sub-cgroup a step made: rmdir(stale) alone fails
    const populated = mk(`strays-${hex16()}`);
    const other = mk('not-a-job');
    leakers = new Leakers();
    const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    leakers.track(sleeper.pid as number);
    moveProcess(populated, sleeper.pid as number);

    expect(pruneStaleJobCgroups(parent)).toEqual([]); // all younger than the minimum age
    const later = Date.now() + PRUNE_MIN_AGE_MS + 1000;
    expect(pruneStaleJobCgroups(parent, later)).toEqual([stale]);
    expect(fs.existsSync(populated)).toBe(true);
    expect(fs.existsSync(other)).toBe(true);

    // Put the sleeper back in the test's own cgroup so the fixtures can be removed.
    const own = fs.readFileSync('/proc/self/cgroup', 'utf8').match(/^0::(.*)$/m)?.[1] ?? '/';
    moveProcess(path.join(mount.mountPoint, own), sleeper.pid as number);
  });
});
