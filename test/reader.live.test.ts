/**
 * The readers against real processes this test starts: a setsid daemon, a
 * stopped process, a zombie, and a name with spaces and parentheses. Values
 * are checked against procps `ps` and against clock readings taken around the
 * spawn, not against the reader itself.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uptimeTicks } from '../src/proc/clock.js';
import { readLinuxDetails, readLinuxTable } from '../src/proc/linux.js';
import { readPortableTable } from '../src/proc/portable.js';
import type { ProcessInfo } from '../src/proc/types.js';
import { Leakers, waitFor } from './helpers/leakers.js';

let leakers: Leakers;
afterEach(async () => leakers.cleanup());

const find = (pid: number): ProcessInfo | undefined => readLinuxTable().processes.find((p) => p.pid === pid);
const ps = (pid: number, field: string): string =>
  execFileSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8' }).trim();

describe('Linux /proc reader on live processes', () => {
  it('reads a setsid daemon: own session and group, start time inside the spawn window', async () => {
    leakers = new Leakers();
    const before = uptimeTicks();
    const pid = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' &`, {
      env: { STRAYS_SESSION: 'strays-0000000000000001', SECRET_TOKEN: 'hunter2' },
    });
    const after = uptimeTicks();
    // Just exec'd, sleep may still be running (R) for a moment before it sleeps.
    const p = await waitFor(() => {
      const q = find(pid);
      return q?.state === 'S' && q;
    }, 'sleep to be sleeping');
    expect(p).toMatchObject({
      pid,
      sid: pid,
      pgid: pid,
      state: 'S',
      comm: 'sleep',
      argv: ['sleep', '300'],
      uid: process.getuid?.(),
    });
    expect(p?.ppid).toBe(Number(ps(pid, 'ppid')));
    expect(p?.start).toBeGreaterThanOrEqual(before);
    expect(p?.start).toBeLessThanOrEqual(after + 1);
    const detailed = readLinuxDetails(p as ProcessInfo, new Set(['STRAYS_SESSION']));
    expect(detailed.env).toEqual({ readable: true, vars: { STRAYS_SESSION: 'strays-0000000000000001' } });
    expect(JSON.stringify(detailed)).not.toContain('hunter2');
  });

  it('reads a stopped process as T and a zombie as Z with its parent', async () => {
    leakers = new Leakers();
    const stopped = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' &`);
    process.kill(stopped, 'SIGSTOP');
    await waitFor(() => find(stopped)?.state === 'T', 'stopped state');
    expect(ps(stopped, 'stat').charAt(0)).toBe('T');

    // The parent execs into sleep and never waits, so its exited child stays a zombie.
    const parent = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; true & exec sleep 300' &`);
    const zombie = await waitFor(
      () => readLinuxTable().processes.find((p) => p.ppid === parent && p.state === 'Z'),
      'zombie child',
    );
    expect(zombie.argv).toEqual([]);
    expect(ps(zombie.pid, 'stat').charAt(0)).toBe('Z');
  });

  it('parses a name with spaces and parentheses, and argv with spaces', async () => {
    leakers = new Leakers();
    const link = path.join(leakers.dir, 'my) odd (name');
    fs.symlinkSync('/bin/sleep', link);
    const pid = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; exec "${link}" 300' &`);
    const p = await waitFor(() => {
      const q = find(pid);
      return q?.state === 'S' && q;
    }, 'sleep to be sleeping');
    expect(p?.comm).toBe('my) odd (name');
    expect(p?.argv).toEqual([link, '300']);
    expect(p?.state).toBe('S');
    expect(p?.ppid).toBe(Number(ps(pid, 'ppid')));
  });

  it('skips kernel threads and reports unknown uid as undefined, never 0', () => {
    const table = readLinuxTable();
    expect(table.processes.some((p) => p.comm === 'kthreadd')).toBe(false);
    expect(table.processes.every((p) => p.uid === undefined || Number.isInteger(p.uid))).toBe(true);
  });
});

describe('portable ps-based reader agrees with /proc on the same live processes', () => {
  it('matches pid, ppid, pgid, sid, state and start time (to the second)', async () => {
    leakers = new Leakers();
    const pid = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' &`);
    const portable = (await readPortableTable()).processes.find((p) => p.pid === pid);
    const linux = find(pid);
    expect(portable).toMatchObject({
      pid,
      ppid: linux?.ppid,
      pgid: linux?.pgid,
      sid: linux?.sid,
      state: linux?.state,
      uid: linux?.uid,
    });
    expect(portable?.argv).toEqual(['sleep', '300']);
    // lstart has one-second resolution and btime can drift by a second with NTP.
    expect(Math.abs((portable?.startedAt ?? 0) - (linux?.startedAt ?? 0))).toBeLessThan(2000);
  });
});
