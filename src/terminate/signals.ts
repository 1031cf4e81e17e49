/**
 * Sending one signal to one process, or to one process group, without ever
 * hitting a process that is not the one we mean.
 *
 * Pids are recycled: between detection and the signal a finding can exit and
 * its pid can be given to an unrelated process. So the identity (pid + start
 * ticks) is re-read from /proc immediately before every kill(2). A window of a
 * few microseconds remains between that read and the syscall (pidfd_send_signal
 * would close it, but Node has no pidfd API); it is the smallest we can make it.
 *
 * kill(2) errors: ESRCH "the target process or process group does not exist"
 * is a fact about the target, not a failure; EPERM "the calling process does
 * not have permission" means another user's process.
 */
import { type Identity, look, type NotRunning } from '../proc/index.js';
import { messageOf } from '../text/error-message.js';

export type SignalName = 'SIGSTOP' | 'SIGCONT' | 'SIGTERM' | 'SIGKILL';

export type SignalResult =
  | { readonly kind: 'sent' }
  | NotRunning
  | { readonly kind: 'denied'; readonly detail: string };

/** Signals `target` only if its pid still belongs to the process that started at `target.start`. */
export function signalProcess(target: Identity, signal: SignalName): SignalResult {
  const seen = look(target);
  // Gone, reused or a zombie: nothing of ours to signal (a zombie has exited and is not ours to reap).
  return seen.kind === 'running' ? send(target.pid, signal) : seen;
}

/**
 * kill(-pgid): every member of the group at once, so a member forked after
 * our last look is caught too. The caller decides when that is safe (groups.ts)
 * and re-checks the members' identities first.
 */
export function signalGroup(pgid: number, signal: SignalName): SignalResult {
  // kill(-1) means "every process we may signal" and kill(0) "our own group": never.
  if (!Number.isInteger(pgid) || pgid <= 1)
    return { kind: 'denied', detail: `refusing to signal process group ${pgid}` };
  return send(-pgid, signal);
}

function send(pid: number, signal: SignalName): SignalResult {
  try {
    process.kill(pid, signal);
    return { kind: 'sent' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return { kind: 'gone' };
    if (code === 'EPERM')
      return { kind: 'denied', detail: `EPERM: not permitted to send ${signal} (owned by another user)` };
    return { kind: 'denied', detail: `${signal} failed: ${code ?? messageOf(error)}` };
  }
}
