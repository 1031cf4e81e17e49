/**
 * The job's marks: the variables that tie a process to one job.
 *
 * `STRAYS_SESSION` is ours: exported to every later step, inherited by every
 * child, and kept by a daemon that double-forks to PID 1 (fork does not clear
 * the environment). `RUNNER_TRACKING_ID` is the GitHub runner's own per-job
 * mark, which it uses for its orphan cleanup; we honour it too.
 */
import { randomBytes } from 'node:crypto';
import type { ProcessInfo } from '../proc/index.js';

export const SESSION_VAR = 'STRAYS_SESSION';
export const TRACKING_VAR = 'RUNNER_TRACKING_ID';
/** Set by the runner to the step's id (or `__run_2`, `__actions_checkout`) for every step. */
export const STEP_VAR = 'GITHUB_ACTION';
/** Set by `strays run` to the guarded command, so findings outside GitHub still name their step. */
export const CLI_STEP_VAR = 'STRAYS_STEP';
/** Set by GitLab CI to the job's name in every process of the job: the step, where nothing finer is known. */
export const CI_JOB_VAR = 'CI_JOB_NAME';

/** The step a process belongs to, from its environment: the runner's step, then `strays run`'s, then the CI job's; first non-empty wins. */
export function stepOf(p: Pick<ProcessInfo, 'env'>): string | undefined {
  const vars = p.env?.readable ? p.env.vars : undefined;
  return vars?.[STEP_VAR] || vars?.[CLI_STEP_VAR] || vars?.[CI_JOB_VAR] || undefined;
}

/** The job marks a process's environment carries (an empty value is no mark); none when it was not read. */
export function marksOf(p: Pick<ProcessInfo, 'env'>): { session?: string; trackingId?: string } {
  const vars = p.env?.readable ? p.env.vars : undefined;
  return { session: vars?.[SESSION_VAR] || undefined, trackingId: vars?.[TRACKING_VAR] || undefined };
}

/**
 * sha256 of the baseline `strays start` wrote, exported beside the session by
 * its eval line: the job's commands cannot change their shell's variables, so
 * `strays check` in that shell can tell a baseline a step rewrote.
 */
export const BASELINE_DIGEST_VAR = 'STRAYS_BASELINE_SHA256';

/** 16 random hex digits: unguessable enough that another job never collides with ours. */
export const newSessionId = (): string => `strays-${randomBytes(8).toString('hex')}`;

const SESSION_PATTERN = /^strays-[0-9a-f]{16}$/;
export const isSessionId = (value: string): boolean => SESSION_PATTERN.test(value);

/** The job cgroup's name for a session: "strays-<hex>" as it is, anything else (a test's own session) with the prefix. */
export const sessionCgroupName = (session: string): string =>
  session.startsWith('strays-') ? session : `strays-${session}`;
