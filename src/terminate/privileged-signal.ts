/**
 * Signalling, and reading the fds of, a proven leak that belongs to another
 * user (a step ran `sudo git daemon --detach`), through the privileged helper
 * (`sudo -n`, src/privilege/helper.ts): EPERM is then not the end of it.
 *
 * Never through a shell, never with interpolated strings: the helper runs
 * this same Node binary with a fixed script (`node -e SCRIPT`), and pids,
 * start stamps and the signal name are separate argv entries, each validated
 * here first. The script, as root, repeats the identity check of src/proc/probe.ts
 * (pid + start ticks from /proc/PID/stat, proc(5) field 22) right before each
 * kill(2), so a recycled pid is never signalled; a zombie is never signalled.
 * One helper call per signal round for every target, not one per process.
 */
import { helperArgv as runArgv, runHelper } from '../privilege/helper.js';
import type { Identity, PrivilegePrefix } from '../proc/index.js';
import type { SignalName, SignalResult } from './signals.js';

const SIGNALS: ReadonlySet<string> = new Set(['SIGSTOP', 'SIGCONT', 'SIGTERM', 'SIGKILL']);

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

const SCRIPTS = { signal: SIGNAL_SCRIPT, fds: FDS_SCRIPT } as const;

/** The data of one helper call: the head (signal name or cap), then pid and start of each target. */
const dataOf = (head: string, targets: readonly Identity[]): string[] => [
  head,
  ...targets.filter(isSafeIdentity).flatMap((t) => [String(t.pid), String(t.start)]),
];

/** The argv of one helper call: prefix, this Node binary, the fixed script, then data only. @internal exported for tests */
export const helperArgv = (
  prefix: PrivilegePrefix,
  script: keyof typeof SCRIPTS,
  head: string,
  targets: readonly Identity[],
): string[] => runArgv(prefix, SCRIPTS[script], dataOf(head, targets), 'node');

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
  script: keyof typeof SCRIPTS,
  head: string,
  targets: readonly Identity[],
  each: (got: unknown, failure: string | undefined) => T | undefined,
): Promise<Map<number, T>> {
  const out = new Map<number, T>();
  if (targets.length === 0) return out;
  // The helper's own bound (10 s) keeps a hung sudo from hanging termination.
  const run = await runHelper(prefix, SCRIPTS[script], dataOf(head, targets), { language: 'node' });
  const answer = run.ok ? parseAnswer(run.stdout) : { failure: run.reason };
  for (const t of targets) {
    const result = 'json' in answer ? each(answer.json[String(t.pid)], undefined) : each(undefined, answer.failure);
    if (result !== undefined) out.set(t.pid, result);
  }
  return out;
}

/** The script's one JSON object, or why there is none. */
function parseAnswer(stdout: string): { json: Record<string, unknown> } | { failure: string } {
  try {
    return { json: JSON.parse(stdout) as Record<string, unknown> };
  } catch {
    return { failure: 'the privileged helper printed no answer' };
  }
}
