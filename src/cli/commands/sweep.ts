/**
 * `strays sweep`: for self-hosted hosts, end what earlier jobs left running
 * when their cleanup never ran (runner crash, reboot, job killed hard).
 * Only processes carrying the marker of a recorded job whose owner is gone;
 * see src/host/plan.ts for what is never touched.
 */
import { DEFAULTS, SWEEP_OLDER_THAN } from '../../config/defaults.js';
import { MAX_GRACE_MS } from '../../config/options.js';
import { DURATION_FORMS, parseDuration } from '../../config/duration.js';
import { renderSweep, requireDirectory, sweep, unended, writeSweepJson, writeSweepMetrics } from '../../host/index.js';
import pkg from '../../../package.json' with { type: 'json' };
import { flag, stringValue } from '../args.js';
import { type Command, optionsOnly } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { asUsage, pathOption } from '../guard.js';
import { validateDirectory, validateOutputFile } from '../../config/paths.js';
import { messageOf } from '../../text/error-message.js';

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'end what earlier jobs on this host left running when their cleanup never ran',
  synopsis: 'strays sweep [--older-than DURATION] [--dry-run] [options]',
  description:
    'Ends processes that carry the marker of a recorded job whose owner (runner worker, strays run …) is gone.\n' +
    'Never touches a job whose owner is alive, a process without a marker, or (without --unrecorded) a marker no record names.\n' +
    'Exit status 1 when a process could not be ended (survived SIGKILL, not permitted) or a file could not be written.',
  options: {
    'older-than': {
      type: 'string',
      value: 'DURATION',
      help: `only processes at least this old (default ${SWEEP_OLDER_THAN}; ${DURATION_FORMS})`,
    },
    'dry-run': { type: 'boolean', help: 'report what would be ended, signal nothing, remove no record' },
    grace: { type: 'string', value: 'DURATION', help: `time between SIGTERM and SIGKILL (default ${DEFAULTS.grace})` },
    json: { type: 'string', value: 'FILE', help: 'also write the sweep as JSON' },
    metrics: {
      type: 'string',
      value: 'FILE',
      help: "write Prometheus text format for node_exporter's textfile collector (atomically)",
    },
    unrecorded: {
      type: 'boolean',
      help: 'also end marked processes no job record names (needs an explicit --older-than; see the docs for the risk)',
    },
    'state-dir': {
      type: 'string',
      value: 'DIR',
      help: 'job records directory (default $STRAYS_STATE_DIR, /var/lib/strays as root, else $XDG_STATE_HOME/strays)',
    },
    quiet: { type: 'boolean', short: 'q', help: 'print only what was ended and problems' },
  },
  async run(argv, io) {
    const values = optionsOnly(sweepCommand, argv, io);
    if (values === undefined) return EXIT.ok;
    const olderThanGiven = stringValue(values, 'older-than');
    const unrecorded = flag(values, 'unrecorded');
    if (unrecorded && olderThanGiven === undefined) {
      throw new UsageError(
        'strays sweep: --unrecorded needs an explicit --older-than DURATION (e.g. --older-than 24h): an unrecorded marker may belong to a job that is still running.',
        'sweep',
      );
    }
    const metricsFile = stringValue(values, 'metrics');
    if (metricsFile !== undefined) {
      // Before anything is signalled: a typo in the unit must fail loudly, never create directories.
      try {
        requireDirectory(metricsFile);
      } catch (error) {
        throw new UsageError(`strays sweep: --metrics ${metricsFile}: ${messageOf(error)}`, 'sweep');
      }
    }
    const quiet = flag(values, 'quiet');
    const stateDir = stringValue(values, 'state-dir');
    if (stateDir !== undefined) pathOption('sweep', () => validateDirectory('--state-dir', stateDir));
    for (const option of ['json', 'metrics']) {
      const file = stringValue(values, option);
      // --json's writer makes missing folders (createParents): only an existing ancestor must be a directory.
      if (file !== undefined)
        pathOption('sweep', () => validateOutputFile(`--${option}`, file, { createParents: true }));
    }
    const result = await sweep({
      olderThanMs: asUsage('sweep', () => parseDuration(olderThanGiven ?? SWEEP_OLDER_THAN, '--older-than')),
      graceMs: asUsage('sweep', () =>
        parseDuration(stringValue(values, 'grace') ?? DEFAULTS.grace, '--grace', MAX_GRACE_MS),
      ),
      dryRun: flag(values, 'dry-run'),
      unrecorded,
      stateDir,
    });
    const text = renderSweep(result, quiet);
    if (text !== '') io.out(text.trimEnd());
    let status: number = unended(result).length > 0 ? EXIT.failure : EXIT.ok;
    const writeMetrics = (file: string, r: typeof result): void => writeSweepMetrics(file, r, pkg.version);
    for (const [option, write] of [
      ['json', writeSweepJson],
      ['metrics', writeMetrics],
    ] as const) {
      const file = stringValue(values, option);
      if (file === undefined) continue;
      try {
        write(file, result);
      } catch (error) {
        io.err(`strays sweep: cannot write --${option} ${file}: ${messageOf(error)}`);
        status = EXIT.failure;
      }
    }
    return status;
  },
};
