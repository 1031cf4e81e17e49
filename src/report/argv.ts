/**
 * A leak's argv as the report keeps it: padding dropped, secrets redacted
 * (redact.ts), and bounded, so 300 leaks with megabyte command lines still
 * make a report that serialises (V8 strings stop at 2^29 characters) and
 * fits GitHub's 1 MiB step summary.
 */
import { redactArgv, redactText } from './redact.js';

/** At most this many characters of one argv word are kept. */
export const MAX_WORD = 4096;
/** At most this many characters of a whole command line are kept (words beyond are dropped whole). */
export const MAX_COMMAND = 16384;

export interface KeptArgv {
  readonly argv: string[];
  readonly command: string;
  /** Length of the original command line (argv joined with spaces), in UTF-16 units. */
  readonly commandLength: number;
  readonly argvCount: number;
  readonly truncated: boolean;
}

/**
 * Processes that rewrite their title (redis-server, postgres, nginx workers)
 * pad argv with spaces or NULs to its old length: the padding is dropped.
 * One word without its padding: the last word loses every trailing blank, any
 * other a run of 4 or more (a single trailing space may be meant). trimEnd,
 * not a regular expression: /\s{4,}$/ backtracks quadratically on a megabyte of blanks.
 */
function unpadWord(w: string, last: boolean): string {
  const t = w.trimEnd();
  return last || w.length - t.length >= 4 ? t : w;
}

/** Cuts a word at MAX_WORD, back to the last non-alphanumeric character, so no token survives in part. */
function capWord(word: string): { word: string; cut: boolean } {
  if (word.length <= MAX_WORD) return { word, cut: false };
  const head = word.slice(0, MAX_WORD);
  const m = /[^A-Za-z0-9_-][A-Za-z0-9_-]*$/.exec(head);
  return { word: `${m ? head.slice(0, m.index + 1) : ''}…`, cut: true };
}

export function keepArgv(raw: readonly string[], comm: string, showSecrets: boolean): KeptArgv {
  // Trailing blank words (NUL padding) go first; then only the words that fit are examined at all.
  let end = raw.length;
  while (end > 1 && (raw[end - 1] as string).trim() === '') end--;
  let commandLength = end > 0 ? end - 1 : 0;
  for (let i = 0; i < end; i++) commandLength += (raw[i] as string).length;
  let truncated = false;
  const words: string[] = [];
  let total = 0;
  for (let i = 0; i < end; i++) {
    const { word, cut } = capWord(unpadWord(raw[i] as string, i === end - 1));
    truncated ||= cut;
    if (total + word.length > MAX_COMMAND) {
      truncated = true;
      break;
    }
    words.push(word);
    total += word.length + 1;
  }
  if (words.length < end) words.push('…');
  const kept = showSecrets ? words : redactArgv(words);
  return {
    argv: kept,
    command: kept.length > 0 ? kept.join(' ') : `[${showSecrets ? comm : redactText(comm)}]`,
    commandLength,
    argvCount: end,
    truncated,
  };
}
