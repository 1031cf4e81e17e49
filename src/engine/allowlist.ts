/**
 * The user's allowlist: processes strays must leave alone.
 *
 * An entry is a glob matched against the whole command line (`sleep 60*`), or
 * `name:GLOB` matched against the process name (`comm`, or the basename of
 * argv[0], since the kernel truncates `comm` to 15 bytes). `*` matches any run
 * of characters, `?` one character, `[abc]` one of a set.
 */
import type { ProcessInfo } from '../proc/types.js';

export interface AllowRule {
  readonly source: string;
  readonly target: 'command' | 'name';
  readonly pattern: RegExp;
}

export type Allowlist = readonly AllowRule[];

export const ALLOW_FORMS = 'a glob on the command line (e.g. "sleep 60*") or name:GLOB on the process name (e.g. "name:postgres*")';

export function parseAllowEntry(entry: string): AllowRule {
  const source = entry.trim();
  const isName = source.startsWith('name:');
  const glob = isName ? source.slice('name:'.length).trim() : source;
  if (glob.length === 0) throw new Error(`Invalid allow entry "${entry}": the glob is empty. Use ${ALLOW_FORMS}.`);
  return { source, target: isName ? 'name' : 'command', pattern: globToRegExp(glob, entry) };
}

/** Splits a newline- or comma-separated list (the action input form) and parses each entry. */
export function parseAllowlist(entries: readonly string[]): Allowlist {
  return entries
    .flatMap((e) => e.split(/[\n,]/))
    .map((e) => e.trim())
    .filter((e) => e.length > 0)
    .map(parseAllowEntry);
}

export function globToRegExp(glob: string, entry = glob): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw new Error(`Invalid allow entry "${entry}": "[" at position ${i + 1} is never closed. Use ${ALLOW_FORMS}.`);
      const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
      out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

/** The rule that allows `p`, if any. */
export function allowedBy(list: Allowlist, p: ProcessInfo): AllowRule | undefined {
  const command = p.argv.join(' ');
  const base = p.argv[0]?.split('/').pop() ?? '';
  return list.find((rule) =>
    rule.target === 'command' ? rule.pattern.test(command) : rule.pattern.test(p.comm) || rule.pattern.test(base),
  );
}
