/**
 * Explanations for findings: what each leaked process holds, how it got
 * there, how old it is and whose it is.
 *
 * Bounded work per finding: one readdir and at most `fdCap` readlinks of
 * /proc/PID/fd, one wchan read for D-state processes; /proc/net/* is read
 * once per call and only when some finding holds a socket. Nothing here
 * throws for a process that vanished or cannot be read: the explanation says so.
 */
import { type Baseline, buildTree, type Finding, neverTouchPids, recordedChain } from '../engine/index.js';
import { commandLine, type ProcessInfo, type ProcessTable, readLinuxDetails, readWchan } from '../proc/index.js';
import { type AncestryFacts, ancestryOf } from './ancestry.js';
import { DEFAULT_FD_CAP, type FdScan, scanFds } from './fds.js';
import { type NetSocket, formatEndpoint, readListeners } from './net-table.js';
import { type Place, type Places, placeOf } from './places.js';
import { userName } from './passwd.js';

export interface Listener extends Pick<NetSocket, 'proto' | 'family' | 'address' | 'port'> {
  /** `127.0.0.1:9419` or `[::1]:9419`. */
  readonly endpoint: string;
}

export interface OpenFile {
  readonly path: string;
  readonly place: Place;
}

export interface ChildLink {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
}

export interface Holds {
  readonly listening: readonly Listener[];
  readonly cwd: string | undefined;
  readonly cwdPlace: Place | undefined;
  /** undefined when the cwd or the workspace is unknown. */
  readonly cwdInWorkspace: boolean | undefined;
  /** Open files under the workspace or RUNNER_TEMP (only those: they block cleanup). */
  readonly openFiles: readonly OpenFile[];
  /** `read`, or why the fd table could not be read ("unreadable": permission denied; "gone": exited). */
  readonly fds: FdScan['status'];
  readonly fdsReason: string | undefined;
  readonly fdsRead: number | undefined;
  readonly fdsTotal: number | undefined;
  /** True when the process had more fds than the cap and the rest were not looked at. */
  readonly fdsCapped: boolean;
  readonly children: readonly ChildLink[];
}

export interface Explanation extends AncestryFacts {
  readonly pid: number;
  readonly start: number;
  readonly command: string;
  readonly uid: number | undefined;
  readonly user: string | undefined;
  readonly startedAt: number | undefined;
  readonly ageMs: number | undefined;
  readonly state: string;
  /** For state D: the kernel function it waits in. */
  readonly wchan: string | undefined;
  readonly holds: Holds;
}

export interface ExplainOptions {
  /** The job's baseline: its runner chain ends ancestry chains. */
  readonly baseline?: Baseline | undefined;
  /** The checking process (default this one); it and its ancestors end chains too. */
  readonly checker?: number;
  readonly fdCap?: number;
  readonly procRoot?: string;
  readonly passwdFile?: string;
  /** Fd scans read through the privileged helper for processes this user cannot read (src/terminate/privileged-signal.ts). */
  readonly privilegedFds?: ReadonlyMap<number, FdScan>;
}

export function explainFindings(
  findings: readonly Finding[],
  table: ProcessTable,
  context: Places,
  options: ExplainOptions = {},
): Map<number, Explanation> {
  // A clean job: nothing to explain, and no tree of the whole table to build for it (README, Benchmark).
  if (findings.length === 0) return new Map();
  const procRoot = options.procRoot ?? '/proc';
  const linux = table.reader === 'linux-proc';
  const tree = buildTree(table.processes);
  const jobPids = new Set(findings.map((f) => f.process.pid));
  const runnerPids = neverTouchPids({
    tree,
    checker: options.checker ?? process.pid,
    recorded: options.baseline ? recordedChain(options.baseline) : undefined,
  });

  const scans = new Map<number, FdScan>();
  for (const f of findings) {
    if (!linux) continue;
    const scan = scanFds(f.process.pid, options.fdCap ?? DEFAULT_FD_CAP, procRoot);
    // Another user's process (started through sudo): the fds read through the privileged helper, when given.
    scans.set(f.process.pid, scan.status === 'unreadable' ? (options.privilegedFds?.get(f.process.pid) ?? scan) : scan);
  }
  const anySocket = [...scans.values()].some((s) => s.status === 'read' && s.sockets.length > 0);
  const listeners = anySocket ? readListeners(procRoot) : new Map<number, NetSocket>();

  const out = new Map<number, Explanation>();
  for (const f of findings) {
    const p = f.process;
    const scan = scans.get(p.pid) ?? {
      status: 'unreadable' as const,
      reason: `not available from the ${table.reader} reader`,
    };
    const cwd = p.cwd ?? (linux ? readLinuxDetails(p, new Set(), { procRoot }).cwd : undefined);
    const facts = ancestryOf(tree, p, { jobPids, runnerPids });
    out.set(p.pid, {
      ...facts,
      pid: p.pid,
      start: p.start,
      command: commandLine(p),
      uid: p.uid,
      user: userName(p.uid, options.passwdFile),
      startedAt: p.startedAt,
      ageMs: p.startedAt === undefined ? undefined : Math.max(0, table.takenAt - p.startedAt),
      state: p.state,
      wchan: facts.uninterruptible && linux ? readWchan(p.pid, procRoot) : undefined,
      holds: holdsOf(scan, cwd, listeners, context, tree.children.get(p.pid) ?? [], tree.byPid),
    });
  }
  return out;
}

function holdsOf(
  scan: FdScan,
  cwd: string | undefined,
  listeners: ReadonlyMap<number, NetSocket>,
  places: Places,
  children: readonly number[],
  byPid: ReadonlyMap<number, ProcessInfo>,
): Holds {
  const read = scan.status === 'read' ? scan : undefined;
  const listening = (read?.sockets ?? [])
    .map((inode) => listeners.get(inode))
    .filter((s): s is NetSocket => s !== undefined)
    .map((s) => ({ proto: s.proto, family: s.family, address: s.address, port: s.port, endpoint: formatEndpoint(s) }));
  const openFiles: OpenFile[] = [];
  for (const path of new Set(read?.paths ?? [])) {
    const place = placeOf(path, places);
    if (place) openFiles.push({ path, place });
  }
  const cwdPlace = cwd === undefined ? undefined : placeOf(cwd, places);
  return {
    listening: dedupe(listening),
    cwd,
    cwdPlace,
    cwdInWorkspace: cwd === undefined || !places.workspace ? undefined : cwdPlace === 'workspace',
    openFiles,
    fds: scan.status,
    fdsReason: read ? undefined : scan.status !== 'read' ? scan.reason : undefined,
    fdsRead: read?.read,
    fdsTotal: read?.total,
    fdsCapped: read?.capped ?? false,
    children: children.map((pid) => ({ pid, comm: byPid.get(pid)?.comm ?? '?', state: byPid.get(pid)?.state ?? '?' })),
  };
}

/** A socket shared by several fds (dup, fork) is listed once. */
const dedupe = (ls: Listener[]): Listener[] => [...new Map(ls.map((l) => [`${l.proto} ${l.endpoint}`, l])).values()];
