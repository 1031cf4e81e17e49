/**
 * A GitHub-hosted runner's user, on this machine: uid 65534 with passwordless
 * sudo, for the tests (test/hosted-runner.live.test.ts) and the bench
 * (bench/hosted.ts). The grant is a sudoers file of the caller's own,
 * bind-mounted over /etc/sudoers in a private mount namespace that only the
 * command lives in: the host's sudoers are never changed, and the rule ends
 * with the command. Root only.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** The job's user: nobody. */
export const JOB_UID = 65534;

const SWITCH =
  'mount --bind "$1" /etc/sudoers && shift && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"';

/** Writes what a hosted image grants its runner user, mode 0440 as sudo wants it; `logfile`: sudo logs every command there. */
export function writeHostedSudoers(file, logfile) {
  const log = logfile === undefined ? '' : `Defaults logfile="${logfile}"\n`;
  fs.writeFileSync(file, `Defaults env_reset\n${log}root ALL=(ALL:ALL) ALL\nnobody ALL=(ALL) NOPASSWD: ALL\n`, {
    mode: 0o440,
  });
}

/** The command and arguments that run `argv` as JOB_UID with `sudoers` as /etc/sudoers. */
export const asHostedUser = (sudoers, argv) => [
  'unshare',
  ['--mount', '--propagation', 'private', 'sh', '-c', SWITCH, 'sh', sudoers, ...argv],
];

/** Why a private mount namespace cannot be made here (a container's root may lack CAP_SYS_ADMIN), or undefined. */
export function mountNamespaceRefusal() {
  const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  return run.status === 0 ? undefined : (run.error?.message ?? (run.stderr.trim() || `exit ${run.status}`));
}
