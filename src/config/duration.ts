/**
 * Durations as users write them: `500ms`, `5s`, `1m`, or a bare number of seconds.
 * Anything else is an error naming the setting, the value and the accepted forms.
 */
export const DURATION_FORMS = '"500ms", "5s", "1m", "2h" or a bare number of seconds such as "5" or "0.5"';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(value: string, setting = 'duration'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) throw new Error(`Invalid ${setting} "${value}": expected ${DURATION_FORMS}.`);
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? 's'] as number);
  if (!Number.isFinite(ms)) throw new Error(`Invalid ${setting} "${value}": too large. Expected ${DURATION_FORMS}.`);
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
