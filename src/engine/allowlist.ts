/**
 * The user's allowlist: processes strays must leave alone (syntax and limits:
 * README "What counts as the job's", Allowlist). Matching takes time linear
 * in the command line (glob.ts): the command line is the job's to choose.
 */
import type { ProcessInfo } from '../proc/index.js';
import { quoted } from '../text/untrusted.js';
import { type Glob, GlobError, codePoints, compileGlob, matchGlob } from './glob.js';

export interface AllowRule {
  readonly source: string;
  readonly target: 'command' | 'name';
  readonly glob: Glob;
}

export type Allowlist = readonly AllowRule[];

export const ALLOW_FORMS =
  'a glob on the command line (e.g. "sleep 60*") or name:GLOB on the process name (e.g. "name:postgres*")';

/**
 * Limits that keep a check's cost bounded: every entry is matched against every
 * candidate process. Real entries are a few dozen characters; a 50 000-character
 * entry is a mistake or an attack, and is refused when the options are parsed.
 */
export const MAX_ALLOW_ENTRIES = 100;
export const MAX_ALLOW_ENTRY_LENGTH = 256;

export function parseAllowEntry(entry: string): AllowRule {
  const source = entry.trim();
  if (source.length > MAX_ALLOW_ENTRY_LENGTH) {
    throw new Error(
      `Invalid allow entry ${quoted(source)}: it is ${source.length} characters long; the limit is ${MAX_ALLOW_ENTRY_LENGTH}. Use ${ALLOW_FORMS}.`,
    );
  }
  const isName = source.startsWith('name:');
  const glob = isName ? source.slice('name:'.length).trim() : source;
  if (glob.length === 0)
    throw new Error(`Invalid allow entry ${quoted(entry)}: the glob is empty. Use ${ALLOW_FORMS}.`);
  try {
    return { source, target: isName ? 'name' : 'command', glob: compileGlob(glob) };
  } catch (error) {
    if (!(error instanceof GlobError)) throw error;
    throw new Error(`Invalid allow entry ${quoted(entry)}: ${error.message}. Use ${ALLOW_FORMS}.`);
  }
}

/** Splits a newline- or comma-separated list (the action input form) and parses each entry. */
export function parseAllowlist(entries: readonly string[]): Allowlist {
  const list = entries
    .flatMap((e) => e.split(/[\n,]/))
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (list.length > MAX_ALLOW_ENTRIES) {
    throw new Error(
      `${list.length} entries (${quoted(list.slice(0, 3).join(', '))}, …); the limit is ${MAX_ALLOW_ENTRIES}. Use fewer, broader globs.`,
    );
  }
  return list.map(parseAllowEntry);
}

/** The rule that allows `p`, if any. */
export function allowedBy(list: Allowlist, p: ProcessInfo): AllowRule | undefined {
  if (list.length === 0) return undefined;
  let command: Uint32Array | undefined;
  let comm: Uint32Array | undefined;
  let base: Uint32Array | undefined;
  return list.find((rule) => {
    if (rule.target === 'command') {
      command ??= codePoints(p.argv.join(' '));
      return matchGlob(rule.glob, command);
    }
    comm ??= codePoints(p.comm);
    base ??= codePoints(p.argv[0]?.split('/').pop() ?? '');
    return matchGlob(rule.glob, comm) || matchGlob(rule.glob, base);
  });
}
