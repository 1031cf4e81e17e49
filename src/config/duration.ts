/**
 * Durations as users write them (README "Options", `--grace`). One over the
 * setting's limit is an error too: a grace period of 100000000000h would make
 * the post step wait forever on a process that ignores SIGTERM.
 */
import { quoted } from '../text/untrusted.js';

export const DURATION_FORMS = '"500ms", "5s", "1m", "2h" or a bare number of seconds such as "5" or "0.5"';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest duration any setting accepts unless it says otherwise: a year (sweep's --older-than). */
export const MAX_DURATION_MS = 366 * 24 * 3_600_000;

/** No accepted form is longer; a longer value is refused before any pattern runs over it. */
const MAX_TEXT = 32;

/** A value of only whitespace: usually a template that expanded to nothing, so an error, not the default. */
export const blankError = (setting: string, value: string, forms: string): Error =>
  new Error(`Invalid ${setting} ${quoted(value)}: it is blank. Expected ${forms}; leave it out for the default.`);

export function parseDuration(value: string, setting = 'duration', maxMs = MAX_DURATION_MS): number {
  const text = value.trim();
  const limit = `at most ${formatDuration(maxMs)}`;
  if (text === '') throw blankError(setting, value, DURATION_FORMS);
  // One space at most between number and unit: no pattern here can backtrack over a long value.
  const match = text.length <= MAX_TEXT ? /^(\d+(?:\.\d+)?) ?(ms|s|m|h)?$/.exec(text) : null;
  if (!match) throw new Error(`Invalid ${setting} ${quoted(value)}: expected ${DURATION_FORMS}.`);
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? 's'] as number);
  if (!Number.isFinite(ms) || ms > maxMs)
    throw new Error(`Invalid ${setting} ${quoted(value)}: too long; expected ${DURATION_FORMS}, ${limit}.`);
  return Math.round(ms);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number(s.toFixed(1))}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s % 60) ? ` ${Math.round(s % 60)}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
