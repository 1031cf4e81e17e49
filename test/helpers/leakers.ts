/**
 * Real leakers for integration tests, and the cleanup that guarantees a test
 * leaves none behind.
 *
 * Every leaker writes its own pid to a file before it settles (`echo $$ >
 * file; exec …`), so the test knows the exact pid of a process that
 * double-forked or called setsid. Cleanup signals only those pids, and only
 * while they still have the start time they had when the test learnt them:
 * never by name, never a recycled pid.
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readStat } from '../../src/proc/linux.js';
import type { Identity } from '../../src/proc/types.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `test` every 20 ms until it is truthy; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(test: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = test();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const isAlive = (pid: number): boolean => {
  const s = readStat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
};

export class Leakers {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-test-'));
  private readonly tracked = new Map<number, number>();
  private readonly children: ChildProcess[] = [];
  private counter = 0;

  /** Remembers a pid (with its current start time) for cleanup. */
  track(pid: number): Identity {
    const s = readStat(pid);
    if (!s) throw new Error(`pid ${pid} is not running`);
    this.tracked.set(pid, s.startTicks);
    return { pid, start: s.startTicks };
  }

  /** track(), except that a pid already gone is a fact, not a failure. */
  trackIfAlive(pid: number): void {
    const s = readStat(pid);
    if (s && s.state !== 'Z' && s.state !== 'X') this.tracked.set(pid, s.startTicks);
  }

  /** A fresh file path inside this test's temp dir. */
  file(name = 'pid'): string {
    return path.join(this.dir, `${name}-${++this.counter}`);
  }

  /**
   * Runs `sh -c script` with `$PIDFILE` set; the script must arrange for the
   * leaker to write its pid there (e.g. `setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' &`).
   * Resolves with the leaker's pid once the file is written and the `sh -c` that started it has
   * exited (unless it is the leaker itself, or `shellStays` says it waits on purpose): that shell
   * carries the same environment, so a check that ran while it was still exiting would rightly
   * count it as a second leak.
   */
  async daemon(
    script: string,
    options: { env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number; shellStays?: boolean } = {},
  ): Promise<number> {
    const pidFile = this.file();
    const child = this.spawn('sh', ['-c', script], {
      env: { ...process.env, ...options.env, PIDFILE: pidFile },
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      stdio: 'ignore',
    });
    const pid = await waitFor(() => {
      const text = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : '';
      return /^\d+$/.test(text) ? Number(text) : undefined;
    }, `pid file of: ${script}`);
    this.track(pid);
    // The shell may still be exiting (`git daemon --detach` forks and its parent exits): node can reap it
    // between any check and the read, so it is tracked only if its start time can still be read.
    if (child.pid !== undefined && child.pid !== pid) this.trackIfAlive(child.pid);
    if (child.pid !== pid && !options.shellStays)
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, `the shell of: ${script} to exit`);
    return pid;
  }

  /** spawn() that records the child for cleanup. */
  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: 'ignore', ...options });
    this.children.push(child);
    child.on('error', () => undefined);
    if (child.pid !== undefined) this.tracked.set(child.pid, readStat(child.pid)?.startTicks ?? -1);
    return child;
  }

  /** SIGKILLs every tracked pid that still has its recorded start time, then removes the temp dir. */
  async cleanup(): Promise<void> {
    for (const [pid, start] of this.tracked) {
      const now = readStat(pid);
      if (!now || (start !== -1 && now.startTicks !== start)) continue;
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone: a fact, not a failure
      }
    }
    this.tracked.clear();
    await sleep(20);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
