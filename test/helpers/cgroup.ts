/** Moving a process by hand, for the cgroup tests (strays itself moves in the scripts of src/cgroup/phases.ts). */
import fs from 'node:fs';
import path from 'node:path';

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

export { pruneStaleJobCgroups } from '../../src/cgroup/index.js';
