/**
 * Removes job cgroups that earlier jobs left when their end never ran (runner
 * crash, `strays start` without `strays check`): empty `strays-*` cgroups
 * beside the one a new job is about to create.
 *
 * Safe by construction: rmdir(2) of a cgroup fails with EBUSY while it holds
 * a process or a child cgroup (cgroup-v2.rst, "Creating and removing cgroups"),
 * so a live job's cgroup can never be removed; the age limit only keeps us
 * out of the microseconds between another job's mkdir and its first move.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Empty job cgroups younger than this may belong to a job being set up right now. */
export const PRUNE_MIN_AGE_MS = 60_000;

export function pruneStaleJobCgroups(parentDir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const dir of staleJobCgroups(parentDir, now)) {
    try {
      fs.rmdirSync(dir);
      removed.push(dir);
    } catch {
      // EBUSY (a child cgroup, a process that just arrived), EACCES, ENOENT: not ours to remove now.
    }
  }
  return removed;
}

/** The empty, old job cgroups in `parentDir` (reads only: the open phase of ./phases.ts removes them). */
export function staleJobCgroups(parentDir: string, now = Date.now()): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(parentDir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory() || !/^strays-[0-9a-f]{16}$/.test(e.name)) continue;
    const dir = path.join(parentDir, e.name);
    try {
      if (now - fs.statSync(dir).mtimeMs < PRUNE_MIN_AGE_MS) continue;
      if (/^populated 1$/m.test(fs.readFileSync(path.join(dir, 'cgroup.events'), 'utf8'))) continue;
      out.push(dir);
    } catch {
      // gone meanwhile, or unreadable: not a candidate
    }
  }
  return out;
}
