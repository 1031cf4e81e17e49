/**
 * `strays start --state FILE [--owner PID]`: the start of a job in a shell
 * or a runner hook. Saves the baseline and prints the one line a shell evals
 * to mark every later process: `eval "$(strays start --state f)"`.
 */
import { SESSION_VAR, TRACKING_VAR, saveBaseline } from '../../engine/index.js';
import { ownerForStart } from '../../host/index.js';
import { beginJob } from '../../job/begin.js';
import { GUARD_OPTIONS, type OptionSpecs, flag, stringValue, usageText } from '../args.js';
import { type Command, optionsOnly } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { checkWritableDir, guardOptionsFrom } from '../guard.js';

const OPTIONS: OptionSpecs = {
  state: { type: 'string', value: 'FILE', help: 'where to save the baseline (required; pass the same FILE to check)' },
  owner: { type: 'string', value: 'PID', help: 'the process whose exit ends the job (e.g. the runner worker), for `strays sweep`' },
  ...GUARD_OPTIONS,
};

/** Single-quotes a value for sh: the printed line is eval'd. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export const start: Command = {
  name: 'start',
  summary: 'snapshot the process table and print the marker to export (`eval "$(strays start --state FILE)"`)',
  help: () =>
    usageText(
      'start',
      'eval "$(strays start --state FILE [--owner PID])"',
      `Saves the baseline (every process alive now) to FILE and prints \`export ${SESSION_VAR}=…\`.\nEvery process started with that variable, and everything they start, belongs to the job.\n${TRACKING_VAR} (GitHub runner's per-job mark), when set, marks the job too.`,
      OPTIONS,
    ),
  async run(argv, io) {
    const values = optionsOnly(start, argv, OPTIONS, io);
    if (values === undefined) return EXIT.ok;
    const file = stringValue(values, 'state');
    if (file === undefined) throw new UsageError('strays start: --state FILE is required (where to save the baseline for `strays check`).', 'start');
    checkWritableDir('start', '--state', file);
    const options = guardOptionsFrom('start', values);
    const ownerPid = ownerPidOf(stringValue(values, 'owner'));
    const quiet = flag(values, 'quiet');
    // The owner (default: the nearest Runner.Worker, else the shell running strays start) is
    // also the process moved into the job cgroup: every step it starts from now on is the job's.
    let ownerError: Error | undefined;
    const { baseline, notes } = await beginJob({
      isolation: options.isolation,
      owner: async (table) => {
        try {
          return await ownerForStart(ownerPid, table);
        } catch (error) {
          ownerError = error as Error;
          return undefined;
        }
      },
      cgroupPid: 'owner',
    });
    if (ownerError) throw new UsageError(`strays start: --owner ${ownerPid}: no such process.`, 'start');
    saveBaseline(file, baseline);
    io.out(`export ${SESSION_VAR}=${shellQuote(baseline.session)}`);
    if (!quiet) {
      for (const note of notes) io.err(`strays: ${note}`);
      const tracking = baseline.runnerTrackingId ? `; ${TRACKING_VAR}=${baseline.runnerTrackingId} marks it too` : '';
      io.err(`strays: job ${baseline.session} started (${baseline.processes.length} processes in the baseline${tracking}); state in ${file}.`);
    }
    return EXIT.ok;
  },
};

function ownerPidOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const pid = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new UsageError(`strays start: invalid --owner "${value}": expected a process id (a positive integer), e.g. --owner "$PPID".`, 'start');
  return pid;
}
