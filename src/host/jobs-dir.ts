/**
 * The jobs/ folder is where unprivileged jobs hand records to the root
 * sweeper, so its modes are a privilege boundary (README, Who may write the
 * records): private 0700, or shared 1777 whose sticky bit lets only a file's
 * owner rename or remove it (unlink(2), rename(2)). The folder is opened once
 * (O_DIRECTORY|O_NOFOLLOW) and read through /proc/self/fd, so a folder renamed
 * or replaced by a symlink between the check and the reads is not the one read.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Records: never world-readable, they hold every job's session and tracking id. */
export const RECORD_MODE = 0o640;
/** A folder one user keeps for itself (and the state directory above it, when not root's). */
export const PRIVATE_DIR_MODE = 0o700;
/** The jobs/ folder root creates: shared by every runner user, sticky. */
export const SHARED_JOBS_MODE = 0o1777;
/** The state directory root creates above it (like systemd's StateDirectoryMode default). */
export const ROOT_STATE_MODE = 0o755;

const STICKY = 0o1000;

export const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** Why a jobs/ folder cannot be trusted, or undefined when it can. */
export function unsafeDirReason(stat: fs.Stats): string | undefined {
  if (!stat.isDirectory()) return 'is not a directory';
  const others = [(stat.mode & 0o020) !== 0 && 'group', (stat.mode & 0o002) !== 0 && 'world'].filter(Boolean);
  if (others.length > 0 && (stat.mode & STICKY) === 0) {
    return (
      `is ${others.join('- and ')}-writable without the sticky bit (mode ${octal(stat.mode)}): any user who may write it could replace ` +
      `another user's record, so nothing in it is trusted; make it sticky (chmod 1777, owned by root) or private (chmod 700)`
    );
  }
  return undefined;
}

export class UnsafeDirError extends Error {
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`${dir} ${reason}`);
    this.name = 'UnsafeDirError';
  }
}

export interface OpenedDir {
  readonly dir: string;
  readonly stat: fs.Stats;
  /** Entry names, unsorted. */
  names(): string[];
  /** A path that reaches `name` in the opened folder, whatever happened to the folder's own path since. */
  pathOf(name: string): string;
  close(): void;
}

/**
 * Opens a jobs/ folder for reading. Undefined when it does not exist; throws
 * UnsafeDirError when it is a symlink, not a folder, or writable by others
 * without the sticky bit.
 */
export function openJobsDir(dir: string): OpenedDir | undefined {
  let fd: number;
  try {
    fd = fs.openSync(
      dir,
      fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // Linux answers ENOTDIR for a symlink opened with O_DIRECTORY|O_NOFOLLOW; others ELOOP.
    if (code === 'ELOOP' || (code === 'ENOTDIR' && fs.lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink())) {
      throw new UnsafeDirError(dir, 'is a symbolic link; the jobs folder must be a real directory');
    }
    if (code === 'ENOTDIR') throw new UnsafeDirError(dir, 'is not a directory');
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    const unsafe = unsafeDirReason(stat);
    if (unsafe !== undefined) throw new UnsafeDirError(dir, unsafe);
    // Linux: /proc/self/fd/N is the opened folder itself (proc(5)). Elsewhere, or where /proc is not
    // this process's (another PID namespace's mount), fall back to the path, checked just now.
    const byFd = `/proc/self/fd/${fd}`;
    const seen = fs.statSync(byFd, { throwIfNoEntry: false });
    const base = seen !== undefined && seen.dev === stat.dev && seen.ino === stat.ino ? byFd : dir;
    return {
      dir,
      stat,
      names: () => fs.readdirSync(base),
      pathOf: (name) => path.join(base, name),
      close: () => fs.closeSync(fd),
    };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/**
 * Creates the state directory and its jobs/ with the documented modes when
 * they are missing; existing folders keep their modes (an admin chose them).
 * Root creates the shared sticky layout, anyone else a private one.
 */
export function ensureJobsDir(dir: string, uid: number | undefined = process.getuid?.()): void {
  const root = uid === 0;
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: root ? ROOT_STATE_MODE : PRIVATE_DIR_MODE });
  try {
    fs.mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  // The umask clears group and world bits from mkdir's mode: set the shared mode on the folder just made.
  if (root) {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
    try {
      fs.fchmodSync(fd, SHARED_JOBS_MODE);
    } finally {
      fs.closeSync(fd);
    }
  }
}
