#!/usr/bin/env node
// Runs the test suite inside a private PID namespace where the kernel allows it
// (`unshare --pid --fork --mount-proc`, root or user namespaces): the tests then
// see only their own processes, and bash as the namespace's PID 1 reaps every
// orphan they make. Where unshare is refused, the suite runs as is; the tests
// still signal only what they started, and treat zombies as dead.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const vitest = ['node_modules/.bin/vitest', 'run', ...args];
const env = { ...process.env };
let command = vitest;

if (process.platform === 'linux' && env.STRAYS_TEST_NAMESPACE !== 'off') {
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
  if (probe.status === 0) {
    // bash -c '…; exit $?' keeps bash as PID 1 (no exec of the last command), so it waits and reaps.
    command = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', 'bash', '-c', '"$@"; exit $?', 'bash', ...vitest];
    env.STRAYS_TEST_NAMESPACE = 'pid';
  } else {
    console.warn('strays tests: unshare --pid is not permitted here; running without a private PID namespace.');
    env.STRAYS_TEST_NAMESPACE = 'none';
  }
}
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env });
process.exit(result.status ?? 1);
