/**
 * The baseline on disk: a versioned JSON file passed from job start to job end.
 *
 * Loading refuses anything that is not exactly ours, naming the file and the
 * fault: a post step that guessed at a damaged baseline could kill processes
 * that predate the job.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Identity } from '../proc/types.js';
import type { AncestorRecord, Baseline } from './baseline.js';

export const BASELINE_KIND = 'strays-baseline';
export const BASELINE_VERSION = 1;

interface BaselineFile extends Omit<Baseline, 'processes'> {
  readonly kind: typeof BASELINE_KIND;
  readonly version: typeof BASELINE_VERSION;
  /** [pid, start] pairs: compact, a host may have thousands. */
  readonly processes: ReadonlyArray<readonly [number, number]>;
}

export class BaselineFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`Baseline file ${file} ${problem}`);
    this.name = 'BaselineFileError';
  }
}

export function serializeBaseline(b: Baseline): string {
  const file: BaselineFile = { kind: BASELINE_KIND, version: BASELINE_VERSION, ...b, processes: b.processes.map((p) => [p.pid, p.start]) };
  return JSON.stringify(file);
}

/** Writes atomically (temp file + rename), so a reader never sees half a baseline. */
export function saveBaseline(file: string, b: Baseline): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, serializeBaseline(b), { mode: 0o600 });
  fs.renameSync(temp, file);
}

export function loadBaseline(file: string): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BaselineFileError(file, code === 'ENOENT' ? 'does not exist.' : `cannot be read (${code ?? String(error)}).`);
  }
  return parseBaseline(file, text);
}

export function parseBaseline(file: string, text: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new BaselineFileError(file, `is not valid JSON (truncated or damaged; ${text.length} bytes).`);
  }
  if (!isRecord(data) || data.kind !== BASELINE_KIND) throw new BaselineFileError(file, 'is not a strays baseline (no "kind": "strays-baseline").');
  if (data.version !== BASELINE_VERSION) {
    throw new BaselineFileError(file, `has version ${JSON.stringify(data.version)}; this strays reads version ${BASELINE_VERSION}. Start and check with the same strays version.`);
  }
  const f = data as unknown as BaselineFile;
  const problems = [
    typeof f.session !== 'string' && 'session',
    (f.reader !== 'linux-proc' && f.reader !== 'ps') && 'reader',
    !Number.isFinite(f.start) && 'start',
    !Number.isFinite(f.takenAt) && 'takenAt',
    !isIdentity(f.snapshotter) && 'snapshotter',
    !Array.isArray(f.ancestors) && 'ancestors',
    !(Array.isArray(f.processes) && f.processes.every((p) => Array.isArray(p) && p.length === 2)) && 'processes',
  ].filter(Boolean);
  if (problems.length > 0) throw new BaselineFileError(file, `is missing or has malformed fields: ${problems.join(', ')}.`);
  return {
    session: f.session,
    runnerTrackingId: typeof f.runnerTrackingId === 'string' ? f.runnerTrackingId : undefined,
    reader: f.reader,
    takenAt: f.takenAt,
    start: f.start,
    snapshotter: f.snapshotter,
    ancestors: f.ancestors as AncestorRecord[],
    uid: typeof f.uid === 'number' ? f.uid : undefined,
    processes: f.processes.map(([pid, start]) => ({ pid, start })),
    owner: isIdentity(f.owner) ? f.owner : undefined,
    cgroup: isRecord(f.cgroup) ? f.cgroup : undefined,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIdentity = (v: unknown): v is Identity => isRecord(v) && Number.isInteger(v.pid) && Number.isFinite(v.start);
