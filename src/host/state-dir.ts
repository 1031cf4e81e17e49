/**
 * Where a host keeps its job records (README, How a host knows its jobs):
 * root's like systemd's StateDirectory=, others' by the XDG Base Directory
 * spec; STRAYS_STATE_DIR overrides both, so a root sweeper and unprivileged
 * runners can share one directory.
 */
import os from 'node:os';
import path from 'node:path';

export const STATE_DIR_VAR = 'STRAYS_STATE_DIR';
export const ROOT_STATE_DIR = '/var/lib/strays';

export function defaultStateDir(
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
): string {
  const override = env[STATE_DIR_VAR];
  if (override !== undefined && override !== '') return path.resolve(override);
  if (uid === 0) return ROOT_STATE_DIR;
  const xdg = env.XDG_STATE_HOME;
  // The spec: a relative XDG path is invalid and must be ignored.
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'strays');
  return path.join(env.HOME || os.homedir(), '.local', 'state', 'strays');
}
