/**
 * Small synchronous readers for /proc files.
 *
 * A process can exit between readdir and open: ENOENT/ESRCH then mean "gone",
 * which is a fact about the process, not an error of ours (so `undefined`).
 * One shared buffer and open/read/close avoids the extra fstat that
 * `readFileSync` makes per file: this runs thousands of times per snapshot.
 */
import fs from 'node:fs';

let buffer = Buffer.allocUnsafe(64 * 1024);
const NEWLINE = 0x0a;

/** Errors that mean the process (or the file) went away while we looked. */
export const isGone = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
};

export const isDenied = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EPERM';
};

/** Reads a whole file as latin1-safe UTF-8; throws what fs throws. */
export function readProcFile(path: string): string {
  const length = readIntoBuffer(path);
  return buffer.toString('utf8', 0, length);
}

/**
 * Like `readIfPresent`, but hands the bytes to `parse` without making a string of the whole file.
 * `oneLine`: the file is a single line ending in a newline (/proc/PID/stat, proc(5)); a read that
 * returns a whole line is then the whole file, and the read that would return 0 is skipped.
 */
export function parseIfPresent<T>(
  path: string,
  parse: (bytes: Buffer, length: number) => T,
  oneLine = false,
): T | undefined {
  let length: number;
  try {
    length = readIntoBuffer(path, oneLine); // first: a read may replace the (grown) buffer
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
  return parse(buffer, length);
}

/** Reads a whole file into the shared buffer (grown as needed); returns its length. */
function readIntoBuffer(path: string, oneLine = false): number {
  const fd = fs.openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (oneLine && length < buffer.length && buffer[length - 1] === NEWLINE) break;
    }
    return length;
  } finally {
    fs.closeSync(fd);
  }
}

/** Like `readProcFile`, but `undefined` when the process is gone. */
export const readIfPresent = (path: string): string | undefined =>
  parseIfPresent(path, (bytes, length) => bytes.toString('utf8', 0, length));

/**
 * Whether `procRoot` shows this process's own PID namespace: `NStgid` (proc(5))
 * lists its pid in every namespace from the mount's down to its own, so one
 * level means they are the same (`unshare --pid` without --mount-proc gives two).
 * Pids read there are then pids of this process's namespace.
 */
export function procShowsOwnPidNamespace(procRoot = '/proc'): boolean {
  const levels = /^NStgid:\s*(.*)$/m
    .exec(readIfPresent(`${procRoot}/self/status`) ?? '')?.[1]
    ?.trim()
    .split(/\s+/);
  return levels?.length === 1;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; gone: boolean; reason: string };

/** Reads a file and reports a failure instead of throwing (for optional details). */
export function attempt<T>(read: () => T): Attempt<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason = isDenied(e) ? 'permission denied' : isGone(e) ? 'process gone' : (e.code ?? e.message);
    return { ok: false, gone: isGone(e), reason };
  }
}

/**
 * The kernel function a process sleeps in (/proc/PID/wchan, proc(5)); names the
 * reason a state-D process ignores SIGKILL (e.g. `request_wait_answer` for a
 * hung FUSE server). "0" means not sleeping. Needs the kernel to allow it
 * (kptr_restrict); undefined when unreadable.
 */
export function readWchan(pid: number, procRoot = '/proc'): string | undefined {
  try {
    const text = fs.readFileSync(`${procRoot}/${pid}/wchan`, 'utf8').trim();
    return text === '' || text === '0' ? undefined : text;
  } catch {
    return undefined;
  }
}
