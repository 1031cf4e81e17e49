/**
 * `strays run [options] -- CMD [ARGS…]`: a guarded job around one command.
 *
 * The GitLab shell-adapter problem (seeds/002): `su` passes SIGTERM, then
 * SIGKILL, to its direct child only, and the job's tree is orphaned. Under
 * `strays run` the direct child is strays: it forwards the signal to the
 * command's whole process group at once, then hands the end of the job to a
 * finisher (`strays check`) in its own session, which `su`'s SIGKILL of
 * strays cannot reach, so the grace period and the SIGKILL still happen.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evacuate } from '../../cgroup/index.js';
import { CLI_STEP_VAR, SESSION_VAR, saveBaseline } from '../../engine/index.js';
import { ownerForRun } from '../../host/index.js';
import { beginJob } from '../../job/begin.js';
import { withBegun } from '../../job/undo-begin.js';
import { GUARD_OPTIONS, type OptionSpecs, flag, parseCommandArgs, stringValue, usageText } from '../args.js';
import { type ChildEnd, type GuardedChild, signalStatus, startGuarded } from '../child.js';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { checkWritableDir, guardOptionsFrom } from '../guard.js';
import { finishAndReport, reportViewFrom } from '../job.js';
import { redactArgv, redactText } from '../../report/redact.js';
import type { Io } from '../output.js';
import { quoted, untrusted } from '../../text/untrusted.js';

const OPTIONS: OptionSpecs = {
  state: { type: 'string', value: 'FILE', help: 'keep the baseline in FILE (for `strays ps --state FILE` from another shell)' },
  ...GUARD_OPTIONS,
};

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
  help: () =>
    usageText(
      'run',
      'strays run [options] -- COMMAND [ARGS…]',
      [
        'Runs COMMAND in its own process group, marked with STRAYS_SESSION, forwarding SIGINT, SIGTERM and SIGHUP',
        'to the whole group. When it exits (or strays is told to stop), every process it left behind is reported',
        'and ended. Exits with the command\'s status; with --fail-on-leak, 3 when the command succeeded but leaked.',
      ].join('\n'),
      OPTIONS,
    ),
  async run(argv, io) {
    if (!argv.includes('--')) refuseCommandWithoutTerminator(argv);
    const { values, positionals, rest } = parseCommandArgs('run', argv, OPTIONS);
    if (flag(values, 'help')) {
      io.out(run.help());
      return EXIT.ok;
    }
    if (positionals.length > 0) {
      throw new UsageError(`strays run: ${quoted(positionals[0] as string)} before "--": put the command after "--", as in: strays run [options] -- ${untrusted(positionals.join(' '))}`, 'run');
    }
    if (rest === undefined || rest.length === 0) {
      throw new UsageError('strays run: no command given: expected "--" followed by the command, as in: strays run [options] -- ./build.sh', 'run');
    }
    const options = guardOptionsFrom('run', values);
    const view = reportViewFrom('run', values);
    const quiet = view.quiet;
    const keptState = stringValue(values, 'state');
    if (keptState !== undefined) checkWritableDir('run', '--state', keptState);
    // strays owns the job (its exit ends it) and steps into the job cgroup just long enough
    // to fork the command there: the command and all it starts stay in, strays steps out.
    const { baseline, notes } = await beginJob({ isolation: options.isolation, owner: (table) => ownerForRun(table), cgroupPid: process.pid });
    // With --isolation given, say at once how the job is isolated; under auto the facts (cgroups not usable,
    // `sudo -n` wants a password …) would repeat on every run: they go in the report's notes instead.
    if (!quiet && stringValue(values, 'isolation') !== undefined) for (const note of notes) io.err(`strays: ${note}`);
    // Until the job's end is handed to finishJob or the finisher, a failure (the command cannot be
    // executed: 126/127; the state cannot be saved) undoes the start: no cgroup, no record left behind.
    return withBegun(
      baseline,
      async ({ handOver }) => {
        const tempDir = keptState === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'strays-run-')) : undefined;
        const stateFile = keptState ?? path.join(tempDir as string, 'baseline.json');
        const cleanup = (): void => {
          if (tempDir !== undefined) fs.rmSync(tempDir, { recursive: true, force: true });
        };
        // The finisher (signal path) reads the baseline from here.
        try {
          saveBaseline(stateFile, baseline);
        } catch (error) {
          cleanup();
          throw error;
        }

        const [command, ...args] = rest as [string, ...string[]];
        const env = { ...process.env, [SESSION_VAR]: baseline.session, [CLI_STEP_VAR]: stepName(rest) };
        let child: GuardedChild | undefined;
        let early: NodeJS.Signals | undefined;
        let finisher: Promise<number> | undefined;
        let stopped: (signal: NodeJS.Signals) => void = () => undefined;
        const stopRequested = new Promise<NodeJS.Signals>((resolve) => (stopped = resolve));
        const onSignal = (signal: NodeJS.Signals): void => {
          if (child === undefined) {
            early ??= signal;
            return;
          }
          child.signalGroup(signal);
          if (finisher === undefined && child.running()) {
            handOver(); // the finisher runs the job's end
            finisher = startFinisher(argv, stateFile, tempDir !== undefined, signal, io);
            stopped(signal);
          }
        };
        // Handlers first: a SIGTERM that reached strays between the command's start and the
        // handlers would end strays by default (signal(7)) and leave the command's tree running.
        for (const s of FORWARDED) process.on(s, onSignal);
        child = startGuarded(command, args, env);
        if (baseline.cgroup) evacuate(baseline.cgroup, [process.pid]);
        if (early !== undefined) onSignal(early);

        // Either the command ends by itself, or strays is told to stop first.
        let end: ChildEnd | NodeJS.Signals = await Promise.race([child.ended, stopRequested]);
        if (end !== undefined && typeof end === 'object' && end.kind === 'not-started') {
          for (const s of FORWARDED) process.off(s, onSignal);
          cleanup();
          io.err(`strays run: ${end.description}`);
          return end.status;
        }
        let finished: number;
        if (typeof end === 'string') {
          const signal = end;
          finished = await (finisher as Promise<number>);
          // The finisher ended the leader too, unless it could not (D state, EPERM): then do not wait forever.
          end = await Promise.race([child.ended, sleepThen(2000, { kind: 'exited', status: signalStatus(signal), description: `still running after ${signal} and the finisher (see the report)` } as const)]);
        } else {
          // A signal now (the command is gone, its pid may be reused) is not forwarded; and
          // finishJob's termination (grace, then SIGKILL) ends what the command left.
          finisher = Promise.resolve(EXIT.ok);
          if (!quiet || end.status !== 0) io.err(`strays: ${untrusted(view.showSecrets ? stepName(rest) : redactText(redactArgv(rest).join(' ')))}: ${end.description}`);
          handOver(); // finishJob closes the cgroup and drops the record
          finished = (await finishAndReport(io, baseline, options, view, notes)).status;
        }
        for (const s of FORWARDED) process.off(s, onSignal);
        cleanup();
        return combine(end.status, finished);
      },
      (note) => io.err(`strays: ${note}`),
    );
  },
};

const sleepThen = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());

/**
 * Without `--`, the command's own options (`sh -c …`) would be read as
 * strays's: name the real mistake rather than "unknown option -c".
 */
function refuseCommandWithoutTerminator(argv: readonly string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!token.startsWith('-')) {
      throw new UsageError(`strays run: ${quoted(token)} before "--": put the command after "--", as in: strays run [options] -- ${untrusted(argv.slice(i).join(' '))}`, 'run');
    }
    const spec = OPTIONS[token.replace(/^-+/, '')];
    if (spec?.type === 'string' && !token.includes('=')) i++; // skip the option's value
  }
}

/**
 * Precedence: a failing command's own status always wins (the job failed
 * anyway and the report says what leaked); a leak under --fail-on-leak turns
 * only a successful run into 3; strays's own failure (1) turns only a
 * successful run into 1.
 */
export function combine(commandStatus: number, finishStatus: number): number {
  if (commandStatus !== EXIT.ok) return commandStatus;
  return finishStatus;
}

/**
 * Re-runs this strays as `check --state FILE` in a new session (setsid): if
 * whoever told strays to stop kills it next, as `su` does after 2 s, the
 * finisher is not its child to kill, and still ends the tree. Resolves with
 * the finisher's status.
 */
function startFinisher(argv: readonly string[], stateFile: string, removeState: boolean, signal: NodeJS.Signals, io: Io): Promise<number> {
  const before = argv.indexOf('--');
  const options = (before < 0 ? argv : argv.slice(0, before)).filter((a, i, all) => a !== '--state' && all[i - 1] !== '--state' && !a.startsWith('--state='));
  const self = process.argv[1] as string;
  const checkArgs = [...process.execArgv, self, 'check', '--state', stateFile, ...(removeState ? ['--remove-state'] : []), ...options];
  io.err(`strays: ${signal} received: forwarded to the command's process group; finishing the job.`);
  return new Promise((resolve) => {
    const finisher = spawn(process.execPath, checkArgs, { detached: true, stdio: 'inherit', env: process.env });
    finisher.once('error', (error) => {
      io.err(`strays: cannot start the finisher: ${error.message}`);
      resolve(EXIT.failure);
    });
    finisher.once('exit', (code, sig) => resolve(sig ? signalStatus(sig) : (code ?? EXIT.failure)));
  });
}
