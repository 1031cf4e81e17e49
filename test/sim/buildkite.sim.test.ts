/**
 * Buildkite, simulated the way buildkite-agent runs a job (agent source,
 * internal/job/hook/wrapper.go; docs "Job lifecycle hooks"): the job's bootstrap
 * process (`buildkite-agent bootstrap`) sources each hook in a generated
 * wrapper script run by its own shell (the agent's DefaultShell, `/bin/bash -e -c`,
 * clicommand), which exits with the hook; it diffs
 * the exported environment before and after and applies the changes to later
 * phases; the command runs in a new `bash -e -c`; `pre-exit` runs after it.
 * The hooks are the README's recipe, verbatim.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listJobs } from '../../src/host/index.js';
import { ensureBuilt } from '../cli-support.js';
import { Leakers, isAlive, waitFor } from '../helpers/leakers.js';
import { binDir, buildEnv, pidIn, recipe, expectSweepSparesRunningBuild } from './support.js';

let leakers: Leakers;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => leakers.cleanup());

/** The bootstrap: runs hooks through wrappers that exit, applies their exported changes, runs the command. */
const BOOTSTRAP = String.raw`
hooks=$1
run_hook() {
  # Beside the hooks, in the test's own folder, which the test removes (a bare mktemp -d stayed in /tmp).
  w=$(mktemp -d "$hooks-$1.XXXXXX")
  {
    echo 'echo $$ >> "$SIM_WRAPPERS"'
    echo "export -p > $w/before"
    echo ". \"$hooks/$1\""
    echo 'export BUILDKITE_HOOK_EXIT_STATUS=$?'
    echo "export -p > $w/after"
    echo 'exit $BUILDKITE_HOOK_EXIT_STATUS'
  } > "$w/wrapper"
  /bin/bash -e "$w/wrapper" || { echo "hook $1 failed with status $?" >&2; return 1; }
  [ -s "$w/after" ] || { echo "hook $1 exited early" >&2; return 1; }
  # The env diff: only what the hook added or changed reaches the later phases.
  grep -vxFf "$w/before" "$w/after" | grep -v BUILDKITE_HOOK_ | sed 's/^declare -x /declare -gx /' > "$w/apply"
  . "$w/apply"
}
run_hook environment || exit 1
/bin/bash -e -c "$BUILDKITE_COMMAND"
status=$?
run_hook pre-exit || exit 1
exit $status
`;

describe('Buildkite agent hooks (environment, pre-exit)', () => {
  it('the hook wrapper exits mid-job, a sweep leaves the running build alone, pre-exit ends the leak', async () => {
    leakers = new Leakers();
    const dir = leakers.dir;
    const bin = binDir(dir, ['buildkite-agent']);
    const stateDir = path.join(dir, 'state');
    const hooks = path.join(dir, 'hooks');
    fs.mkdirSync(hooks);
    fs.writeFileSync(path.join(hooks, 'environment'), recipe('buildkite-environment'));
    fs.writeFileSync(path.join(hooks, 'pre-exit'), recipe('buildkite-pre-exit'));
    fs.writeFileSync(path.join(dir, 'bootstrap.sh'), BOOTSTRAP);
    const jobId = `0190b1c2-${process.pid}-sim`;
    const buildPath = path.join(dir, 'builds');
    const files = {
      leak: leakers.file('leak'),
      cmd: leakers.file('cmd'),
      go: leakers.file('go'),
      wrappers: leakers.file('wrappers'),
    };
    const before = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 370' &`);
    const env = buildEnv(bin, stateDir, {
      BUILDKITE_JOB_ID: jobId,
      BUILDKITE_BUILD_PATH: buildPath,
      BUILDKITE_LABEL: ':hammer: build',
      SIM_WRAPPERS: files.wrappers,
      BUILDKITE_COMMAND: `setsid sh -c 'echo $$ > "${files.leak}"; exec sleep 371' & echo $$ > "${files.cmd}"; while [ ! -e "${files.go}" ]; do sleep 0.05; done`,
    });
    const bootstrap = spawn(path.join(bin, 'buildkite-agent'), [path.join(dir, 'bootstrap.sh'), hooks], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    leakers.track(bootstrap.pid as number);
    let output = '';
    bootstrap.stdout.on('data', (d: Buffer) => (output += d.toString()));
    bootstrap.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => bootstrap.on('close', (status) => resolve(status)));

    const command = await pidIn(files.cmd, 'the build command');
    const leak = await pidIn(files.leak, 'the leaked daemon');
    leakers.track(command);
    leakers.track(leak);
    // The environment hook's wrapper has exited: it is not what the job record names.
    const wrapper = Number(fs.readFileSync(files.wrappers, 'utf8').trim().split('\n')[0]);
    expect(isAlive(wrapper)).toBe(false);
    const record = listJobs({ stateDir }).jobs;
    expect(record.map((j) => j.owner.pid)).toEqual([bootstrap.pid]); // the job's bootstrap, named buildkite-agent

    const swept = await expectSweepSparesRunningBuild(stateDir, [command, leak]);
    expect(swept.status).toBe(0);

    fs.writeFileSync(files.go, '');
    expect(await exited).toBe(0);
    expect(output).toMatch(/1 leaked process/);
    expect(output).toContain('sleep 371');
    expect(output).toContain(':hammer: build'); // --ci buildkite names the step
    await waitFor(() => !isAlive(leak), 'the leak to end');
    expect(isAlive(before)).toBe(true);
    expect(fs.readdirSync(path.join(buildPath, '.strays'))).toEqual([]); // pre-exit removed the state and the export file
  });

  it('a failing start fails the hook, so the job never runs unguarded', async () => {
    leakers = new Leakers();
    const dir = leakers.dir;
    const bin = binDir(dir, ['buildkite-agent']);
    const hooks = path.join(dir, 'hooks');
    fs.mkdirSync(hooks);
    // A state directory this user cannot create: a file stands where the directory should be.
    fs.writeFileSync(path.join(hooks, 'environment'), recipe('buildkite-environment'));
    fs.writeFileSync(path.join(dir, 'blocked'), '');
    fs.writeFileSync(path.join(hooks, 'pre-exit'), 'true\n');
    fs.writeFileSync(path.join(dir, 'bootstrap.sh'), BOOTSTRAP);
    const ran = leakers.file('ran');
    const env = buildEnv(bin, path.join(dir, 'state'), {
      BUILDKITE_JOB_ID: 'job-1',
      BUILDKITE_BUILD_PATH: path.join(dir, 'blocked'),
      SIM_WRAPPERS: leakers.file('w'),
      BUILDKITE_COMMAND: `echo ran > "${ran}"`,
    });
    const bootstrap = spawn(path.join(bin, 'buildkite-agent'), [path.join(dir, 'bootstrap.sh'), hooks], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    bootstrap.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const status = await new Promise<number | null>((resolve) => bootstrap.on('close', resolve));
    expect(status).toBe(1);
    expect(output).toMatch(/strays start: --state .*cannot be created: .* is a regular file, not a directory/);
    expect(output).toMatch(/hook environment failed with status 2/);
    expect(fs.existsSync(ran)).toBe(false);
  });
});
