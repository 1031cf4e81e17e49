/**
 * The job cgroup's life: created at job start next to the runner, holding the
 * process that spawns the job's steps; emptied and removed at job end.
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
import type { JobCgroupRecord } from '../engine/baseline.js';
import { readStartTicks } from '../proc/linux.js';
import type { Identity } from '../proc/types.js';
import { CgroupError, cgroupOfPid, dirOf, explain, moveProcess, readKeyed, relativeToMount, subCgroups, writeControl } from './files.js';
import { inJobCgroup, jobDir, memberPids } from './members.js';
import { pruneStaleJobCgroups } from './prune.js';
import { type Cgroup2Mount, readCgroup2Mount } from './mount.js';

export interface OpenOptions {
  /** The job's STRAYS_SESSION; names the cgroup. */
  readonly session: string;
  /** The process that will spawn the job's steps (the runner's worker; for `strays run`, the command). */
  readonly movePid: number;
  /** The cgroup2 mount, or its mount point; default: from /proc/self/mountinfo. */
  readonly mount?: Cgroup2Mount | string;
  /** Where to create the job cgroup, relative to the mount; default: the moved process's own cgroup. */
  readonly parent?: string;
}

/** A mount point given by hand (tests, `--cgroup-mount`): assumed to show the whole hierarchy. */
export const asMount = (mount: Cgroup2Mount | string | undefined): Cgroup2Mount | undefined =>
  typeof mount === 'string' ? { mountPoint: mount, root: '/', readOnly: false } : (mount ?? readCgroup2Mount());

/** "strays-<hex>" sessions are used as they are; anything else gets the prefix. Never a path. */
export function cgroupName(session: string): string {
  const name = session.startsWith('strays-') ? session : `strays-${session}`;
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.includes('..')) throw new CgroupError(`Session "${session}" cannot name a cgroup.`);
  return name;
}

const codeOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

function makeDir(dir: string): void {
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    const code = codeOf(error);
    const why = code === 'EEXIST' ? 'it already exists (another job with the same session?)' : explain(code);
    throw new CgroupError(`Cannot create cgroup ${dir}: ${why}.`, code);
  }
}

/** Creates the job cgroup and moves `movePid` into it. Throws CgroupError, leaving nothing behind. */
export function openJobCgroup(options: OpenOptions): JobCgroupRecord {
  const mount = asMount(options.mount);
  if (!mount) throw new CgroupError('cgroup v2 is not mounted (no cgroup2 line in /proc/self/mountinfo).');
  const seen = readStartTicks(options.movePid);
  const shown = cgroupOfPid(options.movePid);
  if (!seen || shown === undefined) throw new CgroupError(`Cannot move pid ${options.movePid} into a job cgroup: no such process.`, 'ESRCH');
  const origin = relativeToMount(mount, shown);
  if (origin === undefined) throw new CgroupError(`pid ${options.movePid} is in cgroup ${shown}, which the cgroup2 mount ${mount.mountPoint} does not show (nested container?).`);
  const name = cgroupName(options.session);
  const parents = options.parent !== undefined ? [options.parent] : origin === '/' ? ['/'] : [origin, path.posix.dirname(origin)];
  let last: CgroupError | undefined;
  for (const parent of parents) {
    const relative = path.posix.join(parent, name);
    const dir = dirOf(mount.mountPoint, relative);
    pruneStaleJobCgroups(dirOf(mount.mountPoint, parent));
    makeDir(dir);
    try {
      if (!moveProcess(dir, options.movePid)) throw new CgroupError(`Cannot move pid ${options.movePid} into a job cgroup: no such process.`, 'ESRCH');
    } catch (error) {
      fs.rmdirSync(dir);
      last = error instanceof CgroupError ? error : new CgroupError(String(error));
      if (last.code === 'EBUSY' || last.code === 'EOPNOTSUPP') continue; // try the sibling layout
      throw last;
    }
    const moved: Identity = { pid: options.movePid, start: seen.start };
    return { mount: mount.mountPoint, path: relative, origin, moved: [moved], ...(mount.root !== '/' ? { mountRoot: mount.root } : {}) };
  }
  throw last ?? new CgroupError('No place for a job cgroup.');
}

export interface CloseResult {
  /** Moved processes put back where they were. */
  readonly movedBack: readonly number[];
  /** Whether the job cgroup (and its sub-cgroups) is gone. */
  readonly removed: boolean;
  /** Pids still inside when removal was attempted: the cgroup is left for them. */
  readonly remaining: readonly number[];
  /** Clear, per-item problems; closing never throws. */
  readonly problems: readonly string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Moves the moved process(es) back to their origin if they are still alive and
 * still in the job cgroup, thaws the cgroup, then removes it when it is empty.
 * A cgroup that still holds processes is left, and said so: rmdir would fail
 * with EBUSY anyway, and its processes must not be dropped somewhere else.
 */
export async function closeJobCgroup(record: JobCgroupRecord, options: { settleMs?: number } = {}): Promise<CloseResult> {
  const dir = jobDir(record);
  const problems: string[] = [];
  const movedBack: number[] = [];
  if (!fs.existsSync(dir)) return { movedBack, removed: true, remaining: [], problems };
  thawAll(dir, problems);
  for (const m of record.moved) {
    const now = readStartTicks(m.pid);
    if (!now || now.start !== m.start || now.state === 'Z') continue; // gone, or the pid is someone else's now
    if (!inJobCgroup(record, cgroupOfPid(m.pid))) continue;
    try {
      if (moveProcess(dirOf(record.mount, record.origin), m.pid)) movedBack.push(m.pid);
    } catch (error) {
      problems.push(`${(error as Error).message} It stays in ${dir}.`);
    }
  }
  // Exiting tasks leave their cgroup in cgroup_exit(); give the last ones a moment.
  const deadline = Date.now() + (options.settleMs ?? 1000);
  let remaining = [...memberPids(record)];
  while (remaining.length > 0 && Date.now() < deadline) {
    await sleep(20);
    remaining = [...memberPids(record)];
  }
  if (remaining.length > 0) {
    problems.push(`The job cgroup ${dir} still holds pid ${remaining.join(', ')}; it is left in place.`);
    return { movedBack, removed: false, remaining, problems };
  }
  for (const sub of [...subCgroups(dir).reverse(), dir]) {
    try {
      fs.rmdirSync(sub);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') problems.push(`Cannot remove cgroup ${sub}: ${explain(codeOf(error))}.`);
    }
  }
  return { movedBack, removed: !fs.existsSync(dir), remaining: [], problems };
}

/** A frozen job cgroup would keep its processes frozen wherever they go: thaw before anything else. */
function thawAll(dir: string, problems: string[]): void {
  try {
    if (readKeyed(dir, 'cgroup.events').get('frozen') === '1' || fs.readFileSync(`${dir}/cgroup.freeze`, 'utf8').trim() === '1') {
      writeControl(dir, 'cgroup.freeze', '0');
    }
  } catch (error) {
    problems.push((error as Error).message);
  }
}
