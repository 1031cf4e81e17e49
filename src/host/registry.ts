/**
 * The host's job registry: one file per job in the state directory; job start
 * registers, a normal job end unregisters, and what is left is what `strays
 * sweep` looks for. Every other job on the host can write here, so a record is
 * read only as a small regular file, without following symlinks or blocking,
 * with the uid that owns its file (README, Who may write the records).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Baseline } from '../engine/index.js';
import { UnsafeFileError, readRegularFile } from '../io/read-regular.js';
import { untrusted } from '../text/untrusted.js';
import { writeFileAtomic } from '../io/write-output.js';
import { readBootId, readPidNamespace } from './boot.js';
import { type JobRecord, type Owner, isSafeSession, parseJob, serializeJob } from './job-record.js';
import { RECORD_MODE, UnsafeDirError, ensureJobsDir, openJobsDir } from './jobs-dir.js';
import { defaultStateDir } from './state-dir.js';

/** A record is a few hundred bytes; anything much larger is not one. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** Far above the jobs one host runs or leaves behind; a folder flooded past it still lists in bounded time. */
export const MAX_RECORDS = 10_000;

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

/** A record as listed: with the uid that owns its file, by fstat of the file actually read. */
export interface ListedJob extends JobRecord {
  readonly fileUid: number;
}

export interface JobList {
  /** The jobs/ directory that was read. */
  readonly dir: string;
  readonly jobs: readonly ListedJob[];
  /** Entries that could not be trusted: reported, skipped, never a reason to kill. */
  readonly corrupt: readonly CorruptEntry[];
  /** Why the whole jobs/ folder was not read (symlink, writable by others without the sticky bit); nothing in it is used. */
  readonly refused?: string | undefined;
  /** Records of other users this user may not read (mode 0640 in a shared folder): not ours, not corrupt. */
  readonly othersUnreadable: number;
  /** Record files past MAX_RECORDS (by name) that were not read: their jobs are unknown, their processes left alone. */
  readonly unread?: number | undefined;
}

/** One escaped note (a log line) per record the listing skipped or refused: file names are chosen by whoever wrote them. */
export function listingNotes(list: Pick<JobList, 'dir' | 'corrupt' | 'refused' | 'unread'>): string[] {
  return [
    ...(list.refused !== undefined
      ? [`refused the jobs folder ${untrusted(list.dir, 300)}: ${untrusted(list.refused, 400)}`]
      : []),
    ...(list.unread
      ? [
          `did not read ${list.unread} record file(s) in ${untrusted(list.dir, 300)} past the first ${MAX_RECORDS} by name (flooded?)`,
        ]
      : []),
    ...list.corrupt.map((c) => `skipped corrupt record ${untrusted(c.file, 300)}: ${untrusted(c.problem, 300)}`),
  ];
}

/**
 * Records live in `jobs/` under the state directory: the directory is shared
 * (the GitHub hooks keep baselines in its `github-hooks/`), and only files in
 * `jobs/` are ever read as job records.
 */
export const jobsDir = (stateDir: string): string => path.join(stateDir, 'jobs');

const dirOf = (options: StateDirOption): string => jobsDir(options.stateDir ?? defaultStateDir());

export function jobFile(dir: string, session: string): string {
  if (!isSafeSession(session))
    throw new Error(
      `Invalid session "${session}": expected letters, digits, "_", "." and "-" (e.g. strays-0123456789abcdef).`,
    );
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
    pidNamespace: readPidNamespace(),
  };
  ensureJobsDir(dir);
  // Never into a folder the sweeper would refuse: another user could swap the record there.
  openJobsDir(dir)?.close();
  writeFileAtomic(file, serializeJob(record), RECORD_MODE);
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

/**
 * Every job record in the directory; a missing directory is an empty registry. `except`: a session whose
 * record is not read (the caller's own job, which it knows).
 */
export function listJobs(options: StateDirOption & { readonly except?: string } = {}): JobList {
  const dir = dirOf(options);
  const empty = { dir, jobs: [], corrupt: [], othersUnreadable: 0 };
  let opened: ReturnType<typeof openJobsDir>;
  try {
    opened = openJobsDir(dir);
  } catch (error) {
    if (error instanceof UnsafeDirError) return { ...empty, refused: error.reason };
    throw error;
  }
  if (opened === undefined) return empty;
  try {
    const jobs: ListedJob[] = [];
    const corrupt: CorruptEntry[] = [];
    let othersUnreadable = 0;
    // Temp files of atomic writes start with ".".
    const skipped = options.except === undefined ? undefined : `${options.except}.json`;
    const names = opened
      .names()
      .filter((name) => name.endsWith('.json') && !name.startsWith('.') && name !== skipped)
      .sort();
    for (const name of names.slice(0, MAX_RECORDS)) {
      const file = path.join(dir, name);
      const read = readRecord(opened.pathOf(name));
      if (read.kind === 'gone') continue; // unregistered while we listed: the job ended normally
      if (read.kind === 'others') {
        othersUnreadable++;
        continue;
      }
      if (read.kind === 'unsafe') {
        corrupt.push({ file, problem: read.problem });
        continue;
      }
      const parsed = parseJob(read.text);
      if (!parsed.ok) corrupt.push({ file, problem: parsed.problem });
      else if (`${parsed.record.session}.json` !== name)
        corrupt.push({ file, problem: `holds session ${parsed.record.session}, not the one its name says` });
      else jobs.push({ ...parsed.record, fileUid: read.uid });
    }
    return {
      dir,
      jobs,
      corrupt,
      othersUnreadable,
      ...(names.length > MAX_RECORDS ? { unread: names.length - MAX_RECORDS } : {}),
    };
  } finally {
    opened.close();
  }
}

type RecordRead =
  | { kind: 'ok'; text: string; uid: number }
  | { kind: 'gone' }
  | { kind: 'others' }
  | { kind: 'unsafe'; problem: string };

function readRecord(file: string): RecordRead {
  let read: ReturnType<typeof readRegularFile>;
  try {
    read = readRegularFile(file, MAX_RECORD_BYTES);
  } catch (error) {
    if (!(error instanceof UnsafeFileError)) throw error;
    if (error.code === 'missing') return { kind: 'gone' };
    if (error.code === 'unreadable' && ownedByOthers(file)) return { kind: 'others' };
    return { kind: 'unsafe', problem: error.message };
  }
  // rename(2) leaves a record with one link; a second name is someone's hard link to a file they may not own.
  if (read.stat.nlink !== 1) return { kind: 'unsafe', problem: `has ${read.stat.nlink} hard links; a record has one` };
  return { kind: 'ok', text: read.text, uid: read.stat.uid };
}

function ownedByOthers(file: string): boolean {
  const uid = process.getuid?.();
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  return uid !== undefined && stat?.isFile() === true && stat.uid !== uid;
}
