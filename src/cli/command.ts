/** The shape of one CLI command: the registry (commands/index.ts) is a list of these. */
import type { Io } from './output.js';

export interface Command {
  readonly name: string;
  /** One line for `strays --help`. */
  readonly summary: string;
  /** Full help for `strays NAME --help`. */
  help(): string;
  /** Runs the command; resolves with the exit status. Throws UsageError for bad input. */
  run(argv: readonly string[], io: Io): Promise<number>;
}
