/**
 * Every cgroup write strays makes, as three phases: in this process where it
 * may write the tree itself (root, a delegated subtree: ./direct.ts), else as
 * fixed scripts run through the one privileged helper (src/privilege/helper.ts,
 * `sudo -n`) where the kernel refuses (README "When a job cgroup is used":
 * what each phase does, and why only cgroup.freeze is handed to the job's user).
 * Both answer in the same lines, read once here.
 *
 * Moving a process between two cgroups needs write access to cgroup.procs of
 * their common ancestor (cgroup-v2.rst "Delegation Containment"). The scripts
 * are in ./scripts.ts; every value reaches them as a positional argument,
 * validated here first (`phaseDir`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isSessionId, type JobCgroupRecord } from '../engine/index.js';
import {
  type HelperRun,
  type PrivilegePrefix,
  SUDO_PREFIX,
  defaultPrivilegePrefix,
  isRoot,
  runHelper,
} from '../privilege/helper.js';
import { messageOf } from '../text/error-message.js';
import { CgroupError, codeOfText, dirOf } from './files.js';
import { closeHere, moveHere, openHere } from './direct.js';
import { because, CLOSE, lastValue, linesOf, MOVE_OUT, movesOf, OPEN } from './scripts.js';
import { parseCgroup2Line } from './mount.js';

export type CgroupVia = NonNullable<JobCgroupRecord['via']>;

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

/** The helper for a refused write: `sudo -n` when not root; none when root, whom the same script unelevated would not help. */
export const helperPrefix = (privilege?: CgroupPrivilege): PrivilegePrefix | false =>
  privilege?.prefix ?? defaultPrivilegePrefix();

/** The prefix that changes a cgroup made as `record` says: through the helper (root runs its scripts directly), else `[]`. */
function recordPrefix(
  record: JobCgroupRecord,
  privilege?: CgroupPrivilege,
): { prefix: PrivilegePrefix; viaHelper: boolean } {
  const helper = record.via === 'sudo' ? (privilege?.prefix ?? (isRoot() ? [] : SUDO_PREFIX)) : false;
  return helper === false ? { prefix: [], viaHelper: false } : { prefix: helper, viaHelper: true };
}

/** Errors the helper can fix; EROFS, EBUSY … are the same for root. */
export const isPermissionError = (code: string | undefined): boolean => code === 'EACCES' || code === 'EPERM';

/** cgroup2 mount points in this mount namespace, exactly as mountinfo lists them. */
function cgroup2MountPoints(): string[] {
  try {
    return fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map(parseCgroup2Line)
      .flatMap((m) => (m ? [m.mountPoint] : []));
  } catch {
    return [];
  }
}

/**
 * `mount` + `relative` as an absolute directory a script may touch. Always: no
 * control characters (the scripts answer one fact a line), inside the mount.
 * `viaHelper` (as root) also: a cgroup2 mount point, no "."/".." segments,
 * a job cgroup named strays-<16 hex>. Throws CgroupError (EINVAL).
 */
function phaseDir(mount: string, relative: string, kind: 'job' | 'cgroup', viaHelper: boolean): string {
  const refuse = (why: string): never => {
    throw new CgroupError(
      `Refusing a ${viaHelper ? 'privileged ' : ''}cgroup operation on "${mount}" + "${relative}": ${why}.`,
      'EINVAL',
    );
  };
  if (viaHelper && !cgroup2MountPoints().includes(mount))
    refuse(`${JSON.stringify(mount)} is not a cgroup2 mount point in /proc/self/mountinfo`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a path with control characters is what this refuses.
  if (/[\0-\x1f\x7f]/.test(relative)) refuse('the path contains control characters');
  if (viaHelper && (!relative.startsWith('/') || relative.split('/').some((s) => s === '.' || s === '..')))
    refuse('not a plain absolute path');
  if (viaHelper && kind === 'job' && !isSessionId(path.posix.basename(relative)))
    refuse('a job cgroup is named strays-<16 hex digits>');
  return dirOf(mount, relative);
}

/** The checks of a privileged operation. @internal exported for tests. */
export const helperDir = (mount: string, relative: string, kind: 'job' | 'cgroup'): string =>
  phaseDir(mount, relative, kind, true);

/** " through sudo -n", or nothing for a direct write. */
const through = (run: HelperRun, viaHelper: boolean): string => (viaHelper ? ` through ${run.command}` : '');

/** A phase: its script for the helper, and the same steps in this process (./direct.ts). */
interface Phase {
  readonly script: string;
  readonly here: (args: readonly string[]) => Promise<string[]>;
}

const PHASE = {
  open: { script: OPEN, here: openHere },
  move: { script: MOVE_OUT, here: moveHere },
  close: { script: CLOSE, here: closeHere },
} as const satisfies Record<string, Phase>;

/** Runs `phase` through the helper, or (a direct write) in this process, without a fork. */
async function runPhase(
  phase: Phase,
  helper: { prefix: PrivilegePrefix; viaHelper: boolean },
  args: readonly string[],
  options: { timeoutMs?: number | undefined } = {},
): Promise<HelperRun> {
  if (helper.viaHelper) return runHelper(helper.prefix, phase.script, args, options);
  return { ok: true, stdout: (await phase.here(args)).join('\n'), stderr: '', command: 'this process' };
}

export interface OpenInput {
  readonly mount: string;
  /** Candidate job cgroups relative to the mount, in order; and stale ones to remove first. */
  readonly candidates: readonly string[];
  readonly stale: readonly string[];
  readonly pid: number;
  /** Who gets cgroup.freeze (through the helper only). */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

/**
 * Job start: one run that prunes `stale`, then creates the first candidate that takes `pid`; returns it
 * (relative). Throws CgroupError. Asynchronous, like movePhase: the job start reads its table meanwhile.
 */
export async function openPhase(
  prefix: PrivilegePrefix,
  viaHelper: boolean,
  input: OpenInput,
  timeoutMs?: number,
): Promise<string> {
  const ids = [input.pid, ...(input.owner ? [input.owner.uid, input.owner.gid] : [])];
  if (!ids.every((n) => Number.isSafeInteger(n) && n >= 0))
    throw new CgroupError(`Refusing a cgroup operation: bad pid/uid/gid ${ids.join('/')}.`, 'EINVAL');
  const dirs = input.candidates.map((c) => phaseDir(input.mount, c, 'job', viaHelper));
  const stale = input.stale.map((s) => phaseDir(input.mount, s, 'job', viaHelper));
  const owner = viaHelper && input.owner ? `${input.owner.uid}:${input.owner.gid}` : '';
  const run = await runPhase(
    PHASE.open,
    { prefix, viaHelper },
    [owner, String(input.pid), String(stale.length), ...stale, ...dirs],
    { timeoutMs },
  );
  if (!run.ok) throw new CgroupError(`Cannot create a job cgroup through ${run.command}: ${run.reason}.`);
  const lines = linesOf(run);
  const dir = lastValue(lines, 'try') ?? dirs[0] ?? '(none)';
  const index = dirs.indexOf(dir);
  // Without cgroup.freeze (chown refused) the user cannot freeze at the end: the freezer then says why.
  if (lines.includes('opened') && index >= 0) return input.candidates[index] as string;
  if (lines.includes('gone'))
    throw new CgroupError(`Cannot move pid ${input.pid} into a job cgroup: no such process.`, 'ESRCH');
  const mkdir = lastValue(lines, 'mkdir-failed');
  if (mkdir !== undefined) {
    const code = codeOfText(mkdir);
    const why = code === 'EEXIST' ? 'it already exists (another job with the same session?)' : because(mkdir);
    throw new CgroupError(`Cannot create cgroup ${dir}${through(run, viaHelper)}: ${why}.`, code);
  }
  const move = lastValue(lines, 'move-failed');
  throw new CgroupError(
    `Cannot move pid ${input.pid} into cgroup ${dir}${through(run, viaHelper)}: ${because(move ?? run.stderr)}.`,
    codeOfText(move ?? ''),
  );
}

/**
 * Before freezing, or while a clean job is checked: moves `pids` back to the record's origin in one run;
 * returns those moved. Throws CgroupError only when it cannot run. Asynchronous: the first cgroup migration
 * after a quiet spell waits for an RCU grace period (cgroup_threadgroup_rwsem; ~8 ms measured here),
 * which a caller may spend reading the process table.
 */
export async function movePhase(
  record: JobCgroupRecord,
  pids: readonly number[],
  privilege?: CgroupPrivilege,
): Promise<{ moved: number[]; notes: string[] }> {
  if (pids.length === 0) return { moved: [], notes: [] };
  const { prefix, viaHelper } = recordPrefix(record, privilege);
  const origin = phaseDir(record.mount, record.origin, 'cgroup', viaHelper);
  const run = await runPhase(PHASE.move, { prefix, viaHelper }, [origin, ...pids.map(String)], {
    timeoutMs: privilege?.timeoutMs,
  });
  if (!run.ok)
    throw new CgroupError(
      `Cannot move pid ${pids.join(', ')} out of the job cgroup through ${run.command}: ${run.reason}.`,
    );
  const { moved, failed } = movesOf(linesOf(run));
  return {
    moved,
    notes: failed.map((f) => `Cannot move pid ${f.pid} back to ${origin}${through(run, viaHelper)}: ${f.why}.`),
  };
}

export interface PhaseClose {
  readonly movedBack: number[];
  /** The cgroup still held processes after the wait: it was left in place. */
  readonly busy: boolean;
  readonly notes: string[];
}

/** Job end: thaw, move `pids` back, wait up to `settleMs` for the cgroup to empty, remove it; one run, never throws. */
export async function closePhase(
  record: JobCgroupRecord,
  pids: readonly number[],
  settleMs: number,
  privilege?: CgroupPrivilege,
): Promise<PhaseClose> {
  const { prefix, viaHelper } = recordPrefix(record, privilege);
  let dir: string;
  let origin: string;
  try {
    dir = phaseDir(record.mount, record.path, 'job', viaHelper);
    origin = phaseDir(record.mount, record.origin, 'cgroup', viaHelper);
  } catch (error) {
    return { movedBack: [], busy: false, notes: [messageOf(error)] };
  }
  const ticks = Math.max(0, Math.ceil(settleMs / 50));
  const timeoutMs = Math.max(privilege?.timeoutMs ?? 10_000, settleMs + 5_000);
  const run = await runPhase(PHASE.close, { prefix, viaHelper }, [dir, origin, String(ticks), ...pids.map(String)], {
    timeoutMs,
  });
  if (!run.ok)
    return {
      movedBack: [],
      busy: false,
      notes: [`Cannot close the job cgroup ${dir} through ${run.command}: ${run.reason}.`],
    };
  const lines = linesOf(run);
  const notes: string[] = [];
  const thaw = lastValue(lines, 'thaw-failed');
  if (thaw !== undefined) notes.push(`Cannot thaw ${dir}${through(run, viaHelper)}: ${because(thaw)}.`);
  const moves = movesOf(lines);
  notes.push(
    ...moves.failed.map(
      (f) => `Cannot move pid ${f.pid} back to ${origin}${through(run, viaHelper)}: ${f.why}; it stays in ${dir}.`,
    ),
  );
  const busy = lines.includes('busy');
  const remove = lastValue(lines, 'remove-failed');
  if (!busy && fs.existsSync(dir))
    notes.push(`Cannot remove cgroup ${dir}${through(run, viaHelper)}: ${because(remove ?? run.stderr)}.`);
  return { movedBack: moves.moved, busy, notes };
}
