/**
 * The action's inputs, read once into the frozen GuardOptions every layer
 * shares. Pre calls this first, so a bad value fails the job's first strays
 * step at once, with the input's name, the value and the accepted forms.
 */
import * as core from '@actions/core';
import { type GuardOptions, parseGuardOptions } from '../config/options.js';
import { INPUT_DEFAULTS, Input } from './constants.js';

/**
 * The input, trimmed (YAML block scalars add a line break) unless it is only
 * whitespace: getInput's own trimming would turn that into '' and so, silently,
 * into the default; the parsers refuse a blank value instead.
 */
function raw(name: Input): string {
  const value = core.getInput(name, { trimWhitespace: false });
  return value.trim() === '' ? value : value.trim();
}

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
