/**
 * The options every adapter shares, parsed once into a frozen object. A bad
 * value throws an error naming the setting, the value (through `quoted()`)
 * and the accepted forms; nothing falls back silently. Not given (`undefined`,
 * or the empty string an unset action input reads as) means the default.
 */
import { type Allowlist, parseAllowlist } from '../engine/index.js';
import { quoted } from '../text/untrusted.js';
import { DEFAULTS, ISOLATIONS, type Isolation, UNATTRIBUTED_POLICIES, type UnattributedPolicy } from './defaults.js';
import { DURATION_FORMS, blankError, parseDuration } from './duration.js';
import { messageOf } from '../text/error-message.js';

export type { Isolation, UnattributedPolicy };

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

/** The longest grace period: post waits this long for a process that ignores SIGTERM before SIGKILL. */
export const MAX_GRACE_MS = 3_600_000;

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

/** The name of each raw setting as the user knows it (action input or CLI flag), for error messages; reportPath's defaults to "report path". */
export type SettingNames = Readonly<Record<Exclude<keyof RawGuardOptions, 'reportPath'>, string>> & {
  readonly reportPath?: string;
};

export function parseBoolean(value: string | boolean, setting: string): boolean {
  if (typeof value === 'boolean') return value;
  // The YAML 1.2 core schema booleans, as @actions/core getBooleanInput accepts them.
  if (['true', 'True', 'TRUE'].includes(value.trim())) return true;
  if (['false', 'False', 'FALSE'].includes(value.trim())) return false;
  throw new Error(`Invalid ${setting} ${quoted(value)}: expected true or false.`);
}

export function parseChoice<T extends string>(value: string, setting: string, choices: readonly T[]): T {
  const v = value.trim() as T;
  if (choices.includes(v)) return v;
  throw new Error(`Invalid ${setting} ${quoted(value)}: expected one of ${choices.join(', ')}.`);
}

/** Whether a value was given: `undefined` and '' were not; only whitespace is refused, naming the setting. */
export function given(value: string | undefined, setting: string, forms: string): value is string {
  if (value === undefined || value === '') return false;
  if (value.trim() === '') throw blankError(setting, value, forms);
  return true;
}

const givenFlag = (value: string | boolean | undefined, setting: string): value is string | boolean =>
  typeof value === 'boolean' || given(value, setting, 'true or false');

export function parseGuardOptions(raw: RawGuardOptions, names: SettingNames): GuardOptions {
  const allowEntries = raw.allow ?? [];
  let allow: Allowlist;
  try {
    const blank = allowEntries.find((e) => e !== '' && e.trim() === '');
    if (blank !== undefined) throw new Error(`${quoted(blank)} is blank. Leave it out to allow nothing.`);
    allow = parseAllowlist(allowEntries);
  } catch (error) {
    throw new Error(`Invalid ${names.allow}: ${messageOf(error)}`);
  }
  return Object.freeze({
    kill: givenFlag(raw.kill, names.kill) ? parseBoolean(raw.kill, names.kill) : DEFAULTS.kill,
    failOnLeak: givenFlag(raw.failOnLeak, names.failOnLeak)
      ? parseBoolean(raw.failOnLeak, names.failOnLeak)
      : DEFAULTS.failOnLeak,
    graceMs: parseDuration(
      given(raw.grace, names.grace, DURATION_FORMS) ? raw.grace : DEFAULTS.grace,
      names.grace,
      MAX_GRACE_MS,
    ),
    allow,
    reportPath: given(raw.reportPath, names.reportPath ?? 'report path', 'a file path') ? raw.reportPath : undefined,
    isolation: given(raw.isolation, names.isolation, ISOLATIONS.join(', '))
      ? parseChoice(raw.isolation, names.isolation, ISOLATIONS)
      : DEFAULTS.isolation,
    unattributed: given(raw.unattributed, names.unattributed, UNATTRIBUTED_POLICIES.join(', '))
      ? parseChoice(raw.unattributed, names.unattributed, UNATTRIBUTED_POLICIES)
      : DEFAULTS.unattributed,
  });
}
