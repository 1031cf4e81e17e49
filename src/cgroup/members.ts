/**
 * Who is in the job's cgroup. Membership of a cgroup is inherited by every
 * child at fork and survives setsid, double forks, reparenting to PID 1 and a
 * scrubbed environment (`env -i`, sudo's env_reset, daemon(3)); only a write
 * to cgroup.procs, which needs write access to the tree, takes a process out
 * (cgroups(7), cgroup-v2.rst "Processes").
 */
import type { JobCgroupRecord, MembershipRule } from '../engine/index.js';
import type { ProcessInfo } from '../proc/index.js';
import { cgroupOfPid, dirOf, hierarchyPathOf, readProcs, subCgroups } from './files.js';

/** The job cgroup's directory on this host. */
export const jobDir = (record: JobCgroupRecord): string => dirOf(record.mount, record.path);

/** The job cgroup as /proc/PID/cgroup shows it for processes inside it. */
export const jobHierarchyPath = (record: JobCgroupRecord): string => hierarchyPathOf(record.mountRoot, record.path);

/** Is a /proc/PID/cgroup path the job cgroup or one of its sub-cgroups? */
export function inJobCgroup(record: JobCgroupRecord, cgroupPath: string | undefined): boolean {
  if (cgroupPath === undefined) return false;
  const job = jobHierarchyPath(record);
  return cgroupPath === job || cgroupPath.startsWith(`${job}/`);
}

/** Is the process `pid` in the job cgroup or one of its sub-cgroups now? False when it is gone. */
export const pidInJobCgroup = (record: JobCgroupRecord, pid: number): boolean => inJobCgroup(record, cgroupOfPid(pid));

/**
 * Every pid in the job cgroup and its sub-cgroups (a step may create its own,
 * e.g. a nested systemd or docker). Empty when the cgroup is gone.
 */
export function memberPids(record: JobCgroupRecord): Set<number> {
  const top = jobDir(record);
  const out = new Set<number>();
  let dirs: string[];
  try {
    dirs = [top, ...subCgroups(top)];
  } catch {
    return out; // removed already: no members
  }
  for (const dir of dirs) {
    try {
      for (const pid of readProcs(dir)) out.add(pid);
    } catch {
      // a sub-cgroup removed while we walked: its processes left with it
    }
  }
  return out;
}

export interface CgroupRuleOptions {
  /**
   * Pids read from cgroup.procs (see `memberPids`), for processes whose
   * /proc/PID/cgroup was not read (details are read only for new processes).
   */
  readonly members?: ReadonlySet<number>;
}

/**
 * A detection rule: a process in the job cgroup is the job's. Detection asks
 * it only about processes that are new since job start and not protected, so
 * the runner chain and the checker are never matched by it.
 */
export function cgroupRule(record: JobCgroupRecord, options: CgroupRuleOptions = {}): MembershipRule {
  const job = jobHierarchyPath(record);
  return {
    attribution: 'cgroup',
    test(p: ProcessInfo): string | undefined {
      if (inJobCgroup(record, p.cgroup))
        return `lives in the job's cgroup ${p.cgroup === job ? job : `${job} (in ${p.cgroup})`}`;
      if (p.cgroup === undefined && options.members?.has(p.pid)) return `lives in the job's cgroup ${job}`;
      return undefined;
    },
  };
}
