/**
 * A keeper: the job owner `strays start --ci jenkins` leaves running, where no
 * process of the CI system outlives a step (README, Jenkins). A plain node
 * process with no children (nothing new appears in the process table while it
 * waits), without STRAYS_SESSION (never the job's leak), and with the CI
 * system's own kill marks (JENKINS_NODE_COOKIE) inherited.
 */
import { spawn } from 'node:child_process';
import { SESSION_VAR } from '../engine/index.js';

/** How long a keeper waits at most (a day: longer than any build we expect). */
export const KEEPER_MAX_MS = 24 * 60 * 60 * 1000;

/** Polls every second; gives the state file 60 s to appear (start writes it right after the snapshot). */
const SCRIPT = `
const fs = require('node:fs');
const [file, max] = process.argv.slice(1);
const began = Date.now();
let seen = false;
process.on('SIGHUP', () => undefined);
process.title = 'strays-keeper';
setInterval(() => {
  let there = true;
  try { fs.lstatSync(file); seen = true; } catch { there = false; }
  if ((seen && !there) || (!seen && Date.now() - began > 60000) || Date.now() - began > Number(max)) process.exit(0);
}, 1000);
`;

export interface Keeper {
  readonly pid: number;
  /** Ends the keeper (start failed after spawning it). */
  stop(): void;
}

export function spawnKeeper(stateFile: string, maxMs = KEEPER_MAX_MS): Keeper {
  const env = { ...process.env };
  delete env[SESSION_VAR];
  const child = spawn(process.execPath, ['-e', SCRIPT, stateFile, String(maxMs)], {
    detached: true,
    stdio: 'ignore',
    env,
  });
  child.unref();
  if (child.pid === undefined) throw new Error(`Cannot start the job's keeper process (${process.execPath}).`);
  const pid = child.pid;
  return {
    pid,
    stop() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone: a fact, not a failure
      }
    },
  };
}
