/**
 * Signalling, and reading the fds of, a proven leak that belongs to another
 * user (a step ran `sudo git daemon --detach`), through the privileged helper
 * (`sudo -n`, src/proc/privileged.ts): EPERM is then not the end of it.
 *
 * Never through a shell, never with interpolated strings: the helper runs
 * this same Node binary with a fixed script (`node -e SCRIPT`), and pids,
 * start stamps and the signal name are separate argv entries, each validated
 * here first. The script, as root, repeats the identity check of src/proc/probe.ts
 * (pid + start ticks from /proc/PID/stat, proc(5) field 22) right before each
 * kill(2), so a recycled pid is never signalled; a zombie is never signalled.
 * One helper call per signal round for every target, not one per process.
 */
import { execFile } from 'node:child_process';
import type { Identity, PrivilegePrefix } from '../proc/index.js';
import type { SignalName, SignalResult } from './signals.js';

const SIGNALS: ReadonlySet<string> = new Set(['SIGSTOP', 'SIGCONT', 'SIGTERM', 'SIGKILL']);
/** A helper that has not answered by then is refused (sudo waiting on something): termination must not hang on it. */
const HELPER_TIMEOUT_MS = 10_000;

// The comm field may hold spaces and parentheses: fields are read after the LAST ')'.
const STAT = `const fs = require('fs');
function look(pid, start) {
  let text;
  try { text = fs.readFileSync('/proc/' + pid + '/stat', 'utf8'); } catch { return { kind: 'gone' }; }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const now = Number(f[19]);
  if (now !== start) return { kind: 'reused', start: now };
  // isDeadState (src/proc/types.ts), written out: this script runs alone in the privileged helper.
  if (f[0] === 'Z' || f[0] === 'X') return { kind: 'zombie', reaper: Number(f[1]) };
  return undefined;
}
const args = process.argv.slice(1);
const out = {};`;

const SIGNAL_SCRIPT = `${STAT}
const signal = args.shift();
if (!${JSON.stringify([...SIGNALS])}.includes(signal)) process.exit(2);
for (let i = 0; i + 1 < args.length; i += 2) {
  const pid = Number(args[i]), start = Number(args[i + 1]);
  const seen = look(pid, start);
  if (seen) { out[pid] = seen; continue; }
  try { process.kill(pid, signal); out[pid] = { kind: 'sent' }; }
  catch (e) { out[pid] = e.code === 'ESRCH' ? { kind: 'gone' } : { kind: 'denied', detail: String(e.code || e.message) }; }
}
process.stdout.write(JSON.stringify(out));`;

const FDS_SCRIPT = `${STAT}
const cap = Number(args.shift());
for (let i = 0; i + 1 < args.length; i += 2) {
  const pid = Number(args[i]), start = Number(args[i + 1]);
  const seen = look(pid, start);
  if (seen) { out[pid] = { status: 'gone' }; continue; }
  let names;
  try { names = fs.readdirSync('/proc/' + pid + '/fd'); } catch (e) { out[pid] = { status: 'unreadable', reason: String(e.code) }; continue; }
  names.sort((a, b) => Number(a) - Number(b));
  const links = [];
  for (const n of names.slice(0, cap)) { try { links.push(fs.readlinkSync('/proc/' + pid + '/fd/' + n)); } catch {} }
  out[pid] = { status: 'read', links, total: names.length };
}
process.stdout.write(JSON.stringify(out));`;

export type HelperFds =
  | { readonly status: 'read'; readonly links: readonly string[]; readonly total: number }
  | { readonly status: 'gone' }
  | { readonly status: 'unreadable'; readonly reason: string };

const isSafeIdentity = (t: Identity): boolean =>
  Number.isSafeInteger(t.pid) && t.pid > 1 && Number.isSafeInteger(t.start) && t.start >= 0;

/** The argv of one helper call: prefix, this Node binary, the fixed script, then data only. */
export function helperArgv(
  prefix: PrivilegePrefix,
  script: 'signal' | 'fds',
  head: string,
  targets: readonly Identity[],
): string[] {
  const pairs = targets.filter(isSafeIdentity).flatMap((t) => [String(t.pid), String(t.start)]);
  return [...prefix, process.execPath, '-e', script === 'signal' ? SIGNAL_SCRIPT : FDS_SCRIPT, head, ...pairs];
}

/** Helpers that refused once (no sudo, a password required): not asked again by this process, so sudo logs one refusal, not one per signal. */
const refused = new Map<string, string>();

async function runHelper(
  argv: readonly string[],
  prefixLength: number,
  timeoutMs: number,
): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; reason: string }> {
  const [file, ...args] = argv;
  const key = argv.slice(0, prefixLength).join(' ');
  const known = refused.get(key);
  if (known !== undefined) return { ok: false, reason: known };
  return new Promise((resolve) => {
    execFile(
      file as string,
      args,
      { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          const reason =
            (error as NodeJS.ErrnoException).code === 'ENOENT'
              ? `${argv[0]} is not installed`
              : `${argv[0]} refused: ${stderr.trim().split('\n')[0] || error.message}`;
          if (prefixLength > 0) refused.set(key, reason);
          resolve({ ok: false, reason });
          return;
        }
        try {
          resolve({ ok: true, json: JSON.parse(stdout) as Record<string, unknown> });
        } catch {
          resolve({ ok: false, reason: 'the privileged helper printed no answer' });
        }
      },
    );
  });
}

/** Sends `signal` to every target through the helper, each after its identity check as root. */
export async function signalPrivileged(
  prefix: PrivilegePrefix,
  targets: readonly Identity[],
  signal: SignalName,
): Promise<Map<number, SignalResult>> {
  if (!SIGNALS.has(signal)) return new Map();
  const how = prefix.length > 0 ? prefix.join(' ') : 'the privileged helper';
  return perTarget(prefix, 'signal', signal, targets, (got, failure): SignalResult => {
    if (failure !== undefined) return { kind: 'denied', detail: `EPERM, and ${failure}` };
    const result = got as SignalResult | undefined;
    if (result === undefined) return { kind: 'denied', detail: `not signalled by ${how}` };
    if (result.kind === 'denied') return { kind: 'denied', detail: `${result.detail} through ${how}` };
    return result;
  });
}

/** Reads the fd links of every target through the helper (after the same identity check); at most `cap` per process. */
export async function readFdsPrivileged(
  prefix: PrivilegePrefix,
  targets: readonly Identity[],
  cap: number,
): Promise<Map<number, HelperFds>> {
  const head = String(Math.max(0, Math.floor(cap)));
  return perTarget(prefix, 'fds', head, targets, (got, failure) =>
    failure === undefined ? (got as HelperFds | undefined) : undefined,
  );
}

/**
 * One helper call for every target; `each` makes a target's result (none when
 * undefined) from the helper's answer for its pid, or from why there is none.
 */
async function perTarget<T>(
  prefix: PrivilegePrefix,
  script: 'signal' | 'fds',
  head: string,
  targets: readonly Identity[],
  each: (got: unknown, failure: string | undefined) => T | undefined,
): Promise<Map<number, T>> {
  const out = new Map<number, T>();
  if (targets.length === 0) return out;
  const answer = await runHelper(helperArgv(prefix, script, head, targets), prefix.length, HELPER_TIMEOUT_MS);
  for (const t of targets) {
    const result = answer.ok ? each(answer.json[String(t.pid)], undefined) : each(undefined, answer.reason);
    if (result !== undefined) out.set(t.pid, result);
  }
  return out;
}
