/**
 * From parsed flags to the frozen GuardOptions every layer shares, plus the
 * report context of a CLI job. Bad values become UsageError (status 2)
 * before anything is read or signalled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type GuardOptions, type SettingNames, parseGuardOptions } from '../config/options.js';
import type { Baseline } from '../engine/baseline.js';
import type { ReportContext } from '../report/types.js';
import { type Values, flag, stringValue } from './args.js';
import { UsageError } from './exit.js';

export const CLI_SETTING_NAMES: SettingNames = {
  kill: '--no-kill',
  failOnLeak: '--fail-on-leak',
  grace: '--grace',
  allow: '--allow',
  isolation: '--isolation',
  unattributed: '--unattributed',
};

export function guardOptionsFrom(command: string, values: Values): GuardOptions {
  let options: GuardOptions;
  try {
    options = parseGuardOptions(
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
    );
  } catch (error) {
    throw new UsageError(`strays ${command}: ${(error as Error).message}`, command);
  }
  if (options.reportPath !== undefined) checkWritableDir(command, '--json', options.reportPath);
  return options;
}

/** Fails early (status 2) when a file could never be written: its directory is missing or not a directory. */
export function checkWritableDir(command: string, option: string, file: string): void {
  const dir = path.dirname(path.resolve(file));
  let ok = false;
  try {
    ok = fs.statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new UsageError(`strays ${command}: ${option} ${file}: directory ${dir} does not exist. Give a path in an existing directory.`, command);
}

export function cliContext(baseline: Baseline): Partial<ReportContext> {
  return {
    host: os.hostname(),
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    runnerTemp: process.env.RUNNER_TEMP || undefined,
    isolation: baseline.cgroup ? 'cgroup' : 'marker',
  };
}
