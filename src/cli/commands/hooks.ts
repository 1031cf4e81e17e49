/**
 * `strays hooks github --out DIR`: writes the two GitHub self-hosted runner
 * job hooks and prints the lines for the runner's .env.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringValue } from '../args.js';
import { type Command, parseCommand, required } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { pathOption } from '../guard.js';
import { makeDirectory, validateDirectory, validateOutputFile } from '../../config/paths.js';
import { quoted } from '../../text/untrusted.js';
import { HOOK_ENV_VARS, HOOK_KINDS, hookScript } from '../github-hooks.js';

/** The scripts are run by bash and STRAYS_BIN is word-split: only plain path characters are safe. */
const PLAIN = /^[A-Za-z0-9_./+:@=-]+( [A-Za-z0-9_./+:@=-]+)*$/;

export const hooks: Command = {
  name: 'hooks',
  summary: 'write job hooks for a CI system (`strays hooks github --out DIR`)',
  synopsis: 'strays hooks github --out DIR [--bin CMD]',
  description:
    "Writes job-started.sh and job-completed.sh for a GitHub self-hosted runner and prints the two\nlines to add to the runner's .env (then restart the runner).",
  options: {
    out: {
      type: 'string',
      value: 'DIR',
      help: 'directory to write job-started.sh and job-completed.sh into (required)',
    },
    bin: { type: 'string', value: 'CMD', help: 'how the hooks run strays (default: this strays, as "NODE SCRIPT")' },
  },
  async run(argv, io) {
    const parsed = parseCommand(hooks, argv, io);
    if (parsed === undefined) return EXIT.ok;
    const { values, positionals, rest } = parsed;
    if (positionals.length !== 1 || positionals[0] !== 'github' || rest !== undefined) {
      throw new UsageError(
        `strays hooks: expected the CI system: github (got ${positionals.length === 0 ? 'nothing' : quoted(positionals.join(' '))}).`,
        'hooks',
      );
    }
    const out = required(hooks, values, 'out', 'where to write the hook scripts', 'hooks github');
    pathOption('hooks', () => validateDirectory('--out', out));
    const bin = stringValue(values, 'bin') ?? `${process.execPath} ${path.resolve(process.argv[1] as string)}`;
    if (!PLAIN.test(bin)) {
      throw new UsageError(
        `strays hooks github: --bin ${quoted(bin)} has characters the hook cannot word-split safely; expected plain paths such as --bin "/usr/bin/node /opt/strays/dist/cli/index.js".`,
        'hooks',
      );
    }
    // Each script replaces a regular file or is new: never written through a symbolic link or into a device.
    const files = HOOK_KINDS.map(
      (kind) =>
        [
          kind,
          pathOption('hooks', () =>
            validateOutputFile('--out', path.join(path.resolve(out), `${kind}.sh`), { createParents: true }),
          ),
        ] as const,
    );
    const dir = pathOption('hooks', () => makeDirectory('--out', out));
    const lines: string[] = [];
    for (const [kind, file] of files) {
      fs.writeFileSync(file, hookScript(kind, bin), { mode: 0o755 });
      fs.chmodSync(file, 0o755);
      lines.push(`${HOOK_ENV_VARS[kind]}=${file}`);
    }
    io.err(
      `strays: wrote ${lines.length} hooks to ${dir}. Add these lines to the runner's .env and restart the runner:`,
    );
    io.out(lines.join('\n'));
    return EXIT.ok;
  },
};
