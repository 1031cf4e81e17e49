/**
 * Jobs for sweep tests: a real owner process (alive or exited), a job record
 * in the test's own state directory, and marked daemons started with Leakers.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newSessionId, SESSION_VAR } from '../../src/engine/session.js';
import type { Owner } from '../../src/host/job-record.js';
import { registerJob } from '../../src/host/registry.js';
import { readStat } from '../../src/proc/linux.js';
import { type Leakers, waitFor } from './leakers.js';

export const tempStateDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'strays-state-'));

export interface SweepTestJob {
  readonly session: string;
  readonly owner: Owner;
  readonly child: ChildProcess;
  /** Ends the owner and waits until it is reaped: the job is then over. */
  end(): Promise<void>;
}

/** Starts an owner process (`sleep`), registers a job it owns in `stateDir`. */
export async function registeredJob(
  leakers: Leakers,
  stateDir: string,
  options: { runnerTrackingId?: string } = {},
): Promise<SweepTestJob> {
  const child = leakers.spawn('sleep', ['600']);
  const pid = child.pid as number;
  const stat = await waitFor(() => readStat(pid), 'owner to start');
  const owner: Owner = { pid, start: stat.startTicks, reader: 'linux-proc', comm: 'sleep' };
  const session = newSessionId();
  registerJob({ session, runnerTrackingId: options.runnerTrackingId, owner }, { stateDir });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    session,
    owner,
    child,
    async end() {
      child.kill('SIGKILL');
      await exited;
      // node reaps its child on 'exit'; wait until /proc agrees.
      await waitFor(() => readStat(pid)?.startTicks !== stat.startTicks, 'owner to be reaped');
    },
  };
}

/** A setsid daemon (reparented away from the test) carrying `vars`; resolves with its pid. */
export const markedDaemon = (leakers: Leakers, vars: Record<string, string>, name = 'sleep 300'): Promise<number> =>
  leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec ${name}' &`, {
    env: { [SESSION_VAR]: '', RUNNER_TRACKING_ID: '', ...vars },
  });
