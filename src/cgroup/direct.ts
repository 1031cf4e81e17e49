/**
 * The three phase scripts of ./scripts.ts, run in this process where it may
 * write the cgroup tree itself (root, a delegated subtree): same positional
 * arguments, same answer lines, so ./phases.ts reads both alike. Where a
 * script prints a strerror(3) text, these print the errno name (`EBUSY`),
 * which `codeOfText` reads as well.
 *
 * Why not the script with an empty prefix: a fork costs the job start and the
 * job end each a child_process load and a spawn (~5 ms; README, Benchmark).
 * Everything is synchronous but the write(2) that moves a process: the first
 * migration after a quiet spell waits for an RCU grace period (0.5-14 ms
 * here), which the caller spends reading the process table. One libuv request
 * for that write alone: a callback between open and write would wait for the
 * table read to finish first.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { codeOf, readPopulated, subCgroups } from './files.js';

const write = promisify(fs.write);
/** setTimeout as a promise, without loading node:timers/promises into every step's start-up. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The script's `put`: one write(2) of `value`, off the main thread; or the errno name of the refusal. */
async function put(value: string, file: string): Promise<string | undefined> {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'w');
    await write(fd, `${value}\n`);
    return undefined;
  } catch (error) {
    return codeOf(error) ?? 'EIO';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const readOr = (file: string, otherwise: string): string => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return otherwise;
  }
};

const exists = (file: string): boolean => fs.existsSync(file);

/** rmdir, else the empty sub-cgroups deepest first and then the cgroup (`find -depth -exec rmdir`); the errno of the last refusal. */
function removeTree(dir: string): string | undefined {
  let refusal: string | undefined;
  const remove = (d: string): void => {
    try {
      fs.rmdirSync(d);
      refusal = undefined;
    } catch (error) {
      refusal = codeOf(error);
    }
  };
  remove(dir);
  if (refusal === undefined) return undefined;
  try {
    // subCgroups lists parents before children: reversed, children go first.
    for (const sub of subCgroups(dir).reverse()) remove(sub);
  } catch {
    // gone meanwhile, or unreadable: the cgroup's own rmdir below says why
  }
  remove(dir);
  return refusal;
}

/**
 * The script's MOVE loop: `moved PID`, or `failed PID ERRNO` while the process exists (gone is a fact, not a
 * failure). The writes are issued together: the first waits for the kernel's grace period and the others
 * follow it at once, where one after another each would wait for this thread to be free again, and a
 * later one for a grace period of its own.
 */
async function moveAll(to: string, pids: readonly string[]): Promise<string[]> {
  const refusals = await Promise.all(pids.map((p) => put(p, `${to}/cgroup.procs`)));
  return pids.flatMap((p, i) => {
    const why = refusals[i];
    if (why === undefined) return [`moved ${p}`];
    return exists(`/proc/${p}`) ? [`failed ${p} ${why}`] : [];
  });
}

/** OPEN: owner, pid, count of stale dirs, the stale dirs, then the candidate job dirs in order. */
export async function openHere(args: readonly string[]): Promise<string[]> {
  const [owner = '', pid = '', count = '0', ...rest] = args;
  const n = Number(count);
  const lines: string[] = [];
  for (const stale of rest.slice(0, n)) {
    removeTree(stale);
    if (!exists(stale)) lines.push(`pruned ${stale}`);
  }
  for (const dir of rest.slice(n)) {
    lines.push(`try ${dir}`);
    try {
      fs.mkdirSync(dir);
    } catch (error) {
      lines.push(`mkdir-failed ${codeOf(error) ?? 'EIO'}`);
      return lines;
    }
    const why = await put(pid, `${dir}/cgroup.procs`);
    if (why === undefined) {
      if (owner !== '') {
        const [uid, gid] = owner.split(':').map(Number);
        try {
          fs.chownSync(`${dir}/cgroup.freeze`, uid as number, gid as number);
        } catch {
          // the freezer says why at the job's end (./phases.ts)
        }
      }
      lines.push('opened');
      return lines;
    }
    removeTree(dir);
    if (!exists(`/proc/${pid}`)) return [...lines, 'gone'];
    lines.push(`move-failed ${why}`);
    if (why !== 'EBUSY' && why !== 'EOPNOTSUPP') return lines;
  }
  return lines;
}

/** MOVE_OUT: the origin dir, then pids. */
export const moveHere = ([to = '', ...pids]: readonly string[]): Promise<string[]> => moveAll(to, pids);

/** `populated 1` in cgroup.events; unreadable counts as not populated, as in the script. */
function populated(dir: string): boolean {
  try {
    return readPopulated(dir) === true;
  } catch {
    return false;
  }
}

/** CLOSE: job dir, origin dir, ticks of 50 ms to wait for the last exits, then pids to move back. */
export async function closeHere(args: readonly string[]): Promise<string[]> {
  const [dir = '', to = '', ticks = '0', ...pids] = args;
  const lines: string[] = [];
  // A frozen cgroup keeps its processes frozen wherever they go: thaw before anything else.
  if (readOr(`${dir}/cgroup.freeze`, '').trim() === '1') {
    const why = await put('0', `${dir}/cgroup.freeze`);
    if (why !== undefined) lines.push(`thaw-failed ${why}`);
  }
  lines.push(...(await moveAll(to, pids)));
  for (let left = Number(ticks); left > 0 && populated(dir); left--) await sleep(50);
  if (populated(dir)) return [...lines, 'busy'];
  const why = removeTree(dir);
  if (why !== undefined && exists(dir)) lines.push(`remove-failed ${why}`);
  return lines;
}
