/** The shape of one CLI command: the registry (commands/index.ts) is a list of these. */
import { type OptionSpecs, type Values, flag, parseCommandArgs } from './args.js';
import { UsageError } from './exit.js';
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

/**
 * The start of every command that takes only options: parse strictly, answer
 * `--help`, refuse stray arguments. Resolves to the values, or to `undefined`
 * when help was printed (the command then exits 0).
 */
export function optionsOnly(command: Command, argv: readonly string[], specs: OptionSpecs, io: Io): Values | undefined {
  const { values, positionals, rest } = parseCommandArgs(command.name, argv, specs);
  if (flag(values, 'help')) {
    io.out(command.help());
    return undefined;
  }
  if (positionals.length > 0 || rest !== undefined) {
    throw new UsageError(
      `strays ${command.name}: unexpected argument "${positionals[0] ?? '--'}"; ${command.name} takes only options.`,
      command.name,
    );
  }
  return values;
}
