/**
 * The baseline on disk: a versioned JSON file passed from job start to job end.
 * Loading refuses anything that is not exactly ours, naming the file and the
 * fault: a post step that guessed at a damaged baseline could kill processes
 * that predate the job, and the job's own steps can write the file (README
 * "What counts as the job's": the baseline is authenticated).
 */
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../io/write-output.js';
import { isRecord } from '../io/is-record.js';
import { readRegularFile, UnsafeFileError } from '../io/read-regular.js';
import type { Identity } from '../proc/index.js';
import { untrusted } from '../text/untrusted.js';
import type { AncestorRecord, Baseline, JobCgroupRecord } from './baseline.js';
import { sessionCgroupName } from './session.js';

export const BASELINE_KIND = 'strays-baseline';
export const BASELINE_VERSION = 1;
/** A baseline of a very busy host (100 000 processes) stays well below this. */
export const MAX_BASELINE_BYTES = 16 << 20;

interface BaselineFile extends Omit<Baseline, 'processes'> {
  readonly kind: typeof BASELINE_KIND;
  readonly version: typeof BASELINE_VERSION;
  /** [pid, start] pairs: compact, a host may have thousands. */
  readonly processes: ReadonlyArray<readonly [number, number]>;
}

export class BaselineFileError extends Error {
  constructor(file: string, problem: string) {
    super(`Baseline file ${file} ${problem}`);
    this.name = 'BaselineFileError';
  }
}

export function serializeBaseline(b: Baseline): string {
  const file: BaselineFile = {
    kind: BASELINE_KIND,
    version: BASELINE_VERSION,
    ...b,
    processes: b.processes.map((p) => [p.pid, p.start]),
  };
  return JSON.stringify(file);
}

/** sha256 of the bytes as written: what a caller keeps out of the job's reach to authenticate the file later. */
export const baselineDigest = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Writes atomically (src/io/write-output.ts): a reader never sees half a baseline. Returns the digest of what was written. */
export function saveBaseline(file: string, b: Baseline): string {
  const text = serializeBaseline(b);
  writeFileAtomic(file, text, 0o600);
  return baselineDigest(text);
}

/** `sha256` (hex): what the file must hash to, kept where the job cannot write it. */
export function loadBaseline(file: string, options: { readonly sha256?: string | undefined } = {}): Baseline {
  let text: string;
  try {
    // Never blocks on a FIFO, never reads /dev/zero forever, never follows a planted symlink.
    text = readRegularFile(file, MAX_BASELINE_BYTES).text;
  } catch (error) {
    if (error instanceof UnsafeFileError)
      throw new BaselineFileError(
        file,
        error.code === 'missing' ? 'does not exist.' : `cannot be read: it ${error.message}.`,
      );
    throw error;
  }
  if (options.sha256 !== undefined && baselineDigest(text) !== options.sha256) {
    throw new BaselineFileError(
      file,
      `was changed after job start (its sha256 is not the one recorded then); refusing to judge processes by it.`,
    );
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
  if (!isRecord(data) || data.kind !== BASELINE_KIND)
    throw new BaselineFileError(file, 'is not a strays baseline (no "kind": "strays-baseline").');
  if (data.version !== BASELINE_VERSION) {
    throw new BaselineFileError(
      file,
      `has version ${untrusted(JSON.stringify(data.version) ?? 'undefined', 40)}; this strays reads version ${BASELINE_VERSION}. Start and check with the same strays version.`,
    );
  }
  const f = data as Record<string, unknown>;
  const problems = [
    !(typeof f.session === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(f.session)) && 'session',
    !(
      f.runnerTrackingId === undefined ||
      (typeof f.runnerTrackingId === 'string' && f.runnerTrackingId.length <= 200)
    ) && 'runnerTrackingId',
    f.reader !== 'linux-proc' && f.reader !== 'ps' && 'reader',
    !isStamp(f.start, 1) && 'start',
    !isStamp(f.takenAt, 1) && 'takenAt',
    !isIdentity(f.snapshotter) && 'snapshotter',
    !(Array.isArray(f.ancestors) && f.ancestors.every(isAncestor)) && 'ancestors',
    !(f.uid === undefined || isCount(f.uid)) && 'uid',
    !(Array.isArray(f.processes) && f.processes.length > 0 && f.processes.every(isPair)) && 'processes',
    !(f.owner === undefined || isIdentity(f.owner)) && 'owner',
    !(f.cgroup === undefined || isCgroup(f.cgroup, f.session)) && 'cgroup',
  ].filter((x): x is string => typeof x === 'string');
  if (problems.length > 0)
    throw new BaselineFileError(file, `is missing or has malformed fields: ${problems.join(', ')}.`);
  const b = f as unknown as BaselineFile;
  // A real snapshot holds its own snapshotter, started before the table was read.
  const holdsSnapshotter = b.processes.some(
    ([pid, start]) => pid === b.snapshotter.pid && start === b.snapshotter.start,
  );
  if (!holdsSnapshotter || b.snapshotter.start > b.start) {
    throw new BaselineFileError(
      file,
      'is inconsistent: its snapshotter is not among its processes or started after the job did.',
    );
  }
  return {
    session: b.session,
    runnerTrackingId: b.runnerTrackingId === '' ? undefined : b.runnerTrackingId,
    reader: b.reader,
    takenAt: b.takenAt,
    start: b.start,
    snapshotter: { pid: b.snapshotter.pid, start: b.snapshotter.start },
    ancestors: b.ancestors.map((a) => ({ pid: a.pid, start: a.start, comm: a.comm, argv: [...a.argv] })),
    uid: b.uid,
    processes: b.processes.map(([pid, start]) => ({ pid, start })),
    owner: b.owner ? { pid: b.owner.pid, start: b.owner.start } : undefined,
    cgroup: b.cgroup,
  };
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isPid = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isStamp = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min;
const isIdentity = (v: unknown): v is Identity => isRecord(v) && isPid(v.pid) && isStamp(v.start);
const isPair = (v: unknown): boolean => Array.isArray(v) && v.length === 2 && isPid(v[0]) && isStamp(v[1]);
const isAncestor = (v: unknown): v is AncestorRecord =>
  isRecord(v) && typeof v.comm === 'string' && isStringArray(v.argv) && isIdentity(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isAbsolute = (v: unknown): v is string =>
  typeof v === 'string' && v.startsWith('/') && !v.split('/').includes('..');

/** A job cgroup strays made for this session: below the mount, named after the session (src/cgroup/lifecycle.ts), never the root. */
function isCgroup(v: unknown, session: unknown): v is JobCgroupRecord {
  if (!isRecord(v) || typeof session !== 'string') return false;
  const name = sessionCgroupName(session);
  const { mount, path: where, origin, moved, mountRoot, via } = v;
  return (
    isAbsolute(mount) &&
    isAbsolute(where) &&
    where !== '/' &&
    where.split('/').pop() === name &&
    isAbsolute(origin) &&
    Array.isArray(moved) &&
    moved.every(isIdentity) &&
    (mountRoot === undefined || isAbsolute(mountRoot)) &&
    (via === undefined || via === 'direct' || via === 'sudo')
  );
}
