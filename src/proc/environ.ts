/**
 * Picks named variables out of a NUL-separated /proc/PID/environ buffer.
 *
 * Environments hold secrets (tokens, keys), so this never returns a whole
 * environment: only the variables the caller names are kept.
 */
export function pickEnv(raw: string, wanted: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  let found = 0;
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    if (wanted.has(name) && !(name in out)) {
      out[name] = entry.slice(eq + 1);
      if (++found === wanted.size) break;
    }
  }
  return out;
}

/** argv from /proc/PID/cmdline: NUL-separated, usually with a trailing NUL. */
export function parseCmdline(raw: string): string[] {
  if (raw.length === 0) return [];
  const parts = raw.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}
