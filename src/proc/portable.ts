/**
 * Portable process table reader for macOS and other Unixes, built on `ps-list`
 * for names and command lines plus one `ps` call for the fields ps-list does
 * not give (process group, session, state, start time).
 *
 * `lstart` has one-second resolution, so identities from this reader are
 * (pid, start second): coarser than Linux ticks, still enough to tell a reused
 * pid from the original in all but same-second reuse.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type EnvView, type ProcessInfo, type ProcessTable, wholeNumber } from './types.js';

const run = promisify(execFile);
const PS_FIELDS = ['pid=', 'ppid=', 'pgid=', 'sess=', 'stat=', 'uid=', 'lstart='];

type PsRow = Pick<ProcessInfo, 'pid' | 'ppid' | 'pgid' | 'sid' | 'state' | 'uid' | 'startedAt'>;

/** Parses `ps -A -o pid=,ppid=,pgid=,sess=,stat=,uid=,lstart=` output. */
export function parsePsRows(text: string): Map<number, PsRow> {
  const rows = new Map<number, PsRow>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const started = Date.parse(m[7] ?? '');
    rows.set(Number(m[1]), {
      pid: Number(m[1]),
      ppid: Number(m[2]),
      pgid: Number(m[3]),
      sid: wholeNumber(m[4]),
      state: (m[5] ?? '?').charAt(0),
      uid: wholeNumber(m[6]),
      startedAt: Number.isNaN(started) ? undefined : started,
    });
  }
  return rows;
}

export async function readPortableTable(): Promise<ProcessTable> {
  // Loaded here, not with the module: Linux never reads the table through ps-list.
  const { default: psList } = await import('ps-list');
  const takenAt = Date.now();
  const now = Math.floor(takenAt / 1000);
  const [listed, ps] = await Promise.all([
    psList({ all: true }),
    run('ps', ['-A', '-o', PS_FIELDS.join(',')], {
      env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
      maxBuffer: 64 << 20,
    }),
  ]);
  const rows = parsePsRows(ps.stdout);
  const processes: ProcessInfo[] = [];
  for (const item of listed) {
    const row = rows.get(item.pid);
    if (!row || row.startedAt === undefined) continue; // exited between the two reads
    processes.push({
      pid: item.pid,
      ppid: row.ppid,
      pgid: row.pgid,
      sid: row.sid,
      state: row.state,
      uid: row.uid ?? item.uid,
      start: Math.floor(row.startedAt / 1000),
      startedAt: row.startedAt,
      comm: item.name,
      argv: item.cmd ? splitArgs(item.cmd) : [],
    });
  }
  return { reader: 'ps', takenAt, now, processes };
}

/** ps prints argv joined by spaces; the split is lossy for arguments with spaces. */
const splitArgs = (cmd: string): string[] => cmd.split(' ').filter((s) => s.length > 0);

/**
 * Environment via `ps eww` (BSD/macOS and procps print it after the command).
 * Only names in `wanted` are kept. `ps` prints nothing for processes whose
 * environment the caller may not read, which we report as unreadable.
 */
export async function readPortableEnv(
  pids: readonly number[],
  wanted: ReadonlySet<string>,
): Promise<Map<number, EnvView>> {
  const out = new Map<number, EnvView>();
  if (pids.length === 0) return out;
  const { stdout } = await run('ps', ['eww', '-o', 'pid=,command=', '-p', pids.join(',')], {
    maxBuffer: 64 << 20,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s(.*)$/.exec(line);
    if (!m) continue;
    const vars: Record<string, string> = {};
    for (const token of (m[2] ?? '').split(' ')) {
      const eq = token.indexOf('=');
      if (eq > 0 && wanted.has(token.slice(0, eq))) vars[token.slice(0, eq)] = token.slice(eq + 1);
    }
    out.set(Number(m[1]), { readable: true, vars });
  }
  for (const pid of pids) if (!out.has(pid)) out.set(pid, { readable: false, reason: 'not shown by ps' });
  return out;
}
