/**
 * Leaks for the termination rows: `count` sleeps that carry this job's
 * STRAYS_SESSION, left behind by a step shell that exits at once, so they are
 * orphans (reparented to PID 1) as a real leaked daemon is. `set -m` gives
 * each one its own process group, as a shell with job control does: the
 * worst case for termination (one group per leak, not one group for all).
 * The last `ignoring` of them ignore SIGTERM (`trap '' TERM` is inherited
 * across fork and exec as SIG_IGN), so only SIGKILL after grace ends them.
 */
import { spawn } from 'node:child_process';
import { readStat } from '../src/proc/linux.js';
import type { Identity } from '../src/proc/types.js';

const SCRIPT = [
  'set -m',
  'for ((i = 0; i < $1; i++)); do sleep 86400 </dev/null >/dev/null 2>&1 & echo $!; done',
  "trap '' TERM",
  'for ((i = 0; i < $2; i++)); do sleep 86400 </dev/null >/dev/null 2>&1 & echo $!; done',
].join('\n');

export async function startLeaks(count: number, ignoring: number, env: NodeJS.ProcessEnv): Promise<Identity[]> {
  const shell = spawn('bash', ['-c', SCRIPT, 'step', String(count - ignoring), String(ignoring)], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env,
    detached: true, // its own session, as a step of the runner is not the bench's
  });
  let out = '';
  shell.stdout.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    shell.once('error', reject);
    shell.once('close', () => resolve());
  });
  const pids = out
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
  if (pids.length !== count) throw new Error(`started ${pids.length} of ${count} leaks`);
  return pids.flatMap((pid) => {
    const s = readStat(pid);
    return s ? [{ pid, start: s.startTicks }] : [];
  });
}

/** SIGKILLs whatever of `leaks` is still alive with the same start time (never a reused pid). */
export function endLeaks(leaks: readonly Identity[]): number {
  let left = 0;
  for (const leak of leaks) {
    const s = readStat(leak.pid);
    if (!s || s.startTicks !== leak.start || s.state === 'Z' || s.state === 'X') continue;
    left++;
    try {
      process.kill(leak.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return left;
}
