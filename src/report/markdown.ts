/**
 * GitHub-flavoured Markdown for attacker-shaped text (a test can name a
 * process anything). Neither form splits a word, so the runner's own secret
 * masking (exact match, line by line) still matches; text is made one line and
 * shortened at a word boundary first, so no escape is ever cut in half.
 */
import { clip } from './format.js';

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * A code span, verbatim and inert, `max` characters at most; in a table cell unless `cell` is false.
 * GFM spec, "Tables": the pipe splits cells even inside a code span, so it is escaped there.
 */
export function code(text: string, max = 80, cell = true): string {
  let body = clip(text, max);
  if (cell) body = body.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  // A span that starts or ends with a backtick (or a space) needs a space inside the fence (CommonMark 6.1).
  const pad = /^[` ]|[` ]$/.test(body) ? ' ' : '';
  return body === '' ? '' : `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * Prose: entities for `& < >`, a backslash before what would restyle or
 * break a cell (`\\ \` * [ ] | ~`), and `_` only at a word's edge (GFM: an
 * underscore inside a word is never emphasis). Letters, digits and inner
 * `_`/`-` stay as they are, so a secret the runner masks is still whole.
 */
export function plain(text: string, max = 80): string {
  return clip(text, max)
    .replace(/[&<>]/g, (c) => HTML[c] as string)
    .replace(/[\\`*[\]|~]/g, (c) => `\\${c}`)
    .replace(/(^|[^A-Za-z0-9_])_+|_+(?![A-Za-z0-9_])/g, (m) => m.replace(/_/g, '\\_'));
}

/** A fenced code block for full command lines: a fence longer than any backtick run inside. */
export function codeBlock(lines: readonly string[]): string {
  const text = lines.join('\n');
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

export const table = (head: readonly string[], rows: ReadonlyArray<readonly string[]>): string =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** A folded section: `<details>` with a blank line after the summary so Markdown inside renders. */
export const details = (summary: string, body: string): string =>
  `<details><summary>${summary}</summary>\n\n${body.trimEnd()}\n\n</details>`;
