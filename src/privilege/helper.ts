/**
 * The privileged helper: the one way strays runs anything as root (environment
 * reads, cgroup phases, privileged signals and fd reads). A run is `<prefix>
 * sh -c '<fixed script>' sh <arg>…`, or `<prefix> <this node> -e '<fixed
 * script>' <arg>…` for the scripts that signal or read fds (kill(2) and
 * readlink(2) without a fork per process), with prefix `sudo -n` (sudo(8):
 * fails instead of asking for a password) or `[]` (this process's own
 * rights). The script is a constant of the caller and every value a separate
 * argument, so no value is ever parsed by the shell (sh(1p), "-c") or as code.
 * A helper that cannot run is tried once per process, whichever script asked
 * first: sudo logs each call, and a refused one costs a fork/exec and a PAM
 * session. (A sudoers rule that lets `sh` run could not keep `node` out.)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The command prefix that runs the helper as root, e.g. `['sudo', '-n']`; `[]` runs it directly. */
export type PrivilegePrefix = readonly string[];

export const SUDO_PREFIX: PrivilegePrefix = ['sudo', '-n'];

export const isRoot = (): boolean => process.getuid?.() === 0;

/** What to use when the caller chose nothing: `sudo -n` when not root; none (false) for root, who needs no helper. */
export const defaultPrivilegePrefix = (): PrivilegePrefix | false => (isRoot() ? false : SUDO_PREFIX);

/** The helper in words, for log lines and as the key of its refusal: "sudo -n". */
export const helperName = (prefix: PrivilegePrefix): string =>
  prefix.length > 0 ? prefix.join(' ') : 'sh (no elevation)';

/** Printed first by every script: proof that the script itself ran (as opposed to sudo refusing). */
const READY = 'strays-helper-ran';

/** What runs the fixed script: sh(1), or this Node binary (`process.argv.slice(1)` are then the arguments). */
export type HelperLanguage = 'sh' | 'node';

/**
 * The argv of one run. LC_ALL=C is set inside the sh script too: sudo's env_reset
 * may drop it from the environment, and callers parse strerror(3) texts.
 */
export const helperArgv = (
  prefix: PrivilegePrefix,
  script: string,
  args: readonly string[],
  language: HelperLanguage = 'sh',
): string[] =>
  language === 'sh'
    ? [...prefix, 'sh', '-c', `echo ${READY}; LC_ALL=C; export LC_ALL\n${script}`, 'sh', ...args]
    : [...prefix, process.execPath, '-e', `process.stdout.write('${READY}\\n');\n${script}`, ...args];

export interface HelperOptions {
  /** Give up after this long (default 10 s): a hung sudo (PAM, LDAP) must not hang the job. */
  readonly timeoutMs?: number | undefined;
  /** sh (default) or node. */
  readonly language?: HelperLanguage;
}

export type HelperRun =
  /** The script ran (it may have failed, or been stopped by the timeout): its output after the ready line. */
  | { readonly ok: true; readonly stdout: string; readonly stderr: string; readonly command: string }
  /** The helper did not run the script; `reason` is one clause ("sudo -n refused: …"). */
  | { readonly ok: false; readonly reason: string; readonly command: string };

/** Helpers found unusable in this process: tried once, then the same reason. Keyed by helperName. */
const refused = new Map<string, string>();

/** Forgets refusals. @internal exported for tests. */
export const resetHelperRefusals = (): void => refused.clear();

/** Why the helper cannot be used, without running it (no such program, refused earlier); undefined when it may work. */
export function helperUnavailable(prefix: PrivilegePrefix): string | undefined {
  const known = refused.get(helperName(prefix));
  if (known !== undefined) return known;
  const program = prefix[0];
  if (program === undefined) return undefined;
  const candidates = program.includes('/')
    ? [program]
    : (process.env.PATH ?? '')
        .split(':')
        .filter(Boolean)
        .map((d) => path.join(d, program));
  const found = candidates.some((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
  return found ? undefined : `${program} is not installed`;
}

/** What a finished child left. */
interface Ended {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
  readonly error?: (Error & { readonly code?: unknown; readonly syscall?: string; readonly killed?: boolean }) | null;
}

/** One reading of a finished run, and the one wording of a refusal. */
function settle(prefix: PrivilegePrefix, ended: Ended, timeoutMs: number): HelperRun {
  const command = helperName(prefix);
  const newline = ended.stdout.indexOf('\n');
  if (newline >= 0 && ended.stdout.slice(0, newline) === READY)
    return { ok: true, stdout: ended.stdout.slice(newline + 1), stderr: ended.stderr.trim(), command };
  const program = prefix[0] ?? 'sh';
  const code = ended.error?.code;
  // execvp reports EACCES when a PATH directory is unreadable and the program was found nowhere else.
  const reason =
    code === 'ENOENT'
      ? `${program} is not installed`
      : code === 'EACCES' && ended.error?.syscall?.startsWith('spawn')
        ? `${program} is not installed (or not executable by this user)`
        : code === 'ETIMEDOUT' || ended.error?.killed === true
          ? `${command} did not answer within ${timeoutMs} ms`
          : `${command} refused: ${ended.stderr.trim().split('\n')[0] || `exit status ${ended.status ?? 'unknown'}`}`;
  refused.set(command, reason);
  return { ok: false, reason, command };
}

/** The argv to run, or the remembered refusal; and the child's options. */
function prepare(prefix: PrivilegePrefix, script: string, args: readonly string[], options: HelperOptions) {
  const known = refused.get(helperName(prefix));
  const [file, ...rest] = helperArgv(prefix, script, args, options.language);
  const child = {
    encoding: 'utf8' as const,
    timeout: options.timeoutMs ?? 10_000,
    maxBuffer: 256 << 20, // environments of many processes
    // Messages the report quotes (sudo's own refusal) in the C locale.
    env: { ...process.env, LC_ALL: 'C' },
  };
  const refusal: HelperRun | undefined =
    known === undefined ? undefined : { ok: false, reason: known, command: helperName(prefix) };
  return { refusal, file: file as string, rest, child };
}

/** Runs one fixed script through the helper without blocking the event loop (environment reads, signals, cgroup phases). */
export async function runHelper(
  prefix: PrivilegePrefix,
  script: string,
  args: readonly string[],
  options: HelperOptions = {},
): Promise<HelperRun> {
  const { refusal, file, rest, child } = prepare(prefix, script, args, options);
  if (refusal) return refusal;
  const ended = await new Promise<Ended>((resolve) => {
    execFile(file, rest, child, (error, stdout, stderr) =>
      resolve({ stdout, stderr, status: typeof error?.code === 'number' ? error.code : error ? null : 0, error }),
    );
  });
  return settle(prefix, ended, child.timeout);
}
