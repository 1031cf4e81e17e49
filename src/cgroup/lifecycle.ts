/**
 * The job cgroup's life: created at job start next to the runner, holding the
 * process that spawns the job's steps; emptied and removed at job end. The
 * writes themselves are the scripts of ./phases.ts.
 *
 * Layout (cgroup-v2.rst "Top-down Constraint", "No Internal Process
 * Constraint"): the job cgroup is a child of the moved process's own cgroup,
 * `<origin>/strays-<session>`. A new child has no controllers enabled, so it
 * may hold processes. Where the kernel still refuses the move (EBUSY from a
 * threaded or controller-enabled layout, EOPNOTSUPP), the job cgroup is made
 * a sibling leaf, `<parent of origin>/strays-<session>`, instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type JobCgroupRecord, sessionCgroupName } from '../engine/index.js';
import { type Identity, probe, stillRunning } from '../proc/index.js';
import { CgroupError, cgroupOfPid, dirOf, relativeToMount } from './files.js';
import { jobDir, memberPids, pidInJobCgroup } from './members.js';
import { type Cgroup2Mount, readCgroup2Mount } from './mount.js';
import { type CgroupPrivilege, closePhase, helperPrefix, isPermissionError, openPhase } from './phases.js';
import { staleJobCgroups } from './prune.js';

export interface OpenOptions {
  /** The job's STRAYS_SESSION; names the cgroup. */
  readonly session: string;
  /** The process that will spawn the job's steps (the runner's worker; for `strays run`, the command). */
  readonly movePid: number;
  /** The cgroup2 mount, or its mount point; default: from /proc/self/mountinfo. */
  readonly mount?: Cgroup2Mount | string;
  /** Where to create the job cgroup, relative to the mount; default: the moved process's own cgroup. */
  readonly parent?: string;
  /** Where direct writes are refused: the privileged helper (default `sudo -n` when not root). */
  readonly privilege?: CgroupPrivilege;
  /** Who may freeze and thaw the job cgroup when it is made through the helper; default this process's uid/gid. */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

/** A mount point given by hand (tests, `--cgroup-mount`): assumed to show the whole hierarchy. */
export const asMount = (mount: Cgroup2Mount | string | undefined): Cgroup2Mount | undefined =>
  typeof mount === 'string' ? { mountPoint: mount, root: '/', readOnly: false } : (mount ?? readCgroup2Mount());

/** The cgroup2 mount and `pid`'s cgroup relative to it (where its job cgroup goes), or why there is none. */
export function locateOrigin(
  pid: number,
  given?: Cgroup2Mount | string,
): { mount: Cgroup2Mount; origin: string } | { reason: string; code?: string } {
  const mount = asMount(given);
  if (!mount) return { reason: 'cgroup v2 is not mounted (no cgroup2 line in /proc/self/mountinfo)' };
  const shown = cgroupOfPid(pid);
  if (shown === undefined) return { reason: `pid ${pid} is gone or has no cgroup v2 entry`, code: 'ESRCH' };
  const origin = relativeToMount(mount, shown);
  return origin === undefined
    ? { reason: `pid ${pid}'s cgroup ${shown} is not visible under ${mount.mountPoint} (nested container?)` }
    : { mount, origin };
}

/** "strays-<hex>" sessions are used as they are; anything else gets the prefix. Never a path. */
export function cgroupName(session: string): string {
  const name = sessionCgroupName(session);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.includes('..'))
    throw new CgroupError(`Session "${session}" cannot name a cgroup.`);
  return name;
}

/** Creates the job cgroup and moves `movePid` into it. Throws CgroupError, leaving nothing behind. */
export async function openJobCgroup(options: OpenOptions): Promise<JobCgroupRecord> {
  const seen = probe(options.movePid);
  if (seen?.start === undefined)
    throw new CgroupError(`Cannot move pid ${options.movePid} into a job cgroup: no such process.`, 'ESRCH');
  const located = locateOrigin(options.movePid, options.mount);
  if ('reason' in located) throw new CgroupError(`${located.reason}.`, located.code);
  const { mount, origin } = located;
  const name = cgroupName(options.session);
  const parents =
    options.parent !== undefined ? [options.parent] : origin === '/' ? ['/'] : [origin, path.posix.dirname(origin)];
  const input = {
    mount: mount.mountPoint,
    candidates: parents.map((parent) => path.posix.join(parent, name)),
    stale: parents.flatMap((parent) =>
      staleJobCgroups(dirOf(mount.mountPoint, parent)).map((d) => path.posix.join(parent, path.basename(d))),
    ),
    pid: options.movePid,
    owner: { uid: options.owner?.uid ?? process.getuid?.() ?? 0, gid: options.owner?.gid ?? process.getgid?.() ?? 0 },
  };
  const moved: Identity = { pid: options.movePid, start: seen.start };
  const base = {
    mount: mount.mountPoint,
    origin,
    moved: [moved],
    ...(mount.root !== '/' ? { mountRoot: mount.root } : {}),
  };
  const helper = helperPrefix(options.privilege);
  const timeoutMs = options.privilege?.timeoutMs;
  // Recorded as `via: 'sudo'`: the end changes it through the helper too, with the same checks.
  const viaHelper = async (): Promise<JobCgroupRecord> => {
    if (helper === false) throw new CgroupError('No privileged helper allowed for cgroup writes.');
    return { ...base, path: await openPhase(helper, true, input, timeoutMs), via: 'sudo' };
  };
  if (options.privilege?.mode === 'always') return viaHelper();
  try {
    return { ...base, path: await openPhase([], false, input, timeoutMs) };
  } catch (error) {
    // Refused to this user: the helper may do it (passwordless sudo on hosted runners).
    if (error instanceof CgroupError && isPermissionError(error.code) && helper !== false) return viaHelper();
    throw error;
  }
}

export interface CloseResult {
  /** Moved processes put back where they were. */
  readonly movedBack: readonly number[];
  /** Whether the job cgroup (and its sub-cgroups) is gone. */
  readonly removed: boolean;
  /** Pids still inside when removal was attempted: the cgroup is left for them. */
  readonly remaining: readonly number[];
  /** Clear, per-item notes; closing never throws. */
  readonly notes: readonly string[];
}

export interface CloseOptions {
  /** How long to wait for the last exits before leaving a populated cgroup in place (default 1 s). */
  readonly settleMs?: number;
  readonly privilege?: CgroupPrivilege;
  /**
   * Living processes that leave with the moved ones, where they are inside: the checker's chain, which
   * stayed in the job cgroup while the job was checked (a clean job's post step).
   */
  readonly alsoMove?: readonly number[];
}

/**
 * Thaws the job cgroup, moves the moved process(es) back to their origin if
 * they are still alive and still inside, then removes it when it is empty. A
 * cgroup that still holds processes is left, and said so: rmdir would fail
 * with EBUSY anyway, and its processes must not be dropped somewhere else.
 */
export async function closeJobCgroup(record: JobCgroupRecord, options: CloseOptions = {}): Promise<CloseResult> {
  const dir = jobDir(record);
  if (!fs.existsSync(dir)) return { movedBack: [], removed: true, remaining: [], notes: [] };
  const alsoInside = (options.alsoMove ?? []).filter((pid) => pidInJobCgroup(record, pid));
  const leaving = [...new Set([...stillInside(record), ...alsoInside])];
  const closed = await closePhase(record, leaving, options.settleMs ?? 1000, options.privilege);
  const remaining = closed.busy ? [...memberPids(record)] : [];
  const busy = closed.busy
    ? [
        `The job cgroup ${dir} still holds pid ${remaining.join(', ') || '(outside this PID namespace)'}; it is left in place.`,
      ]
    : [];
  return { movedBack: closed.movedBack, removed: !fs.existsSync(dir), remaining, notes: [...closed.notes, ...busy] };
}

/** The moved processes that are still alive (same start time) and still in the job cgroup. */
function stillInside(record: JobCgroupRecord): number[] {
  return record.moved
    .filter(stillRunning) // not gone, and the pid not someone else's now
    .map((m) => m.pid)
    .filter((pid) => pidInJobCgroup(record, pid));
}
