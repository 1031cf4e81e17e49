/**
 * Reading a file that someone else may have planted: host state written by
 * other jobs, a baseline a step could replace, a path given on the command line.
 *
 * open(2) with O_NOFOLLOW refuses a symlink in the last component (ELOOP), and
 * O_NONBLOCK makes opening a FIFO with no writer return at once instead of
 * blocking forever; fstat(2) on the open descriptor (not a second lookup by
 * name, which could race) then requires a regular file, and the read stops at
 * a size cap so `/dev/zero` or a huge file cannot exhaust memory.
 */
import fs from 'node:fs';

/** Why a file was not read; `code` is stable for callers that branch on it. */
export class UnsafeFileError extends Error {
  constructor(
    readonly code: 'missing' | 'symlink' | 'not-regular' | 'too-large' | 'unreadable',
    detail: string,
  ) {
    super(detail);
    this.name = 'UnsafeFileError';
  }
}

export interface RegularFile {
  readonly text: string;
  readonly stat: fs.Stats;
}

/** One megabyte: far above any record or baseline strays writes for a busy host. */
export const DEFAULT_MAX_BYTES = 1 << 20;

export function readRegularFile(file: string, maxBytes = DEFAULT_MAX_BYTES): RegularFile {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UnsafeFileError('missing', 'does not exist');
    if (code === 'ELOOP') throw new UnsafeFileError('symlink', 'is a symbolic link');
    throw new UnsafeFileError('unreadable', `cannot be opened (${code ?? String(error)})`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new UnsafeFileError('not-regular', `is not a regular file (${kindOf(stat)})`);
    if (stat.size > maxBytes)
      throw new UnsafeFileError('too-large', `is ${stat.size} bytes, over the ${maxBytes}-byte limit`);
    // Read one byte past the cap: a file that grows after fstat is still caught.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(stat.size + 1, 4096)));
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw new UnsafeFileError('too-large', `is over the ${maxBytes}-byte limit`);
      if (length === buffer.length) break;
    }
    return { text: buffer.subarray(0, length).toString('utf8'), stat };
  } finally {
    fs.closeSync(fd);
  }
}

/** What a stat describes, in words: "a FIFO" (lstat(2) also tells "a symbolic link"). */
export function kindOf(stat: fs.Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
