/**
 * The options every adapter shares, parsed once into a frozen object.
 * A bad value throws an error naming the setting, the value and the accepted
 * forms; nothing falls back silently.
 */
import { type Allowlist, parseAllowlist } from '../engine/allowlist.js';
import { parseDuration } from './duration.js';

export type Isolation = 'auto' | 'marker' | 'cgroup';
export type UnattributedPolicy = 'report' | 'kill';

export interface GuardOptions {
  /** Signal what leaked (false: report only). */
  readonly kill: boolean;
  readonly failOnLeak: boolean;
  readonly graceMs: number;
  readonly allow: Allowlist;
  /** Where to write the JSON report, if anywhere. */
  readonly reportPath: string | undefined;
  readonly isolation: Isolation;
  readonly unattributed: UnattributedPolicy;
}

export const DEFAULT_GRACE = '5s';

/** Raw values as the user wrote them; `undefined` means "not given". */
export interface RawGuardOptions {
  readonly kill?: string | boolean | undefined;
  readonly failOnLeak?: string | boolean | undefined;
  readonly grace?: string | undefined;
  readonly allow?: readonly string[] | undefined;
  readonly reportPath?: string | undefined;
  readonly isolation?: string | undefined;
  readonly unattributed?: string | undefined;
}

/** Names of the settings as the user knows them (action input or CLI flag), for error messages. */
export interface SettingNames {
  readonly kill: string;
  readonly failOnLeak: string;
  readonly grace: string;
  readonly allow: string;
  readonly isolation: string;
  readonly unattributed: string;
}

export function parseBoolean(value: string | boolean, setting: string): boolean {
  if (typeof value === 'boolean') return value;
  // The YAML 1.2 core schema booleans, as @actions/core getBooleanInput accepts them.
  if (['true', 'True', 'TRUE'].includes(value.trim())) return true;
  if (['false', 'False', 'FALSE'].includes(value.trim())) return false;
  throw new Error(`Invalid ${setting} "${value}": expected true or false.`);
}

export function parseChoice<T extends string>(value: string, setting: string, choices: readonly T[]): T {
  const v = value.trim() as T;
  if (choices.includes(v)) return v;
  throw new Error(`Invalid ${setting} "${value}": expected one of ${choices.join(', ')}.`);
}

const given = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

export function parseGuardOptions(raw: RawGuardOptions, names: SettingNames): GuardOptions {
  const allowEntries = raw.allow ?? [];
  let allow: Allowlist;
  try {
    allow = parseAllowlist(allowEntries);
  } catch (error) {
    throw new Error(`Invalid ${names.allow}: ${(error as Error).message}`);
  }
  return Object.freeze({
    kill: raw.kill === undefined || raw.kill === '' ? true : parseBoolean(raw.kill, names.kill),
    failOnLeak: raw.failOnLeak === undefined || raw.failOnLeak === '' ? false : parseBoolean(raw.failOnLeak, names.failOnLeak),
    graceMs: parseDuration(given(raw.grace) ? raw.grace : DEFAULT_GRACE, names.grace),
    allow,
    reportPath: given(raw.reportPath) ? raw.reportPath : undefined,
    isolation: given(raw.isolation) ? parseChoice(raw.isolation, names.isolation, ['auto', 'marker', 'cgroup'] as const) : 'auto',
    unattributed: given(raw.unattributed)
      ? parseChoice(raw.unattributed, names.unattributed, ['report', 'kill'] as const)
      : 'report',
  });
}
