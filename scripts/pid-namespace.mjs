// Running a command in a private PID namespace (`unshare --pid --fork --mount-proc`), shared by
// `npm test`, `npm run bench` and `npm run demo`: the command then sees only its own processes, and
// bash as the namespace's PID 1 reaps every orphan it makes (`bash -c '…; exit $?'` keeps bash as
// PID 1: no exec of the last command, so it waits and reaps). --kill-child ends the rest with it.
import { spawnSync } from 'node:child_process';

/** A PID namespace as root, with no extra flags. */
export const AS_ROOT = { flags: [], name: 'pid' };

/**
 * The first of `ways` the kernel permits (a user namespace first where a normal user needs one,
 * user_namespaces(7)), as the argv that runs `command` inside it; undefined where none is permitted.
 */
export function inPidNamespace(command, ways = [AS_ROOT]) {
  if (process.platform !== 'linux') return undefined;
  const base = ['--pid', '--fork', '--mount-proc'];
  const way = ways.find((w) => spawnSync('unshare', [...w.flags, ...base, 'true'], { stdio: 'ignore' }).status === 0);
  if (!way) return undefined;
  const argv = ['unshare', ...way.flags, ...base, '--kill-child', 'bash', '-c', '"$@"; exit $?', 'bash', ...command];
  return { argv, name: way.name };
}
