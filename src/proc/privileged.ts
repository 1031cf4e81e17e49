/**
 * Reading environments the checker may not read, through ONE run of the
 * privileged helper (src/privilege/helper.ts) for all of them (README "Leaks
 * the marker cannot see").
 *
 * A non-root checker cannot read /proc/PID/environ of a process that is not
 * dumpable: ssh-agent is setgid (execve(2) clears the dumpable flag) and
 * gpg-agent calls prctl(PR_SET_DUMPABLE, 0); proc(5) then owns the file by
 * root and ptrace access mode checks refuse it even to the same user. Where
 * passwordless `sudo -n` works (GitHub-hosted runners), root can read them.
 *
 * One `sudo -n sh -c …` for every pid, not one per process: sudo logs each
 * call and costs a fork/exec and a PAM session. The helper prints, per pid, a
 * header entry `<token>=<pid>` followed by the raw environ; the token is
 * random per call, so no process can forge a header through its own
 * environment and make us read its variables as another pid's. The output is
 * filtered to the wanted variables as it is parsed and the raw text dropped:
 * whole environments (secrets) are never kept.
 */
import { randomBytes } from 'node:crypto';
import { type PrivilegePrefix, helperArgv, helperName, runHelper } from '../privilege/helper.js';
import { pickEnv } from './environ.js';
import type { EnvView } from './types.js';

export interface PrivilegedReadOptions {
  readonly prefix: PrivilegePrefix;
  readonly procRoot?: string;
  /** Give up after this long (default 10 s): a hung sudo (PAM, LDAP) must not hang the post step. */
  readonly timeoutMs?: number;
}

export type PrivilegedRead =
  | { readonly ok: true; readonly envs: ReadonlyMap<number, EnvView>; readonly command: string }
  | { readonly ok: false; readonly reason: string; readonly command: string };

// `printf '\0'` before each header ends an environ whose last entry lacks its NUL.
const SCRIPT =
  'root=$1; token=$2; shift 2; for p; do printf "\\0%s=%s\\0" "$token" "$p"; ' +
  'cat "$root/$p/environ" 2>/dev/null || printf "\\0%s-failed=%s\\0" "$token" "$p"; done';

/** The argv of the one helper invocation. @internal exported for tests. */
export const privilegedArgv = (
  prefix: PrivilegePrefix,
  pids: readonly number[],
  token: string,
  procRoot = '/proc',
): string[] => helperArgv(prefix, SCRIPT, [procRoot, token, ...pids.map(String)]);

/** Parses the helper's output into per-pid views holding only `wanted` variables. */
export function parsePrivilegedOutput(
  raw: string,
  token: string,
  pids: readonly number[],
  wanted: ReadonlySet<string>,
): Map<number, EnvView> {
  const out = new Map<number, EnvView>();
  const header = `${token}=`;
  const failed = `${token}-failed=`;
  // Split into per-pid sections on the header entries; each section is a NUL-separated environ.
  const parts = raw.split(`\0${header}`);
  for (const part of parts.slice(1)) {
    const end = part.indexOf('\0');
    const pid = Number(end < 0 ? part : part.slice(0, end));
    if (!Number.isInteger(pid)) continue;
    const body = end < 0 ? '' : part.slice(end + 1);
    if (body.includes(`\0${failed}${pid}\0`) || body.startsWith(`${failed}${pid}\0`)) {
      out.set(pid, { readable: false, reason: 'unreadable even to root (process gone?)' });
    } else {
      out.set(pid, { readable: true, vars: pickEnv(body, wanted), via: 'privileged' });
    }
  }
  for (const pid of pids)
    if (!out.has(pid)) out.set(pid, { readable: false, reason: 'not printed by the privileged helper' });
  return out;
}

export async function readEnvironsPrivileged(
  pids: readonly number[],
  wanted: ReadonlySet<string>,
  options: PrivilegedReadOptions,
): Promise<PrivilegedRead> {
  if (pids.length === 0) return { ok: true, envs: new Map(), command: helperName(options.prefix) };
  const token = `strays-${randomBytes(12).toString('hex')}`;
  const run = await runHelper(options.prefix, SCRIPT, [options.procRoot ?? '/proc', token, ...pids.map(String)], {
    timeoutMs: options.timeoutMs,
  });
  // A helper that timed out after printing some environments did run as root: what it printed is kept.
  return run.ok
    ? { ok: true, envs: parsePrivilegedOutput(run.stdout, token, pids, wanted), command: run.command }
    : run;
}
