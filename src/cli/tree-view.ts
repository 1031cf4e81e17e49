/**
 * A process tree as text, like `ps f`: the chosen processes, each under its
 * parent when the parent is chosen too. Pure: rows in, lines out.
 */
import { formatDuration } from '../config/duration.js';
import { commandLine, type ProcessInfo } from '../proc/index.js';

export interface TreeRow {
  readonly process: ProcessInfo;
  /** Why it is listed: attribution, step … */
  readonly note: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces.
const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, '?');

export function renderTree(rows: readonly TreeRow[], now: number): string[] {
  const byPid = new Map(rows.map((r) => [r.process.pid, r]));
  const children = new Map<number, TreeRow[]>();
  const roots: TreeRow[] = [];
  for (const r of rows) {
    const parent = byPid.get(r.process.ppid);
    if (parent && parent !== r) children.set(parent.process.pid, [...(children.get(parent.process.pid) ?? []), r]);
    else roots.push(r);
  }
  const head = ['PID', 'PPID', 'PGID', 'STAT', 'AGE', 'COMMAND'];
  const cells: string[][] = [];
  const seen = new Set<number>();
  const visit = (r: TreeRow, depth: number): void => {
    if (seen.has(r.process.pid)) return; // cycle-safe, as tables read while processes fork can be odd
    seen.add(r.process.pid);
    const p = r.process;
    const age = p.startedAt === undefined ? '?' : formatDuration(Math.max(0, now - p.startedAt));
    const indent = depth === 0 ? '' : `${'   '.repeat(depth - 1)} \\_ `;
    const command = `${indent}${oneLine(commandLine(p)).slice(0, 120)}${r.note ? `  [${r.note}]` : ''}`;
    cells.push([String(p.pid), String(p.ppid), String(p.pgid), p.state, age, command]);
    for (const c of [...(children.get(p.pid) ?? [])].sort((a, b) => a.process.pid - b.process.pid)) visit(c, depth + 1);
  };
  for (const r of [...roots].sort((a, b) => a.process.pid - b.process.pid)) visit(r, 0);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c
      .map((cell, i) =>
        i === c.length - 1 ? cell : cell.padStart(i < 3 ? (widths[i] ?? 0) : 0).padEnd(widths[i] ?? 0),
      )
      .join('  ');
  return [line(head), ...cells.map(line)];
}
