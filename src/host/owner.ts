/**
 * Who owns a job: the process whose exit means the job is over. `strays sweep`
 * ends a job's leftovers once its owner is gone, so an owner that exits while
 * the job still runs gets a running build killed: the owner must be real.
 * Which process it is for each way a job starts: README, How a host knows its
 * jobs. Identities are read from the process table, so they carry the reader's
 * own start stamp; `Owner.reader` says which.
 */
import path from 'node:path';
import { ancestorsOf, buildTree } from '../engine/index.js';
import { type ProcessInfo, type ProcessTable, readTable } from '../proc/index.js';
import { untrusted } from '../text/untrusted.js';
import { CI_PROFILES, type CiSystem } from './ci-systems.js';
import type { Owner } from './job-record.js';

/** A job owner that cannot be used: the CLI turns it into status 2 and a sentence. */
export class OwnerError extends Error {
  override readonly name = 'OwnerError';
}

const tableOr = async (table?: ProcessTable): Promise<ProcessTable> => table ?? readTable();

const asOwner = (table: ProcessTable, p: ProcessInfo): Owner => ({
  pid: p.pid,
  start: p.start,
  reader: table.reader,
  comm: p.comm,
});

export function ownerOf(table: ProcessTable, pid: number, what: string): Owner {
  const p = table.processes.find((q) => q.pid === pid);
  if (!p) throw new OwnerError(`Cannot record the job owner: ${what} (pid ${pid}) is not in the process table.`);
  return asOwner(table, p);
}

function ancestors(table: ProcessTable, pid: number): ProcessInfo[] {
  const tree = buildTree(table.processes);
  return ancestorsOf(tree, pid).flatMap((a) => tree.byPid.get(a) ?? []);
}

/** The pre step's parent (Runner.Worker). */
export async function ownerForAction(table?: ProcessTable): Promise<Owner> {
  return ownerOf(await tableOr(table), process.ppid, 'the parent of the pre step');
}

/** The nearest ancestor of `self` whose command name is `comm`. */
export function findAncestorNamed(table: ProcessTable, comm: string, self = process.pid): Owner | undefined {
  const found = ancestors(table, self).find((p) => p.comm === comm && p.pid !== 1);
  return found ? asOwner(table, found) : undefined;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox']);
const isShell = (p: ProcessInfo): boolean =>
  SHELLS.has(p.comm) || SHELLS.has(path.basename(p.argv[0] ?? '').replace(/^-/, ''));
const sameArgv = (a: ProcessInfo, b: ProcessInfo): boolean =>
  a.argv.length > 0 && a.argv.length === b.argv.length && a.argv.every((v, i) => v === b.argv[i]);

/** A shell forked (not exec'd) by its parent shell: same command name and argv, as `$( … )` with a redirection makes. */
export const isForkedSubshell = (p: ProcessInfo, parent: ProcessInfo | undefined): boolean =>
  parent !== undefined && isShell(p) && p.comm === parent.comm && sameArgv(p, parent);

/**
 * npm/npx's own node process (`npm exec`, `npx`, `npm run`): it exits with the command it runs.
 * npm sets process.title ("npm exec strays start"), which rewrites argv[0] and, where libuv
 * also sets the thread name, comm; before that, argv[1] is npm-cli.js or npx-cli.js.
 */
export const isNpm = (p: ProcessInfo): boolean =>
  /^(npm|npx)( |$)/.test(p.comm) ||
  /^(npm|npx)( |$)/.test(p.argv[0] ?? '') ||
  p.argv.slice(0, 2).some((a) => /(^|\/)(npm|npx)(-cli\.js)?$/.test(a));

/**
 * The nearest ancestor of `self` that outlives it: skips shells forked for a
 * command substitution and npm/npx with the `sh -c` they run bins in; never PID 1.
 */
export function nearestLastingAncestor(
  table: ProcessTable,
  self = process.pid,
): { owner?: Owner; skipped: ProcessInfo[] } {
  const chain = ancestors(table, self);
  const skipped: ProcessInfo[] = [];
  for (const [i, p] of chain.entries()) {
    if (p.pid === 1) break;
    const parent = chain[i + 1];
    const npmShell = isShell(p) && parent !== undefined && isNpm(parent);
    if (isForkedSubshell(p, parent) || isNpm(p) || npmShell) {
      skipped.push(p);
      continue;
    }
    return { owner: asOwner(table, p), skipped };
  }
  return { skipped };
}

export interface OwnerRequest {
  /** `--owner PID`: must be an ancestor of `self`, never PID 1. */
  readonly pid?: number | undefined;
  /** `--ci SYSTEM`: the system's per-job process. */
  readonly ci?: CiSystem | undefined;
}

/** comm is the process's own choice (prctl PR_SET_NAME): escaped before it reaches a log line. */
const described = (p: ProcessInfo): string => `pid ${p.pid} (${untrusted(p.comm, 32)})`;

/** `strays start`'s owner (see the top of this file). Throws OwnerError with a sentence. */
export async function ownerForStart(
  request: OwnerRequest = {},
  table?: ProcessTable,
  self = process.pid,
): Promise<Owner> {
  const t = await tableOr(table);
  const chain = ancestors(t, self);
  if (request.pid !== undefined) {
    if (request.pid === 1)
      throw new OwnerError(
        '--owner 1: PID 1 never exits, so the job would never be over. Give the process whose exit ends the job, e.g. --owner "$PPID" in a runner hook.',
      );
    const found = chain.find((p) => p.pid === request.pid);
    if (!found) {
      const known = t.processes.some((p) => p.pid === request.pid);
      const line = chain
        .filter((p) => p.pid !== 1)
        .slice(0, 6)
        .map(described)
        .join(', ');
      throw new OwnerError(
        `--owner ${request.pid}: ${known ? 'not an ancestor of strays start' : 'no such process'}. The owner must be a process strays start runs under (its ancestors: ${line || 'none'}).`,
      );
    }
    return asOwner(t, found);
  }
  if (request.ci !== undefined) {
    const comm = CI_PROFILES[request.ci].ownerComm;
    if (comm !== undefined) {
      const found = findAncestorNamed(t, comm, self);
      if (!found)
        throw new OwnerError(
          `--ci ${request.ci}: no ancestor of strays start is named ${comm}, the process that runs the ${request.ci} job. Call strays start from a ${request.ci} hook or step, or give --owner PID.`,
        );
      return found;
    }
  }
  // Without --ci, a known per-job agent process above us still wins: a hook's own shell never outlives the hook.
  const agents = new Set(Object.values(CI_PROFILES).flatMap((p) => (p.ownerComm ? [p.ownerComm] : [])));
  const agent = chain.find((p) => p.pid !== 1 && agents.has(p.comm));
  if (agent) return asOwner(t, agent);
  const { owner, skipped } = nearestLastingAncestor(t, self);
  if (!owner) {
    const why =
      skipped.length > 0 ? ` (skipped ${skipped.map(described).join(', ')}: they exit with strays start)` : '';
    throw new OwnerError(
      `Cannot choose the job owner: strays start has no ancestor below PID 1 that outlives it${why}. Give --owner PID; ` +
        "in a container whose shell is PID 1 (GitLab's docker executor), wrap the command instead: strays run -- CMD.",
    );
  }
  return owner;
}

/** `strays run`'s owner: strays itself, whose exit ends the guarded command's job. */
export async function ownerForRun(table?: ProcessTable): Promise<Owner> {
  return ownerOf(await tableOr(table), process.pid, 'strays run');
}
