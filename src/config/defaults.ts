/**
 * The defaults of the guard settings (and sweep's --older-than), once. parseGuardOptions applies them,
 * the CLI help prints them, the action applies them to inputs the runner did
 * not set (local runs, tests), and action.yml declares the same values:
 * test/action-defaults.test.ts reads action.yml and pins it to this file.
 */

export const ISOLATIONS = ['auto', 'marker', 'cgroup'] as const;
export type Isolation = (typeof ISOLATIONS)[number];

export const UNATTRIBUTED_POLICIES = ['report', 'kill'] as const;
export type UnattributedPolicy = (typeof UNATTRIBUTED_POLICIES)[number];

export const DEFAULTS = Object.freeze({
  kill: true,
  /** The CLI's: `--fail-on-leak` asks for status 3. The action fails the job unless told not to (ACTION_FAIL_ON_LEAK). */
  failOnLeak: false,
  grace: '5s',
  isolation: 'auto' as Isolation,
  unattributed: 'report' as UnattributedPolicy,
});

/** `strays sweep --older-than`'s default (README "Sweeping a self-hosted host"). */
export const SWEEP_OLDER_THAN = '10m';

/** A CI job that leaked fails by default (README "Inputs"); a local run keeps its command's status unless asked. */
export const ACTION_FAIL_ON_LEAK = true;
