/**
 * Job cgroups whose end never ran (README, What sweep ends): the sweep thaws
 * those of jobs that are over, so their leftovers get SIGTERM and a grace
 * period rather than only SIGKILL, and removes empty ones with the cgroup
 * layer's own pruning. They are named after their session (src/cgroup/
 * lifecycle.ts) under the cgroup of the process they were made for, so the
 * sweep finds them by walking the cgroup2 mount.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pruneStaleJobCgroups, readCgroup2Mount, readKeyed, setFrozen, staleJobCgroups } from '../cgroup/index.js';
import { isSessionId } from '../engine/index.js';

/** Bounds the walk on hosts with very many cgroups (each is one readdir). */
const MAX_DIRS = 20_000;
const MAX_DEPTH = 12;

export interface JobCgroupSweep {
  /** Job cgroups of over jobs that were frozen and are thawed now. */
  readonly thawed: readonly string[];
  /** Empty job cgroups removed (dry run: that would be). */
  readonly removed: readonly string[];
}

/** Every `strays-<hex>` cgroup directory under the cgroup2 mount (none when there is no mount). */
export function findJobCgroups(mountPoint = readCgroup2Mount()?.mountPoint): string[] {
  if (mountPoint === undefined) return [];
  const found: string[] = [];
  const queue: Array<[string, number]> = [[mountPoint, 0]];
  let visited = 0;
  while (queue.length > 0 && visited < MAX_DIRS) {
    const [dir, depth] = queue.shift() as [string, number];
    visited++;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const child = path.join(dir, e.name);
      if (isSessionId(e.name)) found.push(child);
      else if (depth < MAX_DEPTH) queue.push([child, depth + 1]);
    }
  }
  return found;
}

/** Thaws the frozen job cgroups of `overSessions`; a cgroup that will not thaw is left (SIGKILL still ends its processes). */
export async function thawOverJobCgroups(
  dirs: readonly string[],
  overSessions: ReadonlySet<string>,
): Promise<string[]> {
  const thawed: string[] = [];
  for (const dir of dirs) {
    if (!overSessions.has(path.basename(dir))) continue;
    try {
      if (readKeyed(dir, 'cgroup.events').get('frozen') !== '1') continue;
      await setFrozen(dir, false, 2000);
      thawed.push(dir);
    } catch {
      // not permitted (another user's cgroup) or gone: termination's SIGKILL still works on frozen tasks
    }
  }
  return thawed;
}

/** Removes (dry run: lists) the empty, old job cgroups beside the given ones. */
export function pruneJobCgroups(dirs: readonly string[], dryRun: boolean): string[] {
  const parents = [...new Set(dirs.map((d) => path.dirname(d)))];
  return parents.flatMap((parent) => (dryRun ? staleJobCgroups(parent) : pruneStaleJobCgroups(parent)));
}
