/**
 * Reading the process table again, cheaply: only the processes the last read
 * did not see, and the pids given since (README "Order of signals", re-reads
 * read what is new; pid-cursor.ts). A kept row is the process as the last read
 * saw it, details included: its identity and descent (ppid) are what they were
 * then, unless its parent is no longer a kept row (reparented below). Its
 * process group and state may have changed: src/terminate/deliver.ts re-reads
 * the rows that a group signal depends on. The cursor is no proof for the
 * ancestors of a row read now (pid-cursor.ts: forks that fail uncounted),
 * whose verdict that process inherits: they are read again (ancestorsNow).
 */
import { givenSince, type PidMark, pidMark } from './pid-cursor.js';
import { uptimeTicks } from './clock.js';
import { type LinuxReaderOptions, listPids, readLinuxTable } from './linux.js';
import type { ProcessInfo, ProcessTable } from './types.js';

export interface TableRead {
  readonly table: ProcessTable;
  /** The pid cursor taken before the table's pids were listed (pid-cursor.ts). */
  readonly mark: PidMark;
  /** The pids that listing held; undefined: those of the table's rows. */
  readonly listed?: ReadonlySet<number> | undefined;
}

export interface Reread extends TableRead {
  /** Rows read now for processes the last read did not see; every other row is the last read's. */
  readonly fresh: readonly ProcessInfo[];
}

/**
 * The table now, read from `last` (Linux /proc only). undefined where that
 * cannot be proven complete: another reader, or a pid cursor that cannot be
 * read or may have gone round; the caller then reads everything.
 */
export function reread(
  last: TableRead,
  options: Pick<LinuxReaderOptions, 'fullFor' | 'procRoot'> = {},
): Reread | undefined {
  if (last.table.reader !== 'linux-proc') return undefined;
  const takenAt = Date.now();
  const now = uptimeTicks(options.procRoot);
  const listing = listPids(options.procRoot);
  const mark = pidMark(options.procRoot);
  const given = mark && givenSince(last.mark, mark);
  if (!mark || !given) return undefined;
  const known = new Map(last.table.processes.map((p) => [p.pid, p] as const));
  const listed = last.listed ?? known;
  const unseen = new Set(listing.filter((pid) => !listed.has(pid) || given(pid)));
  const read = new Map(readLinuxTable({ ...options, pids: unseen }).processes.map((p) => [p.pid, p] as const));
  const rows: ProcessInfo[] = [];
  const fresh: ProcessInfo[] = [];
  const kept = new Set<number>();
  for (const pid of listing) {
    const before = known.get(pid);
    const row = unseen.has(pid) ? read.get(pid) : before;
    if (row === undefined) continue; // gone meanwhile, or a kernel thread
    // Read again but the same process (same start): the row the last read made stays, with its details.
    if (before?.start === row.start) {
      rows.push(before);
      kept.add(pid);
    } else {
      rows.push(row);
      fresh.push(row);
    }
  }
  const processes = reparented(ancestorsNow(rows, known, kept, fresh, options), kept, options);
  return { table: { reader: 'linux-proc', takenAt, now, processes }, mark, listed: new Set(listing), fresh };
}

/**
 * The kept ancestors of the rows read now, read again up to the first row read now: a new process
 * inherits their verdict (lineage, an allowed parent). The cursor does not count every pid given
 * (pid-cursor.ts: a fork that fails after taking a pid), so a kept row may be a process that has ended
 * and whose pid a newer one holds; its children must not be judged as the old one's. Still the same
 * process: its row stays, with its parent now. Another process: read as one new (`kept`, `fresh`
 * change with it). Ended: no row.
 */
function ancestorsNow(
  rows: readonly ProcessInfo[],
  known: ReadonlyMap<number, ProcessInfo>,
  kept: Set<number>,
  fresh: ProcessInfo[],
  options: Pick<LinuxReaderOptions, 'fullFor' | 'procRoot'>,
): ProcessInfo[] {
  const changed = new Map<number, ProcessInfo | undefined>();
  for (let from: readonly ProcessInfo[] = fresh; ; ) {
    const pids = [...new Set(from.map((p) => p.ppid))].filter((pid) => kept.has(pid) && !changed.has(pid));
    if (pids.length === 0) break;
    const now = new Map(readLinuxTable({ ...options, pids }).processes.map((p) => [p.pid, p] as const));
    const next: ProcessInfo[] = [];
    for (const pid of pids) {
      const before = known.get(pid) as ProcessInfo; // a kept row is the last read's
      const again = now.get(pid);
      const row =
        again?.start === before.start
          ? { ...before, ppid: again.ppid, pgid: again.pgid, sid: again.sid, state: again.state }
          : again;
      changed.set(pid, row);
      if (row !== undefined) next.push(row);
      if (row !== again) continue;
      kept.delete(pid);
      if (again !== undefined) fresh.push(again);
    }
    from = next;
  }
  if (changed.size === 0) return [...rows];
  return rows.flatMap((p) => (changed.has(p.pid) ? (changed.get(p.pid) ?? []) : p));
}

/**
 * Rows kept from the last read (`kept`: their pids) whose parent is not a row
 * kept with them (it ended, or its pid was given to a newer process, which
 * cannot be the parent of an older one): their stat is read again for the
 * current parent.
 */
function reparented(
  rows: readonly ProcessInfo[],
  kept: ReadonlySet<number>,
  options: Pick<LinuxReaderOptions, 'fullFor' | 'procRoot'>,
): ProcessInfo[] {
  const stale = new Set(rows.filter((p) => kept.has(p.pid) && p.ppid !== 0 && !kept.has(p.ppid)));
  if (stale.size === 0) return [...rows];
  const pids = [...stale].map((p) => p.pid);
  const now = new Map(readLinuxTable({ ...options, pids }).processes.map((p) => [p.pid, p] as const));
  return rows.flatMap((p) => {
    if (!stale.has(p)) return [p];
    const again = now.get(p.pid);
    // Ended meanwhile, or its pid given to a process born after this read's listing: no row, as for any such.
    if (again?.start !== p.start) return [];
    return [{ ...p, ppid: again.ppid, pgid: again.pgid, sid: again.sid, state: again.state }];
  });
}
