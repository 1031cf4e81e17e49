/**
 * The action's inputs, read once into the frozen GuardOptions every layer
 * shares. Pre calls this first, so a bad value fails the job's first strays
 * step at once, with the input's name, the value and the accepted forms.
 */
import * as core from '@actions/core';
import { type GuardOptions, parseGuardOptions } from '../config/options.js';
import { INPUT_DEFAULTS, Input } from './constants.js';

/**
 * The input as written: getInput trims by default, which would turn a value of
 * only whitespace into '' and so, silently, into the default; the parsers trim
 * and refuse a blank value instead.
 */
const raw = (name: Input): string => core.getInput(name, { trimWhitespace: false });

/** The input, or action.yml's default when the runner did not set it (local runs, tests). */
function input(name: Input): string | undefined {
  const value = raw(name);
  return value !== '' ? value : INPUT_DEFAULTS[name];
}

export function readInputs(): GuardOptions {
  const allow = raw(Input.Allow);
  return parseGuardOptions(
    {
      kill: input(Input.Kill),
      failOnLeak: input(Input.FailOnLeak),
      grace: input(Input.GracePeriod),
      // parseAllowlist splits on newlines and commas itself.
      allow: allow === '' ? [] : [allow],
      reportPath: input(Input.ReportPath),
      isolation: input(Input.Isolation),
      unattributed: input(Input.Unattributed),
    },
    {
      kill: `input ${Input.Kill}`,
      failOnLeak: `input ${Input.FailOnLeak}`,
      grace: `input ${Input.GracePeriod}`,
      allow: `input ${Input.Allow}`,
      reportPath: `input ${Input.ReportPath}`,
      isolation: `input ${Input.Isolation}`,
      unattributed: `input ${Input.Unattributed}`,
    },
  );
}
