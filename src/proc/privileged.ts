/**
 * Reading environments the checker may not read, through ONE privileged helper
 * invocation for all of them (issue 10).
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
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pickEnv } from './environ.js';
import type { EnvView } from './types.js';

/** The command prefix that runs the helper as root, e.g. `['sudo', '-n']`; `[]` runs it directly (already root, tests). */
export type PrivilegePrefix = readonly string[];

export const SUDO_PREFIX: PrivilegePrefix = ['sudo', '-n'];

export const isRoot = (): boolean => process.getuid?.() === 0;

/** What to use when the caller chose nothing: `sudo -n` when not root; none (false) for root, who needs no helper. */
export const defaultPrivilegePrefix = (): PrivilegePrefix | false => (isRoot() ? false : SUDO_PREFIX);

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

/** The argv of the one helper invocation (exported for tests and for the report's wording). */
export function privilegedArgv(prefix: PrivilegePrefix, pids: readonly number[], token: string, procRoot = '/proc'): string[] {
  return [...prefix, 'sh', '-c', SCRIPT, 'sh', procRoot, token, ...pids.map(String)];
}

/** Parses the helper's output into per-pid views holding only `wanted` variables. */
export function parsePrivilegedOutput(raw: string, token: string, pids: readonly number[], wanted: ReadonlySet<string>): Map<number, EnvView> {
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
  for (const pid of pids) if (!out.has(pid)) out.set(pid, { readable: false, reason: 'not printed by the privileged helper' });
  return out;
}

/** Helpers found unusable in this process (no sudo, password required): tried once, then one reason. */
const refused = new Map<string, string>();

export async function readEnvironsPrivileged(
  pids: readonly number[],
  wanted: ReadonlySet<string>,
  options: PrivilegedReadOptions,
): Promise<PrivilegedRead> {
  const command = options.prefix.length > 0 ? options.prefix.join(' ') : '(direct)';
  const known = refused.get(command);
  if (known !== undefined) return { ok: false, reason: known, command };
  if (pids.length === 0) return { ok: true, envs: new Map(), command };
  const token = `strays-${randomBytes(12).toString('hex')}`;
  const [file, ...args] = privilegedArgv(options.prefix, pids, token, options.procRoot);
  const result = await new Promise<{ stdout: string; stderr: string; error: { code?: unknown; message: string } | null }>((resolve) => {
    execFile(
      file as string,
      args,
      { encoding: 'utf8', maxBuffer: 256 << 20, timeout: options.timeoutMs ?? 10_000, env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout, stderr) => resolve({ stdout, stderr, error }),
    );
  });
  if (result.error) {
    const e = result.error;
    const reason =
      e.code === 'ENOENT'
        ? `${options.prefix[0] ?? 'sh'} is not installed`
        : // execvp reports EACCES when a PATH directory is unreadable and the program was found nowhere else.
          e.code === 'EACCES' && (e as { syscall?: string }).syscall?.startsWith('spawn')
          ? `${options.prefix[0] ?? 'sh'} is not installed (or not executable by this user)`
        : `${command} refused: ${result.stderr.trim().split('\n')[0] || e.message}`;
    // A helper that printed our headers did run as root (e.g. it timed out late): keep what it read.
    if (!result.stdout.includes(token)) {
      refused.set(command, reason);
      return { ok: false, reason, command };
    }
  }
  return { ok: true, envs: parsePrivilegedOutput(result.stdout, token, pids, wanted), command };
}

/** Forgets refusals (tests). */
export const resetPrivilegedRefusals = (): void => refused.clear();
