/**
 * A small builder of process tables for pure detection tests: a host with
 * PID 1, a runner chain and a checker, to which a test adds the processes of
 * its story. Start stamps: everything before the job starts below JOB_START,
 * everything the job (or the host) starts during it at or above.
 *
 *   const h = new HostBuilder({ uid: 1001 });
 *   const leak = h.add({ ppid: 1, env: h.marked() });
 *   const d = detect(h.baseline(), h.table(), { checker: h.checker });
 */
import type { Baseline, JobCgroupRecord } from '../../src/engine/baseline.js';
import { SESSION_VAR, TRACKING_VAR } from '../../src/engine/session.js';
import type { EnvView, ProcessInfo, ProcessTable } from '../../src/proc/types.js';

export const JOB_START = 10_000;
export const SESSION = 'strays-00000000000000aa';
export const OTHER_SESSION = 'strays-00000000000000bb';
export const TRACKING = 'track-ours';

export const UNREADABLE: EnvView = { readable: false, reason: 'permission denied' };
export const env = (vars: Record<string, string> = {}): EnvView => ({ readable: true, vars });

export interface ProcSpec {
  readonly pid?: number;
  readonly ppid: number;
  readonly comm?: string;
  readonly argv?: readonly string[];
  readonly uid?: number;
  /** Default: new (at or after JOB_START). */
  readonly old?: boolean;
  readonly env?: EnvView;
  readonly cgroup?: string;
  readonly state?: string;
  readonly pgid?: number;
  readonly sid?: number;
}

export class HostBuilder {
  readonly uid: number;
  readonly processes: ProcessInfo[] = [];
  private nextPid = 200;
  private tick = JOB_START;
  /** The checker (post step) and the runner chain: 1 → 100 (listener) → 110 (worker) → 120 (checker). */
  readonly init: ProcessInfo;
  readonly listener: ProcessInfo;
  readonly worker: ProcessInfo;
  readonly checker: number;
  /** cgroup of the runner service, where the chain lives. */
  readonly runnerCgroup: string;

  constructor(options: { uid?: number; runnerCgroup?: string; initComm?: string } = {}) {
    this.uid = options.uid ?? 1001;
    this.runnerCgroup = options.runnerCgroup ?? '/system.slice/runner.service';
    this.init = this.add({
      pid: 1,
      ppid: 0,
      comm: options.initComm ?? 'agent',
      uid: 0,
      old: true,
      cgroup: '/init.scope',
    });
    this.listener = this.add({ pid: 100, ppid: 1, comm: 'Runner.Listener', old: true, cgroup: this.runnerCgroup });
    this.worker = this.add({ pid: 110, ppid: 100, comm: 'Runner.Worker', old: true, cgroup: this.runnerCgroup });
    this.checker = this.add({ pid: 120, ppid: 110, comm: 'node', env: this.marked(), cgroup: this.runnerCgroup }).pid;
  }

  /** An environment carrying this job's session (and more variables). */
  marked(more: Record<string, string> = {}): EnvView {
    return env({ [SESSION_VAR]: SESSION, ...more });
  }

  tracked(more: Record<string, string> = {}): EnvView {
    return env({ [TRACKING_VAR]: TRACKING, ...more });
  }

  add(spec: ProcSpec): ProcessInfo {
    const pid = spec.pid ?? this.nextPid++;
    const p: ProcessInfo = {
      pid,
      ppid: spec.ppid,
      pgid: spec.pgid ?? pid,
      sid: spec.sid ?? pid,
      state: spec.state ?? 'S',
      uid: spec.uid ?? this.uid,
      start: spec.old ? 100 + pid : this.tick++,
      startedAt: undefined,
      comm: spec.comm ?? `p${pid}`,
      argv: spec.argv ?? [spec.comm ?? `p${pid}`],
      env: spec.env,
      cgroup: spec.cgroup ?? this.runnerCgroup,
    };
    this.processes.push(p);
    return p;
  }

  /** The baseline the pre step took: every old process, the pre step (gone since) under the worker. */
  baseline(extra: { cgroup?: JobCgroupRecord; session?: string } = {}): Baseline {
    const old = this.processes.filter((p) => p.start < JOB_START);
    const pre = { pid: 115, start: JOB_START - 1 };
    return {
      session: extra.session ?? SESSION,
      runnerTrackingId: TRACKING,
      reader: 'linux-proc',
      takenAt: 1_700_000_000_000,
      start: JOB_START,
      snapshotter: pre,
      ancestors: [this.worker, this.listener, this.init].map((p) => ({
        pid: p.pid,
        start: p.start,
        comm: p.comm,
        argv: p.argv,
      })),
      uid: this.uid,
      processes: [...old.map((p) => ({ pid: p.pid, start: p.start })), pre],
      cgroup: extra.cgroup,
    };
  }

  table(): ProcessTable {
    return { reader: 'linux-proc', takenAt: 1_700_000_100_000, now: this.tick + 1, processes: [...this.processes] };
  }
}

/** A job cgroup record under the runner's cgroup, as isolation makes it. */
export const jobCgroup = (origin = '/system.slice/runner.service'): JobCgroupRecord => ({
  mount: '/sys/fs/cgroup',
  path: `${origin}/${SESSION}`,
  origin,
  moved: [{ pid: 110, start: 210 }],
});
