/**
 * Termination's rescans read only what the last table did not hold
 * (src/proc/reread.ts, src/job/rescan.ts): a pid that table held, and that the
 * kernel has not given again since, is not read; a new process is, and a
 * child forked during the grace period is still found and ended.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type PidMark, pidMark, reread } from '../src/proc/index.js';
import { readLinuxTable, readStat } from '../src/proc/linux.js';
import type { ProcessInfo, ProcessTable } from '../src/proc/types.js';
import { terminate } from '../src/terminate/index.js';
import { isAlive, waitFor } from './helpers/leakers.js';
import { describeIf } from './helpers/requires.js';
import { byPid, detectAsFinishJob, findingFor, leakingJobs, stillLeaking } from './helpers/terminate.js';

const fresh = leakingJobs();

const noCursor =
  pidMark() === undefined ? 'the pid cursor (/proc/sys/kernel/ns_last_pid) is not readable here' : undefined;

/** `table` with the row of `pid` replaced by `change(row)`: a row no read of /proc would make. */
function withRow(table: ProcessTable, pid: number, change: (p: ProcessInfo) => ProcessInfo): ProcessTable {
  return { ...table, processes: table.processes.map((p) => (p.pid === pid ? change(p) : p)) };
}

const rowOf = (table: ProcessTable | undefined, pid: number): ProcessInfo | undefined =>
  table?.processes.find((p) => p.pid === pid);

const parentOf = (pid: number): number | undefined =>
  Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);

describeIf(noCursor, 'a re-read of the process table', () => {
  it('keeps the row of a pid the last table held, and reads a process started since', async () => {
    const { leakers } = fresh();
    const old = leakers.spawn('sleep', ['321']).pid as number;
    await waitFor(() => isAlive(old), 'the old process');
    const mark = pidMark() as PidMark;
    const first = withRow(readLinuxTable(), old, (p) => ({ ...p, comm: 'first-table-row' }));
    const started = leakers.spawn('sleep', ['322']).pid as number;
    await waitFor(() => isAlive(started), 'the new process');
    const read = reread({ table: first, mark });
    expect(read, 'a re-read (the cursor proves it complete)').toBeDefined();
    // Not read again: the very row of the first table.
    expect(rowOf(read?.table, old)).toBe(rowOf(first, old));
    expect(read?.fresh.map((p) => p.pid)).not.toContain(old);
    expect(read?.fresh.map((p) => p.pid)).toContain(started);
    expect(rowOf(read?.table, started)?.start).toBe(readStat(started)?.startTicks);
  });

  it('trusts a pid the kernel has not given since, and reads it again once it may have', async () => {
    const { leakers } = fresh();
    const pid = leakers.spawn('sleep', ['323']).pid as number;
    await waitFor(() => isAlive(pid), 'the process');
    const mark = pidMark() as PidMark;
    const real = readStat(pid)?.startTicks as number;
    // A row whose start is not the process's: only a pid given again since could make a table differ so.
    const first = withRow(readLinuxTable(), pid, (p) => ({ ...p, start: real - 1 }));
    expect(rowOf(reread({ table: first, mark })?.table, pid)?.start, 'not read again').toBe(real - 1);
    const given = reread({ table: first, mark: { ...mark, last: pid - 1 } });
    expect(rowOf(given?.table, pid)?.start, 'its pid counted as given since: read again').toBe(real);
    expect(given?.fresh.map((p) => p.pid)).toContain(pid);
  });

  it('reads again the stat of a process whose parent ended, for its parent now', async () => {
    const { leakers } = fresh();
    const childFile = leakers.file('child');
    const parent = await leakers.daemon(`echo $$ > "$PIDFILE"; sleep 324 & echo $! > "${childFile}"; exec sleep 325`, {
      shellStays: true,
    });
    const child = await waitFor(() => Number(fs.existsSync(childFile) && fs.readFileSync(childFile, 'utf8')), 'child');
    leakers.track(child);
    const mark = pidMark() as PidMark;
    const first = withRow(readLinuxTable(), child, (p) => ({ ...p, comm: 'first-table-row' }));
    expect(rowOf(first, child)?.ppid).toBe(parent);
    process.kill(parent, 'SIGKILL');
    // Reaped, not only ended: a zombie is still listed, and its row kept.
    await waitFor(() => readStat(parent) === undefined && parentOf(child) !== parent, 'the parent to be reaped');
    const read = reread({ table: first, mark });
    expect(rowOf(read?.table, parent), 'ended: no row').toBeUndefined();
    expect(rowOf(read?.table, child)?.ppid).toBe(parentOf(child));
    expect(rowOf(read?.table, child)?.comm, "the rest of the row is the first table's").toBe('first-table-row');
  });
});

describeIf(noCursor, 'termination with rescans that read only what is new', () => {
  it('finds and ends a child that a stopped finding forks during the grace period (env -i: lineage only)', async () => {
    const { leakers, job } = fresh();
    const childFile = leakers.file('child');
    // On SIGTERM (after SIGSTOP and SIGCONT) the leak forks a child without the job's marker, and keeps running.
    const pid = await leakers.daemon(
      `setsid sh -c 'echo $$ > "$PIDFILE"; trap "env -i sleep 325 & echo \\$! > ${childFile}" TERM; while :; do sleep 0.05; done' &`,
      { env: job.env },
    );
    const detected = await detectAsFinishJob(job);
    expect(detected.detection.findings.map((f) => f.process.pid)).toContain(pid);
    const { processes, rescan } = detected;
    const t = await terminate(detected.detection.findings, { graceMs: 1000, kill: true, processes, rescan });
    const child = Number(fs.readFileSync(childFile, 'utf8'));
    leakers.trackIfAlive(child);
    expect(
      t.added.map((f) => f.process.pid),
      'the rescan after the grace period found the child',
    ).toContain(child);
    expect(t.added.find((f) => f.process.pid === child)?.attribution).toBe('lineage');
    expect(['killed', 'zombie']).toContain(byPid(t.results, child)?.outcome);
    expect(['killed', 'zombie']).toContain(byPid(t.results, pid)?.outcome);
    expect(detected.wholeChecks(), 'no rescan read the whole table').toBe(0);
    expect(isAlive(child)).toBe(false);
    expect(await stillLeaking(job)).toEqual([]);
  });
});

describe('group signals judged on a rescan that kept rows', () => {
  it("reads again the other processes of a finding's session: a kept row's old group does not make a group safe", async () => {
    const { leakers, job } = fresh();
    const otherFile = leakers.file('other');
    // The finding leads its own session and group; another process of that session is in its group too.
    const pid = await leakers.daemon(
      `setsid sh -c 'echo $$ > "$PIDFILE"; sleep 326 & echo $! > "${otherFile}"; exec sleep 327' &`,
      { env: job.env },
    );
    const other = await waitFor(() => Number(fs.existsSync(otherFile) && fs.readFileSync(otherFile, 'utf8')), 'other');
    leakers.track(other);
    const target = findingFor(pid);
    // As a kept row would show it had the process moved groups (setpgid) after that row was read.
    const kept = withRow(readLinuxTable(), other, (p) => ({ ...p, pgid: other }));
    expect(rowOf(kept, other)?.sid).toBe(pid);
    const t = await terminate([target], {
      graceMs: 1000,
      kill: true,
      processes: kept.processes,
      rescan: async () => ({ findings: [], processes: kept.processes }),
    });
    expect(byPid(t.results, pid)?.via, 'not the whole group: it holds a process that is no finding').toBe('process');
    expect(['exited', 'zombie']).toContain(byPid(t.results, pid)?.outcome);
    expect(isAlive(other)).toBe(true);
  });
});
