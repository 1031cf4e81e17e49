/**
 * The cgroup writes a non-root job needs, through ONE privileged helper call
 * per phase (issue 8: "root, passwordless sudo, or a delegated subtree").
 *
 * Moving a process between two cgroups needs write access to cgroup.procs of
 * their common ancestor (cgroup-v2.rst "Delegation Containment"); for the job
 * cgroup `<origin>/strays-<session>` that is the runner's own cgroup, owned by
 * root. So moving the worker in at start, out before freezing, and back at
 * the end all need root; so does mkdir/rmdir beside it. Where the direct
 * write is refused (EACCES/EPERM) and a privilege prefix is available
 * (`sudo -n` when not root, as for environments in src/proc/privileged.ts),
 * the phase runs as `sudo -n sh -c '<fixed script>' sh <args…>`:
 *
 * - open: prune stale empty job cgroups, mkdir, move the pid, and chown only
 *   the new cgroup's cgroup.freeze to the job's user, so freeze and thaw at
 *   the end need no sudo. Nothing else is handed over: with cgroup.procs or
 *   the directory the user could move processes or create sub-cgroups, and
 *   freezing their own job is no more than SIGSTOP, which they can do anyway.
 * - evacuate: move pids back to the origin (before freezing).
 * - close: thaw, move pids back, wait until empty, rmdir deepest first.
 *
 * The scripts are constants; every value is a positional argument, so no
 * value is ever parsed by the shell. Values are validated before anything
 * runs: the mount must be a cgroup2 mount point listed in mountinfo, paths
 * must stay inside it, the job cgroup must be named `strays-<16 hex>`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { JobCgroupRecord } from '../engine/baseline.js';
import { type PrivilegePrefix, SUDO_PREFIX, defaultPrivilegePrefix, isRoot } from '../proc/privileged.js';
import { CgroupError, dirOf } from './files.js';
import { parseCgroup2Line } from './mount.js';

export type CgroupVia = 'direct' | 'sudo';

export interface CgroupPrivilege {
  /**
   * The helper's command prefix (`[]`: run the script directly); default `sudo -n` when not root. As root: none
   * for a refused write, `[]` to change a cgroup made through the helper. false: never.
   */
  readonly prefix?: PrivilegePrefix | false;
  /** `fallback` (default): write directly, use the helper only where the kernel refuses; `always`: use the helper at once. */
  readonly mode?: 'fallback' | 'always';
  /** Give up after this long (default 10 s): a hung sudo (PAM, LDAP) must not hang the job. */
  readonly timeoutMs?: number;
}


/**
 * The helper for a refused write: the default of src/engine (`sudo -n` when
 * not root; none when root, whom running the same script unelevated would not help).
 */
export const helperPrefix = (privilege?: CgroupPrivilege): PrivilegePrefix | false =>
  privilege?.prefix ?? defaultPrivilegePrefix();

/** The helper for a cgroup made through it (`via: 'sudo'`): root runs the same script directly. */
export const recordHelperPrefix = (privilege?: CgroupPrivilege): PrivilegePrefix | false =>
  privilege?.prefix ?? (isRoot() ? [] : SUDO_PREFIX);

/** The helper in words, for log lines: "sudo -n". */
export const helperName = (prefix: PrivilegePrefix): string => (prefix.length > 0 ? prefix.join(' ') : 'sh (no elevation)');

/** Errors the helper can fix; EROFS, EBUSY … are the same for root. */
export const isPermissionError = (code: string | undefined): boolean => code === 'EACCES' || code === 'EPERM';

/** Helpers found unusable in this process (no sudo, password required): tried once, then the same reason. */
const refused = new Map<string, string>();
export const resetCgroupHelperRefusals = (): void => refused.clear();

/** Why the helper cannot be used, without running it (no such program, refused earlier); undefined when it may work. */
export function helperUnavailable(prefix: PrivilegePrefix): string | undefined {
  const known = refused.get(helperName(prefix));
  if (known !== undefined) return known;
  const program = prefix[0];
  if (program === undefined) return undefined;
  const candidates = program.includes('/') ? [program] : (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => path.join(d, program));
  const found = candidates.some((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
  return found ? undefined : `${program} is not installed`;
}

const JOB_NAME = /^strays-[0-9a-f]{16}$/;

/** cgroup2 mount points in this mount namespace, exactly as mountinfo lists them. */
function cgroup2MountPoints(): string[] {
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map(parseCgroup2Line).flatMap((m) => (m ? [m.mountPoint] : []));
  } catch {
    return [];
  }
}

/**
 * `mount` + `relative` as an absolute directory the helper may touch; throws
 * CgroupError (EINVAL) when the mount is not a cgroup2 mount point, the path
 * is not a plain absolute path inside it, or a job cgroup is misnamed.
 */
export function helperDir(mount: string, relative: string, kind: 'job' | 'cgroup'): string {
  const refuse = (why: string): never => {
    throw new CgroupError(`Refusing a privileged cgroup operation on "${mount}" + "${relative}": ${why}.`, 'EINVAL');
  };
  if (!cgroup2MountPoints().includes(mount)) refuse(`${JSON.stringify(mount)} is not a cgroup2 mount point in /proc/self/mountinfo`);
  // Control characters would make the helper's line-based output ambiguous; "." and ".." segments could leave the tree.
  if (/[\0-\x1f\x7f]/.test(relative)) refuse('the path contains control characters');
  if (!relative.startsWith('/') || relative.split('/').some((s) => s === '.' || s === '..')) refuse('not a plain absolute path');
  if (kind === 'job' && !JOB_NAME.test(path.posix.basename(relative))) refuse('a job cgroup is named strays-<16 hex digits>');
  return dirOf(mount, relative);
}

/** The job cgroup and origin directories of a record, validated. */
export const helperDirsOf = (record: JobCgroupRecord): { dir: string; origin: string } => ({
  dir: helperDir(record.mount, record.path, 'job'),
  origin: helperDir(record.mount, record.origin, 'cgroup'),
});

export type HelperRun =
  | { readonly ok: true; readonly lines: readonly string[]; readonly stderr: string; readonly command: string }
  | { readonly ok: false; readonly reason: string; readonly command: string };

/** Printed first by every script: proof that the script itself ran (as opposed to sudo refusing). */
const READY = 'strays-cgroup-helper';

/** Runs one fixed script as `prefix sh -c SCRIPT sh args…`, synchronously (job start is synchronous). */
function runHelper(prefix: PrivilegePrefix, script: string, args: readonly string[], timeoutMs = 10_000): HelperRun {
  const command = helperName(prefix);
  const known = refused.get(command);
  if (known !== undefined) return { ok: false, reason: known, command };
  const [file, ...rest] = [...prefix, 'sh', '-c', `echo ${READY}\n${script}`, 'sh', ...args];
  const result = spawnSync(file as string, rest, {
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  const lines = (result.stdout ?? '').split('\n').filter(Boolean);
  const stderr = (result.stderr ?? '').trim();
  if (lines[0] !== READY) {
    const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
    const reason =
      code === 'ENOENT' || (code === 'EACCES' && (result.error as { syscall?: string }).syscall?.startsWith('spawn'))
        ? `${file} is not installed`
        : code === 'ETIMEDOUT'
          ? `${command} did not answer within ${timeoutMs} ms`
          : `${command} refused: ${stderr.split('\n')[0] || `exit status ${result.status ?? result.signal}`}`;
    refused.set(command, reason);
    return { ok: false, reason, command };
  }
  return { ok: true, lines: lines.slice(1), stderr, command };
}

/** The helper's complaints, one line, for a problem message. */
const lastWords = (run: { stderr: string }): string => run.stderr.split('\n').filter(Boolean).slice(-2).join(' / ') || 'no reason given';

// open: $1 owner uid:gid, $2 pid, $3 count of stale dirs, the stale dirs, then candidate job dirs in order.
// A failed mkdir (exists, no permission) stops; a failed move (EBUSY/EOPNOTSUPP layouts) tries the next candidate.
const OPEN = `owner=$1 pid=$2 n=$3; shift 3
while [ "$n" -gt 0 ]; do rmdir -- "$1" 2>/dev/null && echo "pruned $1"; shift; n=$((n - 1)); done
for dir; do
  mkdir -- "$dir" || exit 3
  if echo "$pid" > "$dir/cgroup.procs"; then
    chown -- "$owner" "$dir/cgroup.freeze" || echo chown-failed
    echo "opened $dir"; exit 0
  fi
  rmdir -- "$dir"
done
exit 4`;

// evacuate: $1 origin dir, then pids. A pid that is gone is a fact, not a failure.
const MOVE = `for p; do
  if echo "$p" > "$to/cgroup.procs"; then echo "moved $p"; elif [ -d "/proc/$p" ]; then echo "failed $p"; fi
done`;
const EVACUATE = `to=$1; shift
${MOVE}`;

// close: $1 job dir, $2 origin dir, $3 ticks of 50 ms to wait for the last exits, then pids to move back.
const CLOSE = `dir=$1 to=$2 ticks=$3; shift 3
echo 0 > "$dir/cgroup.freeze" || echo thaw-failed
${MOVE}
while [ "$ticks" -gt 0 ] && grep -q '^populated 1' "$dir/cgroup.events"; do sleep 0.05; ticks=$((ticks - 1)); done
if grep -q '^populated 1' "$dir/cgroup.events"; then echo busy; exit 0; fi
find "$dir" -depth -type d -exec rmdir -- {} + && echo removed`;

export interface HelperOpen {
  readonly opened: string | undefined;
  readonly pruned: readonly string[];
  /** cgroup.freeze could not be handed to the user: the freezer will be refused at the end (detection runs unfrozen). */
  readonly chownFailed: boolean;
}

/** Start phase: one helper call that prunes `stale`, then creates the first candidate that takes `pid` (all relative to the mount). */
export function openViaHelper(
  prefix: PrivilegePrefix,
  input: { mount: string; candidates: readonly string[]; stale: readonly string[]; pid: number; owner: { uid: number; gid: number } },
  timeoutMs?: number,
): HelperOpen {
  const ids = [input.pid, input.owner.uid, input.owner.gid];
  if (!ids.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new CgroupError(`Refusing a privileged cgroup operation: bad pid/uid/gid ${ids.join('/')}.`, 'EINVAL');
  const candidates = input.candidates.map((c) => helperDir(input.mount, c, 'job'));
  const stale = input.stale.map((s) => helperDir(input.mount, s, 'job'));
  const run = runHelper(prefix, OPEN, [`${input.owner.uid}:${input.owner.gid}`, String(input.pid), String(stale.length), ...stale, ...candidates], timeoutMs);
  if (!run.ok) throw new CgroupError(`Cannot create a job cgroup through ${run.command}: ${run.reason}.`);
  const opened = run.lines.find((l) => l.startsWith('opened '))?.slice('opened '.length);
  if (opened === undefined) throw new CgroupError(`Cannot create a job cgroup ${candidates.join(' or ')} through ${run.command}: ${lastWords(run)}.`);
  return {
    opened: candidates.includes(opened) ? opened : undefined,
    pruned: run.lines.filter((l) => l.startsWith('pruned ')).map((l) => l.slice('pruned '.length)),
    chownFailed: run.lines.includes('chown-failed'),
  };
}

const pidsOf = (lines: readonly string[], word: string): number[] =>
  lines.filter((l) => l.startsWith(`${word} `)).map((l) => Number(l.slice(word.length + 1)));

/** Moves `pids` back to the record's origin in one helper call; returns those moved. Throws CgroupError only when it cannot run. */
export function evacuateViaHelper(prefix: PrivilegePrefix, record: JobCgroupRecord, pids: readonly number[], timeoutMs?: number): { moved: number[]; problems: string[] } {
  if (pids.length === 0) return { moved: [], problems: [] };
  const { origin } = helperDirsOf(record);
  const run = runHelper(prefix, EVACUATE, [origin, ...pids.map(String)], timeoutMs);
  if (!run.ok) throw new CgroupError(`Cannot move pid ${pids.join(', ')} out of the job cgroup through ${run.command}: ${run.reason}.`);
  const failed = pidsOf(run.lines, 'failed');
  return { moved: pidsOf(run.lines, 'moved'), problems: failed.length > 0 ? [`Cannot move pid ${failed.join(', ')} back to ${origin} through ${run.command}: ${lastWords(run)}.`] : [] };
}

export interface HelperClose {
  readonly movedBack: number[];
  /** The cgroup still held processes after the wait: it was left in place. */
  readonly busy: boolean;
  readonly problems: string[];
}

/** End phase: thaw, move `pids` back, wait up to `settleMs` for the cgroup to empty, remove it; one helper call, never throws. */
export function closeViaHelper(prefix: PrivilegePrefix, record: JobCgroupRecord, pids: readonly number[], settleMs: number, timeoutMs?: number): HelperClose {
  let dirs: { dir: string; origin: string };
  try {
    dirs = helperDirsOf(record);
  } catch (error) {
    return { movedBack: [], busy: false, problems: [(error as Error).message] };
  }
  const ticks = Math.max(0, Math.ceil(settleMs / 50));
  const run = runHelper(prefix, CLOSE, [dirs.dir, dirs.origin, String(ticks), ...pids.map(String)], Math.max(timeoutMs ?? 10_000, settleMs + 5_000));
  if (!run.ok) return { movedBack: [], busy: false, problems: [`Cannot close the job cgroup ${dirs.dir} through ${run.command}: ${run.reason}.`] };
  const problems: string[] = [];
  if (run.lines.includes('thaw-failed')) problems.push(`Cannot thaw ${dirs.dir} through ${run.command}.`);
  const failed = pidsOf(run.lines, 'failed');
  if (failed.length > 0) problems.push(`Cannot move pid ${failed.join(', ')} back to ${dirs.origin} through ${run.command}; it stays in ${dirs.dir}.`);
  const busy = run.lines.includes('busy');
  if (!busy && !run.lines.includes('removed') && fs.existsSync(dirs.dir)) problems.push(`Cannot remove cgroup ${dirs.dir} through ${run.command}: ${lastWords(run)}.`);
  return { movedBack: pidsOf(run.lines, 'moved'), busy, problems };
}
