/**
 * The CLI without process.exit: argv in, exit status out (index.ts exits).
 */
import { helpText } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, UsageError } from './exit.js';
import { type Io, processIo } from './output.js';
import { quoted } from '../text/untrusted.js';

/** The version of package.json; the bundler inlines the file into the bundle. */
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: strays COMMAND [options]',
    '',
    'Guard a CI job against leaked processes: find what it left running, report it, end it.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `strays help COMMAND` (or `strays COMMAND --help`) for its options. `strays --version` (-v) prints the version.',
    'Colour: --color auto|always|never; auto honours NO_COLOR and FORCE_COLOR.',
    '',
    'Exit statuses: 0 ok; 1 strays failed; 2 bad input (nothing was signalled);',
    "3 something leaked and --fail-on-leak was given; `run` passes the command's own status",
    'through (126 cannot execute, 127 not found, 128+N killed by signal N).',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === 'help' && rest.length > 0) {
      const named = COMMANDS.find((c) => c.name === rest[0]);
      if (!named)
        throw new UsageError(
          `strays help: unknown command ${quoted(rest[0] as string)}. Commands: ${COMMANDS.map((c) => c.name).join(', ')}.`,
        );
      io.out(helpText(named));
      return EXIT.ok;
    }
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      (first === undefined ? io.err : io.out)(mainHelp());
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (first === '--version' || first === '-v' || first === '-V' || first === 'version') {
      io.out(VERSION);
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === first);
    if (!command) {
      throw new UsageError(
        `strays: unknown command ${quoted(first)}. Commands: ${COMMANDS.map((c) => c.name).join(', ')}; or help, --help, --version.`,
      );
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      io.err(
        error.command
          ? `Run \`strays ${error.command} --help\` for the accepted options.`
          : 'Run `strays --help` for usage.',
      );
      return EXIT.usage;
    }
    io.err(`strays: ${(error as Error).stack ?? String(error)}`);
    return EXIT.failure;
  }
}
