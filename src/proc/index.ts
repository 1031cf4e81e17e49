/**
 * The process table of this machine, from the best reader for the platform.
 */
import { type LinuxReaderOptions, linuxLineage, readLinuxDetails, readLinuxTable } from './linux.js';
import { readPortableEnv, readPortableTable } from './portable.js';
import { defaultPrivilegePrefix, type PrivilegePrefix } from '../privilege/helper.js';
import { readEnvironsPrivileged } from './privileged.js';
import type { ProcessInfo, ProcessTable, ReaderName } from './types.js';

export * from './types.js';
// What other layers use of the readers' parts: the cgroup code, explain, terminate, host's clock.
export { ticksToMs } from './clock.js';
export { linuxLineage, parseCgroupV2, readLinuxDetails } from './linux.js';
export { type PidMark, pidMark } from './pid-cursor.js';
export { pipelinePartners } from './pipes.js';
export { type Look, look, type NotRunning, probe, stillRunning } from './probe.js';
export { attempt, procShowsOwnPidNamespace, readProcFile, readWchan } from './procfs.js';
export { type Reread, reread, type TableRead } from './reread.js';
export { type PrivilegePrefix, defaultPrivilegePrefix } from '../privilege/helper.js';

/** Environment variables detection and reports may use. Nothing else is read into memory. */
export const WANTED_ENV: ReadonlySet<string> = new Set([
  'STRAYS_SESSION',
  'RUNNER_TRACKING_ID',
  'GITHUB_ACTION',
  'STRAYS_STEP',
  'CI_JOB_NAME',
]);

export const defaultReader = (): ReaderName => (process.platform === 'linux' ? 'linux-proc' : 'ps');

/** Which processes get argv and uid, and which pids are read: see LinuxReaderOptions (`ps` reads everything). */
export type TableOptions = Pick<LinuxReaderOptions, 'fullFor' | 'pids'>;

/** For callers that need only what stat gives (pid, ppid, pgid, sid, state, start, comm): about half the cost of a full read. */
export const STAT_ONLY: TableOptions = Object.freeze({ fullFor: () => false });

export async function readTable(
  reader: ReaderName = defaultReader(),
  options: TableOptions = {},
): Promise<ProcessTable> {
  return reader === 'linux-proc' ? readLinuxTable(options) : readPortableTable();
}

/** Returns the table with environment, cwd and cgroup filled in for the chosen processes. */
export async function readDetails(table: ProcessTable, choose: (p: ProcessInfo) => boolean): Promise<ProcessTable> {
  const chosen = new Set(table.processes.filter(choose).map((p) => p.pid));
  if (table.reader === 'linux-proc') {
    return {
      ...table,
      processes: table.processes.map((p) => (chosen.has(p.pid) ? readLinuxDetails(p, WANTED_ENV) : p)),
    };
  }
  const envs = await readPortableEnv([...chosen], WANTED_ENV);
  return { ...table, processes: table.processes.map((p) => (envs.has(p.pid) ? { ...p, env: envs.get(p.pid) } : p)) };
}

/**
 * Re-reads, through one privileged helper call (`prefix`, e.g. `sudo -n`), the
 * environments that readDetails found unreadable ("permission denied"), and
 * marks them `via: 'privileged'`. Linux only; undefined `prefix`: the default
 * helper, false: none. `note` says why nothing was read when the helper is
 * unusable (no sudo, password required); an unusable helper is tried once per
 * process, later calls return the same notes without running it.
 */
export async function readUnreadableEnvs(
  table: ProcessTable,
  given: PrivilegePrefix | false | undefined,
): Promise<{ table: ProcessTable; read: number; notes: readonly string[] }> {
  const prefix = given ?? defaultPrivilegePrefix();
  const denied = table.processes
    .filter((p) => p.env?.readable === false && p.env.reason === 'permission denied')
    .map((p) => p.pid);
  if (prefix === false || table.reader !== 'linux-proc' || denied.length === 0) return { table, read: 0, notes: [] };
  const result = await readEnvironsPrivileged(denied, WANTED_ENV, { prefix });
  if (!result.ok)
    return {
      table,
      read: 0,
      notes: [
        `Environments of ${denied.length} process(es) are unreadable and ${result.reason}: they are judged without them.`,
      ],
    };
  let read = 0;
  const processes = table.processes.map((p) => {
    const env = result.envs.get(p.pid);
    if (!env?.readable) return p;
    read++;
    return { ...p, env };
  });
  return { table: { ...table, processes }, read, notes: [] };
}

/**
 * What a job's start reads: argv and owner only for `self` and its ancestors
 * (the baseline keeps argv of that chain and the snapshotter's uid, and of
 * every other process only its identity, which stat gives), stat for the rest.
 * About half the cost of a full read (README, Benchmark). `ps` reads all anyway.
 */
export function lineageOnly(self: number = process.pid, reader: ReaderName = defaultReader()): TableOptions {
  if (reader !== 'linux-proc') return {};
  const line = linuxLineage(self);
  return { fullFor: (pid) => line.has(pid) };
}
