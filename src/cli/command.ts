/** The shape of one CLI command: the registry (commands/index.ts) is a list of these. */
import {
  HELP_OPTION,
  type OptionSpecs,
  type ParsedArgs,
  type Values,
  flag,
  optionLabel,
  parseCommandArgs,
} from './args.js';
import { UsageError } from './exit.js';
import type { Io } from './output.js';

export interface Command {
  readonly name: string;
  /** One line for `strays --help`. */
  readonly summary: string;
  /** `strays NAME --help`: the usage line, what the command does, and its options (help and parsing agree). */
  readonly synopsis: string;
  readonly description: string;
  readonly options: OptionSpecs;
  /** Runs the command; resolves with the exit status. Throws UsageError for bad input. */
  run(argv: readonly string[], io: Io): Promise<number>;
}

export function helpText(command: Command): string {
  const labels = Object.entries({ ...command.options, ...HELP_OPTION }).map(
    ([n, s]) => [`${s.short ? `-${s.short}, ` : '    '}${optionLabel(n, s)}`, s.help] as const,
  );
  const width = Math.max(...labels.map(([l]) => l.length));
  return [
    `Usage: ${command.synopsis}`,
    '',
    command.description,
    '',
    'Options:',
    ...labels.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`),
    '',
    `Exit statuses: see \`strays --help\`.`,
  ].join('\n');
}

/** Parses strictly and answers `--help`: undefined when help was printed (the command then exits 0). */
export function parseCommand(command: Command, argv: readonly string[], io: Io): ParsedArgs | undefined {
  const parsed = parseCommandArgs(command.name, argv, command.options);
  if (!flag(parsed.values, 'help')) return parsed;
  io.out(helpText(command));
  return undefined;
}

/** parseCommand for a command that takes only options: a stray argument is bad input. */
export function optionsOnly(command: Command, argv: readonly string[], io: Io): Values | undefined {
  const parsed = parseCommand(command, argv, io);
  if (parsed && (parsed.positionals.length > 0 || parsed.rest !== undefined)) {
    throw new UsageError(
      `strays ${command.name}: unexpected argument "${parsed.positionals[0] ?? '--'}"; ${command.name} takes only options.`,
      command.name,
    );
  }
  return parsed?.values;
}

/** A required option's value; without it, bad input saying what the value is for (`why`). */
export function required(command: Command, values: Values, name: string, why: string, who = command.name): string {
  const value = values[name];
  if (typeof value === 'string') return value;
  throw new UsageError(`strays ${who}: --${name} ${command.options[name]?.value} is required (${why}).`, command.name);
}
