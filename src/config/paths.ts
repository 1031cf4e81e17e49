/**
 * Paths the user names (CLI options, the action's report-path), checked when
 * the options are parsed, before anything is read, written or signalled.
 *
 * Each check throws a PathError whose message is one sentence: the option, the
 * path (through `quoted()`: capped, control characters escaped) and what was
 * expected. The CLI turns it into exit status 2; the action fails pre with it.
 *
 * Why each rule:
 * - /proc and /sys are never state or output: mkdir(2) there fails with ENOENT
 *   even though the parent exists, and Node's recursive mkdirSync retries that
 *   forever at 100 % CPU; and writing there is never what a user meant.
 * - An existing output must be a regular file: writers replace it by rename(2),
 *   which as root turns /dev/null into a regular file; a FIFO or a device
 *   blocks or swallows the write; a directory gives EISDIR after the kill.
 * - A file strays reads (a baseline) must be a regular file, not a symbolic
 *   link, matching readRegularFile (src/io/read-regular.ts): a FIFO with no
 *   writer would block, /dev/zero never ends.
 * - Path and name lengths are Linux's PATH_MAX (4096 with the NUL) and
 *   NAME_MAX (255 bytes), so ENAMETOOLONG is named here rather than after a kill;
 *   a file strays writes keeps 32 bytes of its name for the writer's temporary
 *   name (`NAME.PID.tmp`, written then renamed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { quoted } from '../text/untrusted.js';
import { messageOf } from '../text/error-message.js';

export class PathError extends Error {
  constructor(
    /** The option or input as the user knows it: `--state`, `input report-path`. */
    readonly option: string,
    readonly file: string,
    readonly problem: string,
    expected: string,
  ) {
    super(`${option} ${quoted(file)} ${problem}; expected ${expected}.`);
    this.name = 'PathError';
  }
}

const PATH_MAX = 4095;
const NAME_MAX = 255;
/** Room the atomic writers add to a file's name for their temporary file. */
const TEMP_SUFFIX = 32;

/** Pseudo-filesystems that are never a place for state or output. */
export const REFUSED_ROOTS: readonly string[] = ['/proc', '/sys'];

export const OUTPUT_FILE_EXPECTED = 'a regular file, or a new file in an existing writable directory';
export const INPUT_FILE_EXPECTED = 'an existing regular file';
export const DIRECTORY_EXPECTED = 'a directory, or a new directory in an existing writable one';

const under = (file: string, root: string): boolean => file === root || file.startsWith(`${root}/`);

function kindOf(stat: fs.Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

const lstatOrUndefined = (file: string): fs.Stats | undefined => {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
};

/** Shape checks that need no file system: empty, NUL, lengths, /proc and /sys. Returns the absolute path. */
function checkShape(option: string, file: string, expected: string, lastNameMax = NAME_MAX): string {
  if (file.trim() === '') throw new PathError(option, file, 'is empty', expected);
  if (file.includes('\0')) throw new PathError(option, file, 'contains a NUL character', expected);
  const absolute = path.resolve(file);
  if (Buffer.byteLength(absolute) > PATH_MAX)
    throw new PathError(option, file, `is longer than ${PATH_MAX} bytes`, expected);
  const long = absolute.split('/').find((name) => Buffer.byteLength(name) > NAME_MAX);
  if (long !== undefined) throw new PathError(option, file, `has a name longer than ${NAME_MAX} bytes`, expected);
  if (Buffer.byteLength(path.basename(absolute)) > lastNameMax)
    throw new PathError(option, file, `has a file name longer than ${lastNameMax} bytes`, expected);
  refuseSpecialRoots(option, file, absolute, expected);
  return absolute;
}

function refuseSpecialRoots(option: string, file: string, absolute: string, expected: string): void {
  const root = REFUSED_ROOTS.find((r) => under(absolute, r));
  if (root !== undefined) throw new PathError(option, file, `is under ${root}`, expected);
}

/**
 * The nearest ancestor of `absolute` that exists, resolved through symbolic
 * links (so `/dev/fd/x`, a link into /proc, is caught); it must be a directory.
 */
function existingAncestor(option: string, file: string, absolute: string, expected: string): string {
  let dir = path.dirname(absolute);
  for (;;) {
    const stat = lstatOrUndefined(dir);
    if (stat !== undefined) break;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  let real: string;
  let stat: fs.Stats;
  try {
    real = fs.realpathSync(dir);
    stat = fs.statSync(real);
  } catch (error) {
    throw new PathError(
      option,
      file,
      `cannot be reached (${(error as NodeJS.ErrnoException).code ?? String(error)} at ${quoted(dir)})`,
      expected,
    );
  }
  if (!stat.isDirectory())
    throw new PathError(
      option,
      file,
      `cannot be created: ${quoted(dir)} is ${kindOf(stat)}, not a directory`,
      expected,
    );
  refuseSpecialRoots(option, file, real, expected);
  return real;
}

function requireWritable(option: string, file: string, target: string, expected: string): void {
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EROFS'
        ? 'is on a read-only file system'
        : `is not writable (${code ?? String(error)} on ${quoted(target)})`;
    throw new PathError(option, file, why, expected);
  }
}

/** Any other failure of a check (EACCES on a parent, ELOOP …) is still one sentence, never a stack trace. */
function guarded(option: string, file: string, expected: string, check: () => string): string {
  try {
    return check();
  } catch (error) {
    if (error instanceof PathError) throw error;
    throw new PathError(
      option,
      file,
      `cannot be checked (${(error as NodeJS.ErrnoException).code ?? messageOf(error)})`,
      expected,
    );
  }
}

export interface OutputFileRules {
  /**
   * Missing parent directories are created by the writer (mkdir -p), so only
   * the nearest existing ancestor must be a writable directory. Default false:
   * the parent directory must exist.
   */
  readonly createParents?: boolean;
}

/**
 * A file strays will write (or replace by rename): an existing regular file,
 * or a new name in a writable directory. Returns the absolute path.
 */
export function validateOutputFile(option: string, file: string, rules: OutputFileRules = {}): string {
  return guarded(option, file, OUTPUT_FILE_EXPECTED, () => outputFile(option, file, rules));
}

function outputFile(option: string, file: string, rules: OutputFileRules): string {
  const expected = OUTPUT_FILE_EXPECTED;
  if (file.endsWith('/')) throw new PathError(option, file, 'ends with "/", which names a directory', expected);
  const absolute = checkShape(option, file, expected, NAME_MAX - TEMP_SUFFIX);
  const stat = lstatOrUndefined(absolute);
  if (stat !== undefined) {
    if (!stat.isFile()) throw new PathError(option, file, `is ${kindOf(stat)}`, expected);
    refuseSpecialRoots(option, file, fs.realpathSync(absolute), expected);
    requireWritable(option, file, path.dirname(absolute), expected);
    return absolute;
  }
  const parent = path.dirname(absolute);
  const ancestor = existingAncestor(option, file, absolute, expected);
  if (!rules.createParents && lstatOrUndefined(parent) === undefined) {
    throw new PathError(option, file, `cannot be created: directory ${quoted(parent)} does not exist`, expected);
  }
  requireWritable(option, file, ancestor, expected);
  return absolute;
}

/** A file strays will read (a baseline): it must exist and be a regular file. Returns the absolute path. */
export function validateInputFile(option: string, file: string): string {
  const expected = INPUT_FILE_EXPECTED;
  return guarded(option, file, expected, () => {
    const absolute = checkShape(option, file, expected);
    const stat = lstatOrUndefined(absolute);
    if (stat === undefined) throw new PathError(option, file, 'does not exist', expected);
    if (!stat.isFile()) throw new PathError(option, file, `is ${kindOf(stat)}`, expected);
    return absolute;
  });
}

/**
 * A directory strays will create (if missing) and write into: state
 * directories, hook output. An existing one must be a directory (a symbolic
 * link to one is fine: the user named it); a missing one must be creatable
 * without passing through a non-directory. Returns the absolute path.
 */
export function validateDirectory(option: string, dir: string): string {
  return guarded(option, dir, DIRECTORY_EXPECTED, () => directory(option, dir));
}

function directory(option: string, dir: string): string {
  const expected = DIRECTORY_EXPECTED;
  const absolute = checkShape(option, dir, expected);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw new PathError(option, dir, `cannot be reached (${code ?? String(error)})`, expected);
  }
  if (stat !== undefined) {
    if (!stat.isDirectory()) throw new PathError(option, dir, `is ${kindOf(stat)}`, expected);
    refuseSpecialRoots(option, dir, fs.realpathSync(absolute), expected);
    return absolute;
  }
  requireWritable(option, dir, existingAncestor(option, dir, path.join(absolute, 'x'), expected), expected);
  return absolute;
}

/**
 * mkdir -p that never spins and never passes through a non-directory: each
 * missing component is created in turn (fs.mkdirSync recursive loops forever
 * when mkdir(2) keeps answering ENOENT, as it does under /proc).
 */
export function makeDirectory(option: string, dir: string, mode = 0o755): string {
  const absolute = validateDirectory(option, dir);
  const missing: string[] = [];
  let at = absolute;
  while (lstatOrUndefined(at) === undefined && path.dirname(at) !== at) {
    missing.unshift(at);
    at = path.dirname(at);
  }
  for (const step of missing) {
    try {
      fs.mkdirSync(step, { mode });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && fs.statSync(step).isDirectory()) continue;
      throw new PathError(
        option,
        dir,
        `cannot be created (${code ?? String(error)} at ${quoted(step)})`,
        DIRECTORY_EXPECTED,
      );
    }
  }
  return absolute;
}
