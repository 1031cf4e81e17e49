/**
 * Process table reader for Linux, straight from /proc.
 *
 * `readLinuxTable` reads what every process needs (stat, cmdline, owner);
 * `readLinuxDetails` reads the costly or sensitive parts (environment, cwd,
 * cgroup) only for the processes detection asks about.
 *
 * Cost is per process and per file: each /proc/PID/* open is a path walk in
 * the kernel. `fullFor` lets the engine skip cmdline and the owner stat(2)
 * for processes it only needs the identity of (those in the baseline), which
 * is most of a snapshot's time on a busy host (README, Benchmark).
 */
import fs from 'node:fs';
import { bootTimeMs, ticksToMs, uptimeTicks } from './clock.js';
import { parseCmdline, pickEnv } from './environ.js';
import { attempt, parseIfPresent, readIfPresent } from './procfs.js';
import { isKernelThread, parseStatBytes, type StatFields } from './stat.js';
import type { EnvView, ProcessInfo, ProcessTable } from './types.js';

export interface LinuxReaderOptions {
  /** Where procfs is mounted; tests point this at recorded tables. */
  readonly procRoot?: string;
  /**
   * Which processes get their argv (cmdline) and owner (uid) read; default every
   * one. The others get `argv: []` and `uid: undefined` ("not read", never a
   * guess): only stat is read for them, about half the cost of a full row.
   */
  readonly fullFor?: (pid: number, start: number) => boolean;
  /** Read only these pids (default: every pid directory in /proc); one gone meanwhile or a kernel thread has no row. */
  readonly pids?: Iterable<number>;
}

export function readLinuxTable(options: LinuxReaderOptions = {}): ProcessTable {
  const root = options.procRoot ?? '/proc';
  const takenAt = Date.now();
  const now = uptimeTicks(root);
  const boot = bootTimeMs(root);
  const processes: ProcessInfo[] = [];
  for (const pid of options.pids ?? listPids(root)) {
    const info = readOne(root, pid, boot, options.fullFor);
    if (info) processes.push(info);
  }
  return { reader: 'linux-proc', takenAt, now, processes };
}

/** The pid directories of /proc, in the order readdir gives them. */
export function listPids(procRoot = '/proc'): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync(procRoot)) {
    const first = name.charCodeAt(0);
    if (first >= 48 && first <= 57) pids.push(Number(name)); // else not a pid directory
  }
  return pids;
}

function readOne(
  root: string,
  pid: number,
  boot: number | undefined,
  full: LinuxReaderOptions['fullFor'],
): ProcessInfo | undefined {
  const stat = readStat(pid, root);
  if (!stat || isKernelThread(stat)) return undefined;
  let argv: string[] = [];
  let uid: number | undefined;
  if (full === undefined || full(stat.pid, stat.startTicks)) {
    const cmdline = readIfPresent(`${root}/${pid}/cmdline`);
    if (cmdline === undefined) return undefined;
    const owner = fs.statSync(`${root}/${pid}`, { throwIfNoEntry: false });
    if (!owner) return undefined;
    argv = parseCmdline(cmdline);
    uid = owner.uid;
  }
  return {
    pid: stat.pid,
    ppid: stat.ppid,
    pgid: stat.pgid,
    sid: stat.sid,
    state: stat.state,
    uid,
    start: stat.startTicks,
    startedAt: boot === undefined ? undefined : boot + ticksToMs(stat.startTicks),
    comm: stat.comm,
    argv,
  };
}

/** `pid` and its ancestors, from a few stat reads: the processes a snapshot needs in full before it reads the rest. */
export function linuxLineage(pid: number, procRoot = '/proc'): Set<number> {
  const line = new Set<number>();
  for (let current = pid; current > 0 && !line.has(current); ) {
    line.add(current);
    const stat = readStat(current, procRoot);
    if (!stat) break;
    current = stat.ppid;
  }
  return line;
}

/** Reads environment (only `wanted` variables), cwd and cgroup for one process. */
export function readLinuxDetails(
  p: ProcessInfo,
  wanted: ReadonlySet<string>,
  options: LinuxReaderOptions = {},
): ProcessInfo {
  const dir = `${options.procRoot ?? '/proc'}/${p.pid}`;
  const environ = attempt(() => fs.readFileSync(`${dir}/environ`, 'utf8'));
  const env: EnvView = environ.ok
    ? { readable: true, vars: pickEnv(environ.value, wanted) }
    : { readable: false, reason: environ.reason };
  const cwd = attempt(() => fs.readlinkSync(`${dir}/cwd`));
  const cgroup = attempt(() => fs.readFileSync(`${dir}/cgroup`, 'utf8'));
  return {
    ...p,
    env,
    cwd: cwd.ok ? cwd.value : undefined,
    cgroup: cgroup.ok ? parseCgroupV2(cgroup.value) : undefined,
  };
}

/** The unified-hierarchy line of /proc/PID/cgroup is `0::/path` (cgroups(7)). */
export function parseCgroupV2(text: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith('0::'));
  return line?.slice(3);
}

/** One process's /proc/PID/stat; undefined when it is gone. Every stat read of a pid is this one. */
export const readStat = (pid: number, procRoot = '/proc'): StatFields | undefined =>
  parseIfPresent(`${procRoot}/${pid}/stat`, parseStatBytes, true);
