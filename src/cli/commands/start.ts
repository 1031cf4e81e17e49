/**
 * `strays start`: the start of a job in a shell or a CI hook (README, `strays
 * start` / `strays check`). Everything fails with status 2 and a sentence, so
 * `set -e` (every CI shell) stops the hook: no `eval "$(…)"` that hides it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BASELINE_DIGEST_VAR, CLI_STEP_VAR, SESSION_VAR, TRACKING_VAR, saveBaseline } from '../../engine/index.js';
import {
  CI_PROFILES,
  CI_SYSTEMS,
  ciStepName,
  type CiSystem,
  isCiSystem,
  type Keeper,
  OwnerError,
  ownerForStart,
  ownerOf,
  spawnKeeper,
} from '../../host/index.js';
import { beginJob } from '../../job/begin.js';
import { withBegun } from '../../job/undo-begin.js';
import { stillRunning } from '../../proc/index.js';
import { PathError, makeDirectory, validateOutputFile } from '../../config/paths.js';
import { messageOf } from '../../text/error-message.js';
import { quoted } from '../../text/untrusted.js';
import { GUARD_OPTIONS, flag, stringValue } from '../args.js';
import { type Command, optionsOnly, required } from '../command.js';
import { EXIT, UsageError, invalidValue } from '../exit.js';
import { guardOptionsFrom, pathOption } from '../guard.js';

/** Single-quotes a value for sh: the printed lines are sourced or eval'd. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export const start: Command = {
  name: 'start',
  summary: 'snapshot the process table and hand on the job marker (`strays start --state FILE --export-to FILE`)',
  synopsis: 'strays start --state FILE [--ci SYSTEM | --owner PID] [--export-to FILE]',
  description:
    `Saves the baseline (every process alive now) to FILE and prints \`export ${SESSION_VAR}=…\`, or appends it to --export-to.\n` +
    `Every process started with that variable, and everything they start, belongs to the job.\n${TRACKING_VAR} (GitHub runner's per-job mark), when set, marks the job too.\n` +
    'Fails (status 2, one sentence) when the state directory cannot be created or the owner is not a live ancestor.',
  options: {
    state: {
      type: 'string',
      value: 'FILE',
      help: 'where to save the baseline (required; pass the same FILE to check); its directory is created',
    },
    ci: {
      type: 'string',
      value: 'SYSTEM',
      help: `${CI_SYSTEMS.join(', ')}: the owner is that system's per-job process; names the job in reports`,
    },
    owner: {
      type: 'string',
      value: 'PID',
      help: 'the process whose exit ends the job, for `strays sweep`: an ancestor of strays start, not PID 1',
    },
    // Not --env-file: node (20.6+) reads any argv entry starting with --env-file as its own option,
    // even after the script name, and exits 9 (nodejs/node#54232, #54255).
    'export-to': {
      type: 'string',
      value: 'FILE',
      help: 'append the `export` lines to FILE (e.g. "$BASH_ENV") instead of printing them',
    },
    'print-session': {
      type: 'boolean',
      help: 'print only the session (Jenkins: env.STRAYS_SESSION = sh(script: …, returnStdout: true).trim())',
    },
    // Only what start uses: the rest (--grace, --allow, --json …) belongs to `strays check`.
    isolation: GUARD_OPTIONS.isolation,
    quiet: { ...GUARD_OPTIONS.quiet, help: 'print only the export line' },
  },
  async run(argv, io) {
    const values = optionsOnly(start, argv, io);
    if (values === undefined) return EXIT.ok;
    const file = required(start, values, 'state', 'where to save the baseline for `strays check`');
    const ci = ciOf(stringValue(values, 'ci'));
    const ownerPid = ownerPidOf(stringValue(values, 'owner'));
    if (ci !== undefined && ownerPid !== undefined)
      throw new UsageError(
        'strays start: give --ci SYSTEM or --owner PID, not both (--ci chooses the owner).',
        'start',
      );
    const envFile = stringValue(values, 'export-to');
    ensureStateDir(file);
    if (envFile !== undefined) pathOption('start', () => validateOutputFile('--export-to', envFile));
    const options = guardOptionsFrom('start', values);
    const quiet = flag(values, 'quiet');
    // Where no process outlives a step (Jenkins), a keeper is the owner; spawned before the
    // snapshot, it is in the baseline and never the job's leak.
    const keeper: Keeper | undefined =
      ci !== undefined && CI_PROFILES[ci].keeper ? spawnKeeper(path.resolve(file)) : undefined;
    let ownerError: Error | undefined;
    let begun: Awaited<ReturnType<typeof beginJob>>;
    try {
      begun = await beginJob({
        isolation: options.isolation,
        owner: async (table) => {
          try {
            return keeper
              ? ownerOf(table, keeper.pid, 'the keeper')
              : await ownerForStart({ pid: ownerPid, ci }, table);
          } catch (error) {
            ownerError = error as Error;
            return undefined;
          }
        },
        // The owner also moves into the job cgroup: every step it starts from now on is the job's.
        // A keeper starts nothing, so a Jenkins job uses the marker.
        cgroupPid: keeper ? undefined : 'owner',
      });
      const { baseline } = begun;
      // Until the marker is handed on, a failure (no owner, an owner dead on arrival, the state or the
      // env file cannot be written) undoes the start, and the keeper stops.
      await withBegun(
        baseline,
        ({ handOver }) => {
          if (ownerError)
            throw new UsageError(
              `strays start: ${ownerError instanceof OwnerError ? ownerError.message : String(ownerError)}`,
              'start',
            );
          const owner = baseline.owner;
          // Verified alive right after start: a dead-on-arrival owner would make every sweep end this job.
          if (owner && !stillRunning(owner)) {
            throw new UsageError(
              `strays start: the job owner pid ${owner.pid} exited right after strays start, so \`strays sweep\` would end this running job. Give --owner PID of a process that lives as long as the job, or --ci SYSTEM.`,
              'start',
            );
          }
          const digest = saveBaseline(file, baseline);
          const step = ci !== undefined && !process.env[CLI_STEP_VAR] ? ciStepName(ci) : undefined;
          // The digest lets a check in the shell that evals this tell a --state file a step rewrote (src/cli/job.ts).
          const lines = [
            `export ${SESSION_VAR}=${shellQuote(baseline.session)} ${BASELINE_DIGEST_VAR}=${shellQuote(digest)}`,
            ...(step ? [`export ${CLI_STEP_VAR}=${shellQuote(step)}`] : []),
          ];
          if (envFile !== undefined) fs.appendFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
          if (flag(values, 'print-session')) io.out(baseline.session);
          else if (envFile === undefined) io.out(lines.join('\n'));
          handOver(); // `strays check --state FILE` ends the job
        },
        (note) => io.err(`strays: ${note}`),
      );
    } catch (error) {
      keeper?.stop();
      throw error;
    }
    const { baseline, notes } = begun;
    if (!quiet) {
      for (const note of notes) io.err(`strays: ${note}`);
      const tracking = baseline.runnerTrackingId ? `; ${TRACKING_VAR}=${baseline.runnerTrackingId} marks it too` : '';
      const owner = baseline.owner ? `; owner pid ${baseline.owner.pid}${keeper ? ' (keeper)' : ''}` : '';
      const handed = envFile !== undefined ? `; marker appended to ${quoted(envFile)}` : '';
      io.err(
        `strays: job ${baseline.session} started (${baseline.processes.length} processes in the baseline${tracking}${owner}); state in ${quoted(file)}${handed}.`,
      );
    }
    return EXIT.ok;
  },
};

/**
 * Checks --state (a regular file or a new name, never a device, FIFO or
 * directory, nothing under /proc) and creates its directory (0700, like the
 * hooks' github-hooks/) one component at a time; status 2 with the reason when
 * it cannot.
 */
function ensureStateDir(file: string): void {
  pathOption('start', () => validateOutputFile('--state', file, { createParents: true }));
  const dir = path.dirname(path.resolve(file));
  try {
    makeDirectory('--state', dir, 0o700);
  } catch (error) {
    const why = error instanceof PathError ? error.message : messageOf(error);
    throw new UsageError(
      `strays start: ${why.replace(/\.$/, '')}. Create it for this user (e.g. sudo install -d -o "$(id -un)" ${quoted(dir)}) or give --state in a directory this user can write.`,
      'start',
    );
  }
}

function ciOf(value: string | undefined): CiSystem | undefined {
  if (value === undefined) return undefined;
  if (!isCiSystem(value)) throw invalidValue('start', '--ci', value, `one of ${CI_SYSTEMS.join(', ')}`);
  return value;
}

function ownerPidOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const pid = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0)
    throw invalidValue('start', '--owner', value, 'a process id (a positive integer), e.g. --owner "$PPID"');
  return pid;
}
