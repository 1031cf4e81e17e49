/**
 * Escaping for GitHub-flavoured Markdown table cells. Command lines are
 * attacker-shaped text (a test can name a process anything): a `|` would
 * split the row, a newline end the table, `<tag>` become HTML, backticks and
 * `*_[]` restyle the page. Every such character is escaped; the text is
 * shortened first so an escape is never cut in half.
 */
import { oneLine, shorten } from './format.js';

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function escapeCell(text: string, max = 80): string {
  return shorten(oneLine(text), max)
    .replace(/[&<>]/g, (c) => HTML[c] as string)
    .replace(/[\\`*_[\]|#~!()]/g, (c) => `\\${c}`);
}

export const table = (head: readonly string[], rows: ReadonlyArray<readonly string[]>): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
