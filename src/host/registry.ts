/**
 * The host's job registry: one file per job in the state directory.
 *
 * Job start registers, a normal job end unregisters; what is left belongs to
 * jobs whose cleanup never ran, which is what `strays sweep` looks for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Baseline } from '../engine/baseline.js';
import { writeFileAtomic } from './atomic.js';
import { readBootId } from './boot.js';
import { type JobRecord, type Owner, isSafeSession, parseJob, serializeJob } from './job-record.js';
import { defaultStateDir } from './state-dir.js';

export interface StateDirOption {
  /** The state directory (records go in its jobs/). Default: defaultStateDir(): STRAYS_STATE_DIR, /var/lib/strays as root, XDG state home otherwise. */
  readonly stateDir?: string | undefined;
}

export interface JobRegistration {
  readonly session: string;
  readonly runnerTrackingId?: string | undefined;
  readonly owner: Owner;
}

export interface CorruptEntry {
  readonly file: string;
  readonly problem: string;
}

export interface JobList {
  /** The jobs/ directory that was read. */
  readonly dir: string;
  readonly jobs: readonly JobRecord[];
  /** Entries that could not be trusted: reported, skipped, never a reason to kill. */
  readonly corrupt: readonly CorruptEntry[];
}

/**
 * Records live in `jobs/` under the state directory: the directory is shared
 * (the GitHub hooks keep baselines in its `github-hooks/`), and only files in
 * `jobs/` are ever read as job records.
 */
export const jobsDir = (stateDir: string): string => path.join(stateDir, 'jobs');

const dirOf = (options: StateDirOption): string => jobsDir(options.stateDir ?? defaultStateDir());

export function jobFile(dir: string, session: string): string {
  if (!isSafeSession(session)) throw new Error(`Invalid session "${session}": expected letters, digits, "_", "." and "-" (e.g. strays-0123456789abcdef).`);
  return path.join(dir, `${session}.json`);
}

/** Records a job at its start; returns the file written. */
export function registerJob(job: JobRegistration, options: StateDirOption = {}): string {
  const dir = dirOf(options);
  const file = jobFile(dir, job.session);
  const record: JobRecord = {
    session: job.session,
    runnerTrackingId: job.runnerTrackingId || undefined,
    owner: job.owner,
    startedAt: Date.now(),
    host: os.hostname(),
    registrar: process.pid,
    bootId: readBootId(),
  };
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileAtomic(file, serializeJob(record));
  return file;
}

/** Registers the job of a baseline that has an owner (its start stamp is in the baseline's reader units). */
export function registerBaseline(baseline: Baseline, options: StateDirOption = {}): string {
  if (!baseline.owner) throw new Error(`Cannot register job ${baseline.session}: its baseline has no owner.`);
  const owner: Owner = { pid: baseline.owner.pid, start: baseline.owner.start, reader: baseline.reader };
  return registerJob({ session: baseline.session, runnerTrackingId: baseline.runnerTrackingId, owner }, options);
}

/** Removes a job's record at its normal end. True if there was one. */
export function unregisterJob(session: string, options: StateDirOption = {}): boolean {
  const file = jobFile(dirOf(options), session);
  try {
    fs.unlinkSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Every job record in the directory; a missing directory is an empty registry. */
export function listJobs(options: StateDirOption = {}): JobList {
  const dir = dirOf(options);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { dir, jobs: [], corrupt: [] };
    throw error;
  }
  const jobs: JobRecord[] = [];
  const corrupt: CorruptEntry[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue; // temp files of atomic writes start with "."
    const file = path.join(dir, name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // unregistered while we listed: the job ended normally
      corrupt.push({ file, problem: `cannot be read (${code ?? String(error)})` });
      continue;
    }
    const parsed = parseJob(text);
    if (!parsed.ok) corrupt.push({ file, problem: parsed.problem });
    else if (`${parsed.record.session}.json` !== name) corrupt.push({ file, problem: `holds session ${parsed.record.session}, not the one its name says` });
    else jobs.push(parsed.record);
  }
  return { dir, jobs, corrupt };
}
