/**
 * What `strays start --ci SYSTEM` knows about each CI system: which process
 * outlives the hook or step that calls `strays start` (the job's owner for
 * `strays sweep`), and which variable names the job in reports. Why each is
 * the one, with the source that shows it: README, Recipes for other CI systems.
 */
import { RUNNER_WORKER_COMM } from '../engine/index.js';

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
