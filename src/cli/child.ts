/**
 * The guarded command of `strays run`: spawned in its own session and
 * process group (setsid, via `detached`), so strays can signal the whole
 * group at once and no signal aimed at strays's own group (a terminal's ^C,
 * a runner's `kill -TERM -pgid`) reaches the command except through strays.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT } from './exit.js';

export type ChildEnd =
  | { readonly kind: 'exited'; readonly status: number; readonly description: string }
  /** It never ran: ENOENT → 127, EACCES and other exec failures → 126, as POSIX shells report them. */
  | { readonly kind: 'not-started'; readonly status: number; readonly description: string };

export interface GuardedChild {
  readonly pid: number | undefined;
  readonly ended: Promise<ChildEnd>;
  /** True until the leader has exited and been reaped; after that its pid may be reused. */
  readonly running: () => boolean;
  /** Sends `signal` to the command's process group, only while its leader is unreaped. */
  readonly signalGroup: (signal: NodeJS.Signals) => boolean;
}

/**
 * Whether a shell's search of PATH finds `name` (an empty entry is the working directory): a file of any
 * mode, as one found but not executable is 126, not 127.
 */
export function onPath(name: string, pathVar: string | undefined): boolean {
  return (pathVar ?? '').split(':').some((dir) => {
    try {
      return fs.statSync(path.join(dir || '.', name)).isFile();
    } catch {
      return false; // not there, or in a directory this user cannot search
    }
  });
}

/** 128 + signal number, as a shell reports a command killed by a signal. */
export const signalStatus = (signal: NodeJS.Signals): number => 128 + (os.constants.signals[signal] ?? 0);

export function startGuarded(command: string, args: readonly string[], env: NodeJS.ProcessEnv): GuardedChild {
  let child: ChildProcess;
  let reaped = false;
  const ended = new Promise<ChildEnd>((resolve) => {
    child = spawn(command, [...args], { detached: true, stdio: 'inherit', env });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // an error after a successful spawn (e.g. kill failed) is not an exec failure
      reaped = true;
      // execvp(3) answers EACCES when a PATH directory cannot be searched and the name was found nowhere
      // else; a shell says "command not found" (127) then, and so does strays.
      const unsearchable =
        error.code === 'EACCES' && !command.includes('/') && !onPath(command, env.PATH ?? process.env.PATH);
      const notFound = error.code === 'ENOENT' || unsearchable;
      resolve({
        kind: 'not-started',
        status: notFound ? EXIT.notFound : EXIT.cannotExecute,
        description: notFound
          ? `command not found: ${command} (${unsearchable ? 'EACCES: no readable PATH directory holds it' : 'ENOENT'})`
          : `cannot execute ${command} (${error.code ?? error.message})`,
      });
    });
    child.once('exit', (code, signal) => {
      reaped = true;
      if (signal) resolve({ kind: 'exited', status: signalStatus(signal), description: `killed by ${signal}` });
      else resolve({ kind: 'exited', status: code ?? EXIT.failure, description: `exited with status ${code ?? '?'}` });
    });
  });
  // biome-ignore lint/style/noNonNullAssertion: spawn() runs synchronously inside the Promise executor, so `child` is set here.
  const leader = child!;
  return {
    pid: leader.pid,
    ended,
    running: () => !reaped && leader.pid !== undefined,
    signalGroup: (signal) => {
      // An unreaped leader pins its pid, so -pid is still this command's group (never a recycled one).
      if (reaped || leader.pid === undefined) return false;
      try {
        process.kill(-leader.pid, signal);
        return true;
      } catch {
        return false; // ESRCH: the group is empty; a fact, not a failure
      }
    },
  };
}
