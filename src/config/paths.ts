/**
 * Paths the user names (CLI options, the action's report-path), checked when
 * the options are parsed, before anything is read, written or signalled
 * (README "Exit statuses", 2). Each check throws a PathError of one sentence:
 * the option, the path through `quoted()` and what was expected. Why each rule:
 * - /proc and /sys: mkdir(2) there fails with ENOENT even though the parent
 *   exists, and Node's recursive mkdirSync retries that forever at 100 % CPU;
 *   and writing there is never what a user meant.
 * - An existing output must be a regular file: a FIFO or a device blocks or
 *   swallows the write, the writer's rename(2) would replace a device
 *   (src/io/write-output.ts), a directory gives EISDIR after the kill. An input
 *   must be a regular file, as readRegularFile (src/io/read-regular.ts) requires.
 * - PATH_MAX (4096 with the NUL) and NAME_MAX (255 bytes), so ENAMETOOLONG is
 *   named here rather than after a kill; a file strays writes keeps 32 bytes
 *   of its name for the writer's temporary name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { kindOf } from '../io/read-regular.js';
import { messageOf } from '../text/error-message.js';
import { quoted } from '../text/untrusted.js';

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
/** Room the atomic writer adds to a file's name for its temporary file. */
const TEMP_SUFFIX = 32;

/** Pseudo-filesystems that are never a place for state or output. */
const REFUSED_ROOTS: readonly string[] = ['/proc', '/sys'];

const OUTPUT_FILE_EXPECTED = 'a regular file, or a new file in an existing writable directory';
const DIRECTORY_EXPECTED = 'a directory, or a new directory in an existing writable one';

/** One path being checked: the option, the path as given, and what was expected of it. */
interface Subject {
  readonly option: string;
  readonly file: string;
  readonly expected: string;
}

const fail = (s: Subject, problem: string): PathError => new PathError(s.option, s.file, problem, s.expected);

/** The errno code of a failed call, for messages: `EACCES`. */
const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? messageOf(error);

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
function checkShape(s: Subject, lastNameMax = NAME_MAX): string {
  if (s.file.trim() === '') throw fail(s, 'is empty');
  if (s.file.includes('\0')) throw fail(s, 'contains a NUL character');
  const absolute = path.resolve(s.file);
  if (Buffer.byteLength(absolute) > PATH_MAX) throw fail(s, `is longer than ${PATH_MAX} bytes`);
  if (absolute.split('/').some((name) => Buffer.byteLength(name) > NAME_MAX))
    throw fail(s, `has a name longer than ${NAME_MAX} bytes`);
  if (Buffer.byteLength(path.basename(absolute)) > lastNameMax)
    throw fail(s, `has a file name longer than ${lastNameMax} bytes`);
  refuseSpecialRoots(s, absolute);
  return absolute;
}

function refuseSpecialRoots(s: Subject, absolute: string): void {
  const root = REFUSED_ROOTS.find((r) => absolute === r || absolute.startsWith(`${r}/`));
  if (root !== undefined) throw fail(s, `is under ${root}`);
}

/**
 * The nearest ancestor of `absolute` that exists, resolved through symbolic
 * links (so `/dev/fd/x`, a link into /proc, is caught); it must be a directory.
 */
function existingAncestor(s: Subject, absolute: string): string {
  let dir = path.dirname(absolute);
  while (lstatOrUndefined(dir) === undefined && path.dirname(dir) !== dir) dir = path.dirname(dir);
  let real: string;
  let stat: fs.Stats;
  try {
    real = fs.realpathSync(dir);
    stat = fs.statSync(real);
  } catch (error) {
    throw fail(s, `cannot be reached (${codeOf(error)} at ${quoted(dir)})`);
  }
  if (!stat.isDirectory()) throw fail(s, `cannot be created: ${quoted(dir)} is ${kindOf(stat)}, not a directory`);
  refuseSpecialRoots(s, real);
  return real;
}

function requireWritable(s: Subject, target: string): void {
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fail(
      s,
      code === 'EROFS' ? 'is on a read-only file system' : `is not writable (${codeOf(error)} on ${quoted(target)})`,
    );
  }
}

/** Any other failure of a check (EACCES on a parent, ELOOP …) is still one sentence, never a stack trace. */
function guarded(s: Subject, check: () => string): string {
  try {
    return check();
  } catch (error) {
    if (error instanceof PathError) throw error;
    throw fail(s, `cannot be checked (${codeOf(error)})`);
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
  const s = { option, file, expected: OUTPUT_FILE_EXPECTED };
  return guarded(s, () => {
    if (file.endsWith('/')) throw fail(s, 'ends with "/", which names a directory');
    const absolute = checkShape(s, NAME_MAX - TEMP_SUFFIX);
    const stat = lstatOrUndefined(absolute);
    if (stat !== undefined) {
      if (!stat.isFile()) throw fail(s, `is ${kindOf(stat)}`);
      refuseSpecialRoots(s, fs.realpathSync(absolute));
      requireWritable(s, path.dirname(absolute));
      return absolute;
    }
    const parent = path.dirname(absolute);
    const ancestor = existingAncestor(s, absolute);
    if (!rules.createParents && lstatOrUndefined(parent) === undefined)
      throw fail(s, `cannot be created: directory ${quoted(parent)} does not exist`);
    requireWritable(s, ancestor);
    return absolute;
  });
}

/** A file strays will read (a baseline): it must exist and be a regular file. Returns the absolute path. */
export function validateInputFile(option: string, file: string): string {
  const s = { option, file, expected: 'an existing regular file' };
  return guarded(s, () => {
    const absolute = checkShape(s);
    const stat = lstatOrUndefined(absolute);
    if (stat === undefined) throw fail(s, 'does not exist');
    if (!stat.isFile()) throw fail(s, `is ${kindOf(stat)}`);
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
  const s = { option, file: dir, expected: DIRECTORY_EXPECTED };
  return guarded(s, () => {
    const absolute = checkShape(s);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fail(s, `cannot be reached (${codeOf(error)})`);
    }
    if (stat !== undefined) {
      if (!stat.isDirectory()) throw fail(s, `is ${kindOf(stat)}`);
      refuseSpecialRoots(s, fs.realpathSync(absolute));
      return absolute;
    }
    requireWritable(s, existingAncestor(s, path.join(absolute, 'x')));
    return absolute;
  });
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
      throw new PathError(option, dir, `cannot be created (${codeOf(error)} at ${quoted(step)})`, DIRECTORY_EXPECTED);
    }
  }
  return absolute;
}
