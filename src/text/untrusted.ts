/**
 * Text that strays did not write (file names in the host state, command lines,
 * values of inputs) passes through `untrusted()` before it reaches a log line
 * (README "Who may write the records": one line each, escaped). The runner
 * reads a line as a workflow command when, after leading whitespace, it starts
 * with `::` (actions/runner ActionCommand.TryParseV2), and `::stop-commands::`
 * silences every later one. Bidirectional overrides are escaped too
 * (CVE-2021-42574, "Trojan Source"): what a reader sees is what the bytes say.
 */

/** C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * `text` made safe for one log line: control and format characters escaped,
 * a leading `::` defused, and at most `max` characters kept (then "…" and how
 * many were cut). Backslashes are doubled so an escape cannot be forged.
 */
export function untrusted(text: string, max = 200): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  let out = cut.replace(/\\/g, '\\\\').replace(UNSAFE, (c) => NAMED[c] ?? hex(c));
  if (out.trimStart().startsWith('::')) out = out.replace(':', '\\x3a');
  return text.length > max ? `${out}… (${text.length - max} more characters)` : out;
}

/** `untrusted()` in double quotes, for error messages that name a value: `got "…"`. */
export const quoted = (text: string, max = 200): string => `"${untrusted(text, max)}"`;
