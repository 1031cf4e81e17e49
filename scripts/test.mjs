#!/usr/bin/env node
// Runs the test suite inside a private PID namespace where the kernel allows it
// (`unshare --pid --fork --mount-proc`, root or user namespaces): the tests then
// see only their own processes, and bash as the namespace's PID 1 reaps every
// orphan they make. Where unshare is refused, the suite runs as is; the tests
// still signal only what they started, and treat zombies as dead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AS_ROOT, inPidNamespace } from './pid-namespace.mjs';

const args = process.argv.slice(2);
const vitest = ['node_modules/.bin/vitest', 'run', ...args];
const env = { ...process.env };
// Jobs that tests start register in the host state: keep that off the machine's real state dir.
if (!env.STRAYS_STATE_DIR) env.STRAYS_STATE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-test-state-'));
let command = vitest;

if (env.STRAYS_TEST_NAMESPACE !== 'off') {
  // Root gets a PID namespace outright. Another user gets one inside a user namespace of its own
  // where the kernel allows those; --map-current-user keeps the same uid inside, so the tests
  // still see themselves as that user, not as root.
  const inside = inPidNamespace(vitest, [AS_ROOT, { flags: ['--user', '--map-current-user'], name: 'user+pid' }]);
  if (inside) {
    command = inside.argv;
    env.STRAYS_TEST_NAMESPACE = inside.name;
  } else if (process.platform === 'linux') {
    console.warn(
      'strays tests: unshare --pid is not permitted here (nor in a user namespace); running without a private PID namespace.',
    );
    env.STRAYS_TEST_NAMESPACE = 'none';
  }
}
// The whole suite (no file filter) type-checks and lints first (`npm run lint`: biome, then knip for
// unused files, exports and dependencies): a type error or a dead export is a failed test run.
if (args.length === 0) {
  const tsc = spawnSync('node_modules/.bin/tsc', ['--noEmit', '-p', '.'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  const lint = spawnSync('npm', ['run', '--silent', 'lint'], { stdio: 'inherit' });
  if (lint.status !== 0) process.exit(lint.status ?? 1);
}
// The integration tests run the bundles users run (dist/): build them from the sources under test first.
// A bundle restored by git is newer than the sources it was built from, so "rebuild when stale" by
// modification time once ran an old bundle against new tests; esbuild takes about a second.
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const cgroup = enterTestCgroup();
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env });
if (cgroup) leaveTestCgroup(cgroup);
if (env.STRAYS_STATE_DIR !== process.env.STRAYS_STATE_DIR)
  fs.rmSync(env.STRAYS_STATE_DIR, { recursive: true, force: true });
process.exit(result.status ?? 1);

/**
 * Runs the suite inside a cgroup of its own where cgroup v2 is writable: the
 * tests create job cgroups (README "Isolation") under it, and whatever a test leaves
 * there (a job started and never checked) is removed with it at the end.
 */
function enterTestCgroup() {
  try {
    const line = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((l) => l.split(' - ')[1]?.startsWith('cgroup2 '));
    const [, , , root, mountPoint] = line?.split(' ') ?? [];
    const own = /^0::(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    if (!mountPoint || own === undefined || root !== '/') return undefined;
    const origin = path.join(mountPoint, own);
    const dir = path.join(origin, `strays-tests-${process.pid}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(process.pid));
    return { origin, dir };
  } catch {
    return undefined; // not permitted here: the tests fall back to marker isolation on their own
  }
}

function leaveTestCgroup({ origin, dir }) {
  try {
    fs.writeFileSync(path.join(origin, 'cgroup.procs'), String(process.pid));
    const dirs = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
      dirs.push(d);
    };
    walk(dir);
    for (const d of dirs) fs.rmdirSync(d); // children first; EBUSY means a test left a process: say so
  } catch (error) {
    console.warn(`strays tests: could not remove the test cgroup ${dir}: ${error.message}`);
  }
}
