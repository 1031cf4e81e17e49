/** Moving and pruning by hand, for the cgroup tests (strays itself does both in the scripts of src/cgroup/phases.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { staleJobCgroups } from '../../src/cgroup/index.js';

/** Moves a process (all its threads) into `dir`; false when it no longer exists (ESRCH). */
export function moveProcess(dir: string, pid: number): boolean {
  try {
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), `${pid}\n`);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** What the open phase does with staleJobCgroups' answer: one rmdir each, a refused one left (EBUSY: it just got a process). */
export function pruneStaleJobCgroups(parentDir: string, now = Date.now()): string[] {
  return staleJobCgroups(parentDir, now).filter((dir) => {
    try {
      fs.rmdirSync(dir);
      return true;
    } catch {
      return false;
    }
  });
}
