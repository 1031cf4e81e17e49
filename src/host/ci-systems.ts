/**
 * What `strays start --ci SYSTEM` knows about each CI system: which process
 * outlives the hook or step that calls `strays start` (the job's owner for
 * `strays sweep`), and which variable names the job in reports.
 *
 * How each system runs hooks and steps (verified in its source or docs; see
 * the README, "Recipes for other CI systems"):
 * - github: the runner's job hooks run as `bash -e FILE`, children of the
 *   per-job `Runner.Worker` (actions/runner JobHookProvider.cs).
 * - buildkite: the job runs in a `buildkite-agent bootstrap` process (v3),
 *   which runs each hook through a generated wrapper script (agent
 *   internal/job/hook/wrapper.go: `env dump`, `. hook`, `env dump`, exit);
 *   the wrapper's shell exits with the hook, the bootstrap lives until the job's end.
 * - circleci: each `run` step is its own `/bin/bash -eo pipefail` started
 *   by the per-task `circleci-agent`; steps share variables through `$BASH_ENV`.
 * - gitlab: the shell executor starts each stage (`step_script` = before_script
 *   + script, then `after_script`) as a new shell whose parent is the
 *   long-lived gitlab-runner service: no per-job process outlives the stages,
 *   so the owner is the `step_script` shell (the default walk).
 * - jenkins: each `sh` step is `sh -xe script.sh` in a subshell that the
 *   launcher `nohup sh -c '(…) &'` orphans (durable-task-plugin
 *   BourneShellScript.java), so nothing but the agent JVM, which is no
 *   ancestor, outlives a step: `strays start` leaves a keeper process as owner
 *   (src/cli/commands/hold.ts).
 */
import { RUNNER_WORKER_COMM } from '../engine/activity.js';

export const CI_SYSTEMS = ['github', 'gitlab', 'buildkite', 'jenkins', 'circleci'] as const;
export type CiSystem = (typeof CI_SYSTEMS)[number];

export const isCiSystem = (value: string): value is CiSystem => (CI_SYSTEMS as readonly string[]).includes(value);

export interface CiProfile {
  /** comm of the per-job process that outlives every hook and step; undefined: none exists (see above). */
  readonly ownerComm?: string | undefined;
  /** The owner is a keeper `strays start` leaves running until `strays check --remove-state`. */
  readonly keeper?: boolean;
  /** Variables whose value names the job in reports (STRAYS_STEP), first set wins. */
  readonly stepVars: readonly string[];
}

export const CI_PROFILES: Readonly<Record<CiSystem, CiProfile>> = {
  github: { ownerComm: RUNNER_WORKER_COMM, stepVars: ['GITHUB_JOB'] },
  buildkite: { ownerComm: 'buildkite-agent', stepVars: ['BUILDKITE_LABEL', 'BUILDKITE_STEP_KEY'] },
  circleci: { ownerComm: 'circleci-agent', stepVars: ['CIRCLE_JOB'] },
  gitlab: { stepVars: ['CI_JOB_NAME'] },
  jenkins: { keeper: true, stepVars: ['JOB_NAME'] },
};

/** The job's name for STRAYS_STEP, from the system's variables; undefined when none is set. */
export function ciStepName(system: CiSystem, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of CI_PROFILES[system].stepVars) {
    const value = env[name]?.trim();
    if (value) return value.slice(0, 200);
  }
  return undefined;
}
