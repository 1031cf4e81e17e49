/**
 * The process table of this machine, from the best reader for the platform.
 */
import { linuxLineage, readLinuxDetails, readLinuxTable } from './linux.js';
import { readPortableEnv, readPortableTable } from './portable.js';
import type { ProcessInfo, ProcessTable, ReaderName } from './types.js';

export * from './types.js';

/** Environment variables detection and reports may use. Nothing else is read into memory. */
export const WANTED_ENV: ReadonlySet<string> = new Set([
  'STRAYS_SESSION',
  'RUNNER_TRACKING_ID',
  'GITHUB_ACTION',
  'STRAYS_STEP',
]);

export const defaultReader = (): ReaderName => (process.platform === 'linux' ? 'linux-proc' : 'ps');

export interface TableOptions {
  /** Processes that need argv and uid (Linux reader; `ps` reads them anyway). Default: all. See LinuxReaderOptions. */
  readonly fullFor?: (pid: number, start: number) => boolean;
}

export async function readTable(reader: ReaderName = defaultReader(), options: TableOptions = {}): Promise<ProcessTable> {
  return reader === 'linux-proc' ? readLinuxTable({ fullFor: options.fullFor }) : readPortableTable();
}

/** Returns the table with environment, cwd and cgroup filled in for the chosen processes. */
export async function readDetails(table: ProcessTable, choose: (p: ProcessInfo) => boolean): Promise<ProcessTable> {
  const chosen = new Set(table.processes.filter(choose).map((p) => p.pid));
  if (table.reader === 'linux-proc') {
    return { ...table, processes: table.processes.map((p) => (chosen.has(p.pid) ? readLinuxDetails(p, WANTED_ENV) : p)) };
  }
  const envs = await readPortableEnv([...chosen], WANTED_ENV);
  return { ...table, processes: table.processes.map((p) => (envs.has(p.pid) ? { ...p, env: envs.get(p.pid) } : p)) };
}

/** `pid` and its ancestors as far as can be read now (Linux), else undefined: a snapshot reads these in full. */
export const lineageOf = (pid: number, reader: ReaderName = defaultReader()): ReadonlySet<number> | undefined =>
  reader === 'linux-proc' ? linuxLineage(pid) : undefined;
