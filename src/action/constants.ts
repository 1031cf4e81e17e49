/**
 * Every name the action shares with action.yml and with the runner, in one
 * place: a typo here is a compile error, not a silently ignored input.
 */
import { ACTION_FAIL_ON_LEAK, DEFAULTS } from '../config/defaults.js';

/** Inputs, exactly as action.yml declares them (the runner exposes them as INPUT_<NAME>, dashes kept). */
export enum Input {
  Kill = 'kill',
  FailOnLeak = 'fail-on-leak',
  GracePeriod = 'grace-period',
  Allow = 'allow',
  ReportPath = 'report-path',
  Isolation = 'isolation',
  Unattributed = 'unattributed',
}

/** Outputs, set by the post step. */
export enum Output {
  LeakedCount = 'leaked-count',
  /** Processes that may be the job's but carry no proof: reported, never counted in leaked-count, never failing the job. */
  UnattributedCount = 'unattributed-count',
  ReportPath = 'report-path',
}

/** State passed from pre to main and post (the runner turns it into STATE_<name>). */
export enum State {
  /** Absolute path of the baseline file pre wrote. */
  BaselinePath = 'baseline-path',
  /** sha256 of the baseline file as pre wrote it: steps can write the file, never the state. */
  BaselineDigest = 'baseline-sha256',
  /** This job's STRAYS_SESSION as pre chose it: steps can rewrite the variable (GITHUB_ENV), never the state. */
  Session = 'session',
}

/**
 * Every input's default as action.yml declares it ('' is "not given"), applied when the runner did not
 * set an input: local runs, tests. test/action-defaults.test.ts pins action.yml to these.
 */
export const INPUT_DEFAULTS: Readonly<Record<Input, string>> = {
  [Input.Kill]: String(DEFAULTS.kill),
  [Input.FailOnLeak]: String(ACTION_FAIL_ON_LEAK),
  [Input.GracePeriod]: DEFAULTS.grace,
  [Input.Allow]: '',
  [Input.ReportPath]: '',
  [Input.Isolation]: DEFAULTS.isolation,
  [Input.Unattributed]: DEFAULTS.unattributed,
};
