/**
 * Job cgroups that earlier jobs left when their end never ran (runner crash,
 * `strays start` without `strays check`): empty `strays-*` cgroups beside the
 * one a new job is about to create, which the open phase removes.
 *
 * Safe by construction: rmdir(2) of a cgroup fails with EBUSY while it holds
 * a process or a child cgroup (cgroup-v2.rst, "Creating and removing cgroups"),
 * so a live job's cgroup can never be removed; the age limit only keeps us
 * out of the microseconds between another job's mkdir and its first move.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isSessionId } from '../engine/index.js';
import { readPopulated, subCgroups } from './files.js';

/** Empty job cgroups younger than this may belong to a job being set up right now. */
export const PRUNE_MIN_AGE_MS = 60_000;

/** The empty, old job cgroups in `parentDir` (reads only: the open phase of ./phases.ts and the sweep remove them). */
export function staleJobCgroups(parentDir: string, now = Date.now()): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(parentDir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory() || !isSessionId(e.name)) continue;
    const dir = path.join(parentDir, e.name);
    try {
      if (now - fs.statSync(dir).mtimeMs < PRUNE_MIN_AGE_MS) continue;
      if (readPopulated(dir) === true) continue;
      out.push(dir);
    } catch {
      // gone meanwhile, or unreadable: not a candidate
    }
  }
  return out;
}

/**
 * Removes the empty, old job cgroups in `parentDir`, with their empty
 * sub-cgroups, directly (the sweep, which runs as the cgroups' owner or root);
 * returns those removed. A refused rmdir
 * (EBUSY: a process just arrived; EACCES: not ours) leaves the cgroup alone.
 */
export function pruneStaleJobCgroups(parentDir: string, now = Date.now()): string[] {
  return staleJobCgroups(parentDir, now).filter((dir) => {
    try {
      // Empty sub-cgroups a step made go first, deepest first (subCgroups lists parents before children).
      for (const sub of subCgroups(dir).reverse()) fs.rmdirSync(sub);
      fs.rmdirSync(dir);
      return true;
    } catch {
      return false;
    }
  });
}
