/**
 * `strays run [options] -- CMD [ARGS…]`: a guarded job around one command,
 * which forwards stop signals to the command's group and leaves the job's end
 * to a finisher when it is stopped itself (README, `strays run`; finisher.ts).
 */
import { setTimeout } from 'node:timers/promises';
import { evacuate } from '../../cgroup/index.js';
import type { GuardOptions } from '../../config/options.js';
import { type Baseline, CLI_STEP_VAR, SESSION_VAR, saveBaseline } from '../../engine/index.js';
import { ownerForRun } from '../../host/index.js';
import { beginJob } from '../../job/begin.js';
import { withBegun } from '../../job/undo-begin.js';
import { GUARD_OPTIONS, stringValue } from '../args.js';
import { type ChildEnd, type GuardedChild, signalStatus, startGuarded } from '../child.js';
import { type Command, parseCommand } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { type Finisher, armFinisher } from '../finisher.js';
import { guardOptionsFrom, pathOption } from '../guard.js';
import { validateOutputFile } from '../../config/paths.js';
import { type ReportView, finishAndReport, reportViewFrom } from '../job.js';
import { redactArgv, redactText } from '../../report/index.js';
import type { Io } from '../output.js';
import { removeState, stateLocation } from '../run-state.js';
import { quoted, untrusted } from '../../text/untrusted.js';

/** Signals a CI system or a terminal uses to stop a job; each is forwarded to the command's process group. */
export const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** STRAYS_STEP names the step in reports; a step name, not a script, so it is capped. */
const stepName = (argv: readonly string[]): string => {
  const line = argv.join(' ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
};

export const run: Command = {
  name: 'run',
  summary: 'run a command as a guarded job; end whatever it leaves behind',
  synopsis: 'strays run [options] -- COMMAND [ARGS…]',
  description: [
    'Runs COMMAND in its own process group, marked with STRAYS_SESSION, forwarding SIGINT, SIGTERM and SIGHUP',
    'to the whole group. When it exits (or strays is told to stop), every process it left behind is reported',
    "and ended. Exits with the command's status; with --fail-on-leak, 3 when the command succeeded but leaked.",
  ].join('\n'),
  options: {
    state: {
      type: 'string',
      value: 'FILE',
      help: 'keep the baseline in FILE (for `strays ps --state FILE` from another shell)',
    },
    ...GUARD_OPTIONS,
  },
  async run(argv, io) {
    if (!argv.includes('--')) refuseCommandWithoutTerminator(argv);
    const parsed = parseCommand(run, argv, io);
    if (parsed === undefined) return EXIT.ok;
    const { values, positionals, rest } = parsed;
    if (positionals.length > 0) throw commandBeforeTerminator(positionals);
    if (rest === undefined || rest.length === 0) {
      throw new UsageError(
        'strays run: no command given: expected "--" followed by the command, as in: strays run [options] -- ./build.sh',
        'run',
      );
    }
    const options = guardOptionsFrom('run', values);
    const view = reportViewFrom('run', values);
    const quiet = view.quiet;
    const keptState = stringValue(values, 'state');
    if (keptState !== undefined) pathOption('run', () => validateOutputFile('--state', keptState));
    // strays owns the job (its exit ends it) and steps into the job cgroup just long enough
    // to fork the command there: the command and all it starts stay in, strays steps out.
    const { baseline, notes } = await beginJob({
      isolation: options.isolation,
      owner: (table) => ownerForRun(table),
      cgroupPid: process.pid,
    });
    // With --isolation given, say at once how the job is isolated; under auto the facts (cgroups not usable,
    // `sudo -n` wants a password …) would repeat on every run: they go in the report's notes instead.
    if (!quiet && stringValue(values, 'isolation') !== undefined) for (const note of notes) io.err(`strays: ${note}`);
    // Until the job's end is handed to finishJob or the finisher, a failure (126/127, the state cannot be saved) is undone.
    return withBegun(
      baseline,
      async ({ handOver }) => {
        const state = stateLocation(keptState);
        try {
          // The finisher reads the baseline from here.
          saveBaseline(state.file, baseline);
          return await guard(
            {
              argv,
              command: rest,
              stateFile: state.file,
              removeState: state.own,
              baseline,
              notes,
              options,
              view,
              handOver,
            },
            io,
          );
        } finally {
          if (state.own) removeState(state.file);
        }
      },
      (note) => io.err(`strays: ${note}`),
    );
  },
};

interface GuardedRun {
  readonly argv: readonly string[];
  readonly command: readonly string[];
  readonly stateFile: string;
  /** The state file is run's own (no --state): the finisher removes it after its check. */
  readonly removeState: boolean;
  readonly baseline: Baseline;
  readonly notes: readonly string[];
  readonly options: GuardOptions;
  readonly view: ReportView;
  /** From withBegun: the job's end now belongs to finishJob or the finisher, so the start is not undone. */
  readonly handOver: () => void;
}

/** How the guarded command's run ended: by itself (ChildEnd), or strays was told to stop first. */
type Outcome = ChildEnd | { readonly kind: 'stopped'; readonly signal: NodeJS.Signals };

/**
 * After the finisher has ended the job, the command's leader is normally gone too; one that could not be
 * ended (D state, EPERM) must not keep strays waiting forever, and `su` kills strays 2 s after its SIGTERM anyway.
 */
const LEADER_WAIT_MS = 2000;

async function guard(job: GuardedRun, io: Io): Promise<number> {
  const [command, ...args] = job.command as [string, ...string[]];
  const env = { ...process.env, [SESSION_VAR]: job.baseline.session, [CLI_STEP_VAR]: stepName(job.command) };
  let child: GuardedChild | undefined;
  let early: NodeJS.Signals | undefined;
  let stop: (outcome: Outcome) => void = () => undefined;
  const stopRequested = new Promise<Outcome>((resolve) => (stop = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (child === undefined) {
      early ??= signal;
      return;
    }
    child.signalGroup(signal);
    // A signal after the command is gone (its pid may be reused) is not forwarded; finishJob ends what it left.
    if (child.running()) stop({ kind: 'stopped', signal });
  };
  // Handlers first: a SIGTERM that reached strays between the command's start and the
  // handlers would end strays by default (signal(7)) and leave the command's tree running.
  for (const s of FORWARDED) process.on(s, onSignal);
  let finisher: Finisher | undefined;
  try {
    // Armed before the command starts, so a SIGKILL of strays at any moment still leaves someone to end
    // the job. It shares the job cgroup with the command; as the checker it is never a finding, and its
    // check moves itself out of the cgroup before freezing it (src/job/cgroup-phase.ts).
    const armed = armFinisher(finisherArgs(job), (message) => io.err(`strays: ${message}`));
    finisher = armed;
    const started = startGuarded(command, args, env);
    child = started;
    if (job.baseline.cgroup) await evacuate(job.baseline.cgroup, [process.pid]);
    if (early !== undefined) onSignal(early);
    const outcome: Outcome = await Promise.race([started.ended, stopRequested]);
    if (outcome.kind === 'not-started') {
      io.err(`strays run: ${outcome.description}`);
      return outcome.status;
    }
    if (outcome.kind === 'stopped') {
      io.err(`strays: ${outcome.signal} received: forwarded to the command's process group; finishing the job.`);
      job.handOver(); // the finisher runs the job's end
      const finished = await armed.finish();
      const stillRunning: ChildEnd = {
        kind: 'exited',
        status: signalStatus(outcome.signal),
        description: `still running after ${outcome.signal} and the finisher (see the report)`,
      };
      const end = await Promise.race([started.ended, setTimeout(LEADER_WAIT_MS, stillRunning, { ref: false })]);
      return combine(end.status, finished);
    }
    // The command exited: the job ends here, in strays; finishJob's termination (grace, then SIGKILL) ends what it left.
    await armed.disarm();
    if (!job.view.quiet || outcome.status !== 0)
      io.err(
        `strays: ${untrusted(job.view.showSecrets ? stepName(job.command) : redactText(redactArgv(job.command).join(' ')))}: ${outcome.description}`,
      );
    job.handOver(); // finishJob closes the cgroup and drops the record
    const finished = await finishAndReport(io, job.baseline, job.options, job.view, job.notes);
    return combine(outcome.status, finished);
  } finally {
    for (const s of FORWARDED) process.off(s, onSignal);
    await finisher?.disarm();
  }
}

/** `check --state FILE` with run's own options (a different --state is dropped), after Node.js's own arguments. */
function finisherArgs(job: GuardedRun): string[] {
  const before = job.argv.indexOf('--');
  const options = (before < 0 ? job.argv : job.argv.slice(0, before)).filter(
    (a, i, all) => a !== '--state' && all[i - 1] !== '--state' && !a.startsWith('--state='),
  );
  const self = process.argv[1] as string;
  return [
    ...process.execArgv,
    self,
    'check',
    '--state',
    job.stateFile,
    ...(job.removeState ? ['--remove-state'] : []),
    ...options,
  ];
}

/**
 * Without `--`, the command's own options (`sh -c …`) would be read as
 * strays's: name the real mistake rather than "unknown option -c".
 */
function refuseCommandWithoutTerminator(argv: readonly string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!token.startsWith('-')) throw commandBeforeTerminator(argv.slice(i));
    const spec = run.options[token.replace(/^-+/, '')];
    if (spec?.type === 'string' && !token.includes('=')) i++; // skip the option's value
  }
}

const commandBeforeTerminator = (words: readonly string[]): UsageError =>
  new UsageError(
    `strays run: ${quoted(words[0] as string)} before "--": put the command after "--", as in: strays run [options] -- ${untrusted(words.join(' '))}`,
    'run',
  );

/** Precedence (README, Exit statuses): a failing command's own status always wins; else the job's end decides. */
const combine = (commandStatus: number, finishStatus: number): number =>
  commandStatus !== EXIT.ok ? commandStatus : finishStatus;
