/** Small text helpers shared by the renderers. */
import { type Places, shortPath } from '../explain/index.js';
import type { HoldsEntry, LeakEntry, LeakGroup, Report } from './types.js';

/** `850ms`, `42s`, `3m 05s`, `2h 10m`, `4d 3h`; `?` when unknown. */
export function formatAge(ms: number | undefined): string {
  if (ms === undefined) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Newlines and other control characters shown as one visible character: a row stays one row. */
export const oneLine = (text: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces.
  text.replace(/\r\n|[\r\n]/g, '↵').replace(/[\u0000-\u001f\u007f]/g, '�');

export const stepLabel = (l: Pick<LeakEntry, 'step' | 'stepName'>): string =>
  l.step === undefined ? 'unknown' : l.stepName ? `${l.stepName} (${l.step})` : l.step;

export const userLabel = (l: Pick<LeakEntry, 'user' | 'uid'>): string =>
  l.user ?? (l.uid === undefined ? '?' : `uid ${l.uid}`);

/** What it holds: `tcp 127.0.0.1:9419`, `cwd workspace/repo`, `open workspace/db.sqlite`, `fds unreadable`. */
export function holdsList(h: HoldsEntry, places: Places): string[] {
  const out = h.listening.map((l) => `${l.proto} ${l.endpoint}`);
  if (h.cwd !== undefined && h.cwdPlace !== undefined) out.push(`cwd ${shortPath(h.cwd, places)}`);
  for (const f of h.openFiles) out.push(`open ${shortPath(f.path, places)}`);
  if (h.fds === 'unreadable') out.push('fds unreadable');
  if (h.fdsCapped) out.push(`first ${h.fdsRead ?? '?'} of ${h.fdsTotal ?? '?'} fds read`);
  if (h.children.length > 0) out.push(plural(h.children.length, 'child', 'children'));
  return out;
}

/** `1 process`, `2 processes`, `3 groups`. */
export const plural = (n: number, one: string, many = `${one}${one.endsWith('s') ? 'es' : 's'}`): string =>
  `${n} ${n === 1 ? one : many}`;

/** Whether the report has anything to show: a leak, an unattributed process or a zombie. */
export const foundAnything = (r: Report): boolean => r.leaks.length + r.unattributed.length + r.zombies.length > 0;

/** `1 survived`, `3 exited` …: the leaked and unattributed processes by outcome. */
export const outcomeCounts = (r: Report): string[] => Object.entries(r.counts.outcomes).map(([o, n]) => `${n} ${o}`);

export const processCount = (groups: readonly LeakGroup[]): number => groups.reduce((n, g) => n + g.count, 0);

/** A group's first member (report order): the one whose holds and user its row shows. */
export function firstMembers(report: Report): (g: LeakGroup) => LeakEntry | undefined {
  const first = new Map<number, LeakEntry>();
  for (const l of [...report.leaks, ...report.unattributed]) if (!first.has(l.group)) first.set(l.group, l);
  return (g) => first.get(report.groups.indexOf(g));
}

/**
 * Shortens at a word boundary: whole words or none, so a secret the runner
 * masks by exact match is never shown in part. A first word longer than
 * `max` (an executable path) is cut at the last separator that fits.
 */
export function shortenWords(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const space = head.lastIndexOf(' ');
  if (space > 0) return `${head.slice(0, space).trimEnd()} …`;
  const sep = Math.max(head.lastIndexOf('/'), head.lastIndexOf('='), head.lastIndexOf(':'));
  return sep > 0 ? `${head.slice(0, sep + 1)}…` : '…';
}

/** One line, at most `max` characters, cut at a word boundary: a table cell of attacker-shaped text. */
export const clip = (text: string, max: number): string => shortenWords(oneLine(text), max);
