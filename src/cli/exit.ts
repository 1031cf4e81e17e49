import { quoted } from '../text/untrusted.js';

/**
 * Exit statuses of the CLI. `strays run` passes the command's own status
 * through; these are the statuses strays adds. Documented in the README (Exit statuses).
 */
export const EXIT = {
  ok: 0,
  /** strays itself failed after starting work (cannot read /proc, cannot write --json …). */
  failure: 1,
  /** Bad input: unknown option, missing command, bad value, unusable state file. Nothing was signalled. */
  usage: 2,
  /** Something leaked and --fail-on-leak was given (for `run`: only when the command itself succeeded). */
  leaked: 3,
  /** The command exists but cannot be executed (EACCES …), as in a POSIX shell. */
  cannotExecute: 126,
  /** The command was not found (ENOENT), as in a POSIX shell. */
  notFound: 127,
} as const;

/** Bad input: the message names what is wrong and the accepted forms; the CLI exits with EXIT.usage. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage to point at (`strays run --help`). */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `strays start: invalid --ci "x": expected one of …`: a value the option does not accept. */
export const invalidValue = (command: string, option: string, value: string, expected: string): UsageError =>
  new UsageError(`strays ${command}: invalid ${option} ${quoted(value)}: expected ${expected}.`, command);
