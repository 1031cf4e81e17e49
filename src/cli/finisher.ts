/**
 * The finisher of `strays run`: who ends the job when strays itself cannot
 * (README, `strays run`: `su` SIGKILLs strays 2 s after its SIGTERM,
 * util-linux login-utils/su-common.c, possibly before strays's signal handler
 * has run, so the finisher exists from job start). It runs in its own session
 * (setsid, via `detached`), out of reach of a signal to strays or its group:
 * a `/bin/sh` blocked in `read` on a pipe from strays, which costs a fork and
 * no Node.js start-up. strays writes one line on that pipe:
 * - `done`: the job ended normally and strays finishes it itself; the
 *   finisher exits doing nothing.
 * - `finish`: strays forwarded a stop signal; the finisher execs
 *   `strays check --state FILE`, which ends what is left after the grace.
 * - nothing, end of file: strays was killed (the kernel closes its end of the
 *   pipe); that means `finish` too.
 */
import { spawn } from 'node:child_process';
import { signalStatus } from './child.js';
import { EXIT } from './exit.js';

/** Reads one line; `done` ends it, anything else (`finish`, EOF) execs the check given as "$0" "$@". */
const WAIT_SCRIPT = 'IFS= read -r line; [ "$line" = done ] && exit 0; exec "$0" "$@"';

export interface Finisher {
  /** The job's end is strays's own: the finisher exits without doing anything. Idempotent. */
  readonly disarm: () => Promise<void>;
  /** strays is told to stop: the finisher runs the check now. Resolves with its status. */
  readonly finish: () => Promise<number>;
}

/**
 * Starts the finisher, waiting. `checkArgs` are the `strays check` arguments
 * (after the Node.js binary); `onError` hears why it could not start.
 */
export function armFinisher(checkArgs: readonly string[], onError: (message: string) => void): Finisher {
  const child = spawn('/bin/sh', ['-c', WAIT_SCRIPT, process.execPath, ...checkArgs], {
    detached: true,
    stdio: ['pipe', 'inherit', 'inherit'],
    env: process.env,
  });
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      onError(`cannot start the finisher: ${error.message}`);
      resolve(EXIT.failure);
    });
    child.once('exit', (code, signal) => resolve(signal ? signalStatus(signal) : (code ?? EXIT.failure)));
  });
  // A finisher that died early must not crash strays with EPIPE: its status says what happened.
  child.stdin?.on('error', () => undefined);
  let told: 'done' | 'finish' | undefined;
  const tell = (word: 'done' | 'finish'): Promise<number> => {
    if (told === undefined) {
      told = word;
      child.stdin?.end(`${word}\n`);
    }
    return exited;
  };
  return {
    disarm: async () => {
      await tell('done');
    },
    finish: () => tell('finish'),
  };
}
