/**
 * From parsed flags to the frozen GuardOptions every layer shares, plus the
 * report context of a CLI job. Bad values become UsageError (status 2)
 * before anything is read or signalled.
 */
import os from 'node:os';
import { type GuardOptions, type SettingNames, parseGuardOptions } from '../config/options.js';
import { PathError, validateOutputFile } from '../config/paths.js';
import type { Baseline } from '../engine/index.js';
import { type ReportContext, STDOUT_PATH } from '../report/index.js';
import { type Values, flag, stringValue } from './args.js';
import { UsageError } from './exit.js';
import { messageOf } from '../text/error-message.js';

export const CLI_SETTING_NAMES: SettingNames = {
  kill: '--no-kill',
  failOnLeak: '--fail-on-leak',
  grace: '--grace',
  allow: '--allow',
  isolation: '--isolation',
  unattributed: '--unattributed',
  reportPath: '--json',
};

export function guardOptionsFrom(command: string, values: Values): GuardOptions {
  const options = asUsage(command, () =>
    parseGuardOptions(
      {
        kill: !flag(values, 'no-kill'),
        failOnLeak: flag(values, 'fail-on-leak'),
        grace: stringValue(values, 'grace'),
        allow: (values.allow as string[] | undefined) ?? [],
        reportPath: stringValue(values, 'json'),
        isolation: stringValue(values, 'isolation'),
        unattributed: stringValue(values, 'unattributed'),
      },
      CLI_SETTING_NAMES,
    ),
  );
  // Checked now, before anything is read or signalled: a device, FIFO or directory is refused (src/io/write-output.ts).
  const json = options.reportPath;
  if (json !== undefined && json !== STDOUT_PATH) pathOption(command, () => validateOutputFile('--json', json));
  return options;
}

/**
 * A refused value as bad input: the error's sentence (naming the option, the value and what was
 * expected) becomes a UsageError, status 2, before anything is read, written or signalled.
 * `isBadInput` picks the errors that are the value's fault; others stay failures.
 */
export function asUsage<T>(command: string, check: () => T, isBadInput = (_error: unknown) => true): T {
  try {
    return check();
  } catch (error) {
    if (isBadInput(error)) throw new UsageError(`strays ${command}: ${messageOf(error)}`, command);
    throw error;
  }
}

/** A path check of src/config/paths.ts: only its PathError is the path's fault. */
export const pathOption = <T>(command: string, check: () => T): T =>
  asUsage(command, check, (error) => error instanceof PathError);

/** A CLI job's report context; `ps` without --state lists every job, so no isolation. */
export function cliContext(
  baseline: Baseline | undefined,
): Pick<ReportContext, 'host' | 'workspace' | 'runnerTemp' | 'isolation'> {
  return {
    host: os.hostname(),
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    runnerTemp: process.env.RUNNER_TEMP || undefined,
    isolation: baseline === undefined ? undefined : baseline.cgroup ? 'cgroup' : 'marker',
  };
}
