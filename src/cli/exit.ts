/**
 * Exit statuses of the CLI, as the README lists them (Exit statuses): `strays
 * run` passes the command's own status through; these are the ones strays adds.
 */
import { quoted } from '../text/untrusted.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, leaked: 3, cannotExecute: 126, notFound: 127 } as const;

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
