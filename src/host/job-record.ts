/**
 * One job on this host, as recorded at job start: its marks and its owner.
 *
 * A versioned JSON file per job. Parsing refuses anything that is not exactly
 * ours and says why: a sweeper that guessed at a damaged record could end a
 * live job's processes, so a damaged record is reported and skipped.
 */
import type { Identity, ReaderName } from '../proc/index.js';
import { isRecord } from '../io/is-record.js';

export const JOB_KIND = 'strays-job';
export const JOB_VERSION = 1;

/** The process whose exit ends the job. */
export interface Owner extends Identity {
  /** The reader whose start stamps `start` is in (Linux ticks or ps seconds): only comparable with the same reader. */
  readonly reader: ReaderName;
  /** Its command name at registration, for humans. */
  readonly comm?: string | undefined;
}

export interface JobRecord {
  /** STRAYS_SESSION of the job. */
  readonly session: string;
  /** RUNNER_TRACKING_ID of the job, when the runner set one. */
  readonly runnerTrackingId: string | undefined;
  readonly owner: Owner;
  /** Registration time, ms since the epoch. */
  readonly startedAt: number;
  readonly host: string;
  /** The process that registered the job (pre step, `strays start`, `strays run`). */
  readonly registrar: number;
  /** /proc/sys/kernel/random/boot_id at registration: a different boot means the owner is gone whatever its pid. */
  readonly bootId: string | undefined;
  /** The registrar's PID namespace (boot.ts readPidNamespace): the owner pid is one of its pids. */
  readonly pidNamespace?: string | undefined;
}

/** Sessions become file names: nothing that could leave the directory or hide as a dot file. */
const SAFE_SESSION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const isSafeSession = (s: string): boolean => SAFE_SESSION.test(s);

export function serializeJob(r: JobRecord): string {
  return `${JSON.stringify({ kind: JOB_KIND, version: JOB_VERSION, ...r }, null, 1)}\n`;
}

/** The record, or the reason it cannot be trusted. */
export function parseJob(text: string): { ok: true; record: JobRecord } | { ok: false; problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, problem: `is not valid JSON (truncated or damaged; ${text.length} bytes)` };
  }
  if (!isRecord(data) || data.kind !== JOB_KIND)
    return { ok: false, problem: `is not a strays job record (no "kind": "${JOB_KIND}")` };
  if (data.version !== JOB_VERSION) {
    return {
      ok: false,
      problem: `has version ${JSON.stringify(data.version)}; this strays reads version ${JOB_VERSION}`,
    };
  }
  const owner = data.owner;
  const problems = [
    !(typeof data.session === 'string' && isSafeSession(data.session)) && 'session',
    !(data.runnerTrackingId === undefined || typeof data.runnerTrackingId === 'string') && 'runnerTrackingId',
    !(isRecord(owner) && Number.isInteger(owner.pid) && (owner.pid as number) > 0 && Number.isFinite(owner.start)) &&
      'owner',
    !(isRecord(owner) && (owner.reader === 'linux-proc' || owner.reader === 'ps')) && 'owner.reader',
    !Number.isFinite(data.startedAt) && 'startedAt',
    typeof data.host !== 'string' && 'host',
    !Number.isInteger(data.registrar) && 'registrar',
    !(data.bootId === undefined || typeof data.bootId === 'string') && 'bootId',
    !(data.pidNamespace === undefined || typeof data.pidNamespace === 'string') && 'pidNamespace',
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) return { ok: false, problem: `has missing or malformed fields: ${problems.join(', ')}` };
  const o = owner as Record<string, unknown>;
  return {
    ok: true,
    record: {
      session: data.session as string,
      runnerTrackingId: data.runnerTrackingId === '' ? undefined : (data.runnerTrackingId as string | undefined),
      owner: {
        pid: o.pid as number,
        start: o.start as number,
        reader: o.reader as ReaderName,
        comm: typeof o.comm === 'string' ? o.comm : undefined,
      },
      startedAt: data.startedAt as number,
      host: data.host as string,
      registrar: data.registrar as number,
      bootId: data.bootId as string | undefined,
      pidNamespace: data.pidNamespace as string | undefined,
    },
  };
}
