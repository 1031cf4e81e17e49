/**
 * GitLab CI, simulated the way gitlab-runner runs a job (gitlab-runner
 * shells/bash.go and the shell executor): the long-lived `gitlab-runner`
 * service starts each stage as a new `bash -l` reading a script that begins
 * `trap exit 1 TERM`, `set -o errexit` and runs the job's lines in
 * `: | eval '…'` (a subshell bash forks for the pipeline), with the job's
 * variables exported at its top. `before_script` + `script` are one stage
 * (`step_script`); `after_script` is a new shell after it, whose failure never
 * fails the job. Docker executor: every stage in a new container (here a new
 * PID namespace with its own /proc), so after_script never sees the job's processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listJobs } from '../../src/host/index.js';
import { ensureBuilt } from '../cli-support.js';
import { Leakers, isAlive, waitFor } from '../helpers/leakers.js';
import {
  binDir,
  buildEnv,
  pastOlderThan,
  pidByArgv,
  pidIn,
  recipe,
  startDriver,
  expectSweepSparesRunningBuild,
  sweepNow,
  yamlLists,
} from './support.js';
import { itIf, needsRoot } from '../helpers/requires.js';

let leakers: Leakers;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => leakers.cleanup());

/** gitlab-runner: `stage FILE` pipes the generated script into a new `bash -l` (or a container's). */
const RUNNER = String.raw`
stage() {
  {
    echo 'trap exit 1 TERM'
    echo 'if set -o | grep pipefail > /dev/null; then set -o pipefail; fi; set -o errexit'
    echo 'set +o noclobber'
    printf ': | eval %q\n' "$(cat "$1")"
    echo 'exit 0'
  } | $SIM_CONTAINER bash -l
}
stage "$1"; status=$?
stage "$2" || echo "after_script failed: $? (the job's status stays $status)"
exit $status
`;

/** The job's variables, exported at the top of each stage's script as the runner does. */
function stageScript(lines: readonly string[], vars: Record<string, string>): string {
  const exports = Object.entries(vars).map(([k, v]) => `export ${k}='${v}'`);
  return [...exports, ...lines].join('\n');
}

// The container is simulated with unshare --pid --mount-proc, which needs root.
const dockerMissing = needsRoot('simulates the container with unshare --pid');

/** The docker executor: step_script and after_script, the job's variables on top, each in a container of its own. */
function startContainerStages(
  bin: string,
  hostState: string,
  vars: Record<string, string>,
  stages: { step: readonly string[]; after: readonly string[] },
): ReturnType<typeof startDriver> {
  const stepScript = path.join(leakers.dir, 'step_script');
  fs.writeFileSync(stepScript, stageScript(stages.step, vars));
  const afterScript = path.join(leakers.dir, 'after_script');
  fs.writeFileSync(afterScript, stageScript(stages.after, vars));
  const container = 'unshare --pid --fork --mount-proc --kill-child';
  return startDriver(
    leakers,
    bin,
    'gitlab-runner',
    RUNNER,
    [stepScript, afterScript],
    buildEnv(bin, hostState, { SIM_CONTAINER: container }),
  );
}

describe('GitLab CI', () => {
  it('shell executor: before_script starts, script leaks, a sweep mid-job ends nothing, after_script ends the leak', async () => {
    leakers = new Leakers();
    const bin = binDir(leakers.dir, ['gitlab-runner']);
    const stateDir = path.join(leakers.dir, 'state');
    const buildsDir = path.join(leakers.dir, 'builds');
    fs.mkdirSync(buildsDir);
    const f = { leak: leakers.file('leak'), cmd: leakers.file('cmd'), go: leakers.file('go') };
    const before = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 380' &`);
    const lists = yamlLists(recipe('gitlab-shell'));
    const vars = {
      PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      CI_JOB_ID: '4242',
      CI_JOB_NAME: 'unit tests',
      CI_BUILDS_DIR: buildsDir,
      STRAYS_STATE_DIR: stateDir,
      NO_COLOR: '1',
    };
    const script = [
      `setsid sh -c 'echo $$ > "${f.leak}"; exec sleep 381' &`,
      `sh -c 'echo $$ > "${f.cmd}"; while [ ! -e "${f.go}" ]; do sleep 0.05; done'`,
    ];
    const stepScript = path.join(leakers.dir, 'step_script');
    const afterScript = path.join(leakers.dir, 'after_script');
    fs.writeFileSync(stepScript, stageScript([...(lists.before_script ?? []), ...script], vars));
    fs.writeFileSync(afterScript, stageScript(lists.after_script ?? [], vars));
    expect(lists.before_script?.[0]).toMatch(/^strays start --ci gitlab /);

    const runner = startDriver(
      leakers,
      bin,
      'gitlab-runner',
      RUNNER,
      [stepScript, afterScript],
      buildEnv(bin, stateDir, { SIM_CONTAINER: '' }),
    );
    const command = await pidIn(f.cmd, 'the script command');
    const leak = await pidIn(f.leak, 'the leaked daemon');
    leakers.track(command);
    leakers.track(leak);
    // The owner is the step_script shell (bash -l), not the `: | eval` subshell it forked.
    const owner = listJobs({ stateDir }).jobs[0]?.owner.pid as number;
    expect(fs.readFileSync(`/proc/${owner}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual(['bash', '-l']);
    expect(Number(fs.readFileSync(`/proc/${owner}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])).toBe(runner.pid);

    await expectSweepSparesRunningBuild(stateDir, [command, leak]);

    fs.writeFileSync(f.go, '');
    const { status, output } = await runner.done;
    expect(status).toBe(0);
    expect(output).toMatch(/1 leaked process/);
    expect(output).toContain('sleep 381');
    expect(output).toContain('unit tests'); // CI_JOB_NAME in the Step column
    await waitFor(() => !isAlive(leak), 'the leak to end');
    expect(isAlive(before)).toBe(true);
    expect(isAlive(runner.pid)).toBe(false);
  });

  itIf(
    dockerMissing,
    "docker executor: the before/after_script recipe fails loudly, since the stage shell is the container's PID 1",
    async () => {
      leakers = new Leakers();
      const bin = binDir(leakers.dir, ['gitlab-runner']);
      const buildsDir = path.join(leakers.dir, 'builds'); // a volume both containers mount
      fs.mkdirSync(buildsDir);
      const ran = leakers.file('ran');
      const lists = yamlLists(recipe('gitlab-shell'));
      const vars = {
        PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
        CI_JOB_ID: '78',
        CI_JOB_NAME: 'docker',
        CI_BUILDS_DIR: buildsDir,
        STRAYS_STATE_DIR: path.join(leakers.dir, 'container-state'),
        NO_COLOR: '1',
      };
      const runner = startContainerStages(bin, path.join(leakers.dir, 'host-state'), vars, {
        step: [...(lists.before_script ?? []), `echo ran > "${ran}"`],
        after: lists.after_script ?? [],
      });
      const { status, output } = await runner.done;
      // No process in the container outlives the stage but its PID 1: start says so and fails the job,
      // rather than guard nothing; after_script (a new container) has no state to check.
      expect(status).not.toBe(0);
      expect(output).toMatch(
        /strays start: Cannot choose the job owner: .*wrap the command instead: strays run -- CMD/,
      );
      expect(fs.existsSync(ran)).toBe(false);
    },
  );

  itIf(
    dockerMissing,
    'docker executor: strays run around the script reports and ends the leak; a host sweep leaves the running container alone',
    async () => {
      leakers = new Leakers();
      const bin = binDir(leakers.dir, ['gitlab-runner']);
      const hostState = path.join(leakers.dir, 'host-state');
      const f = { go: leakers.file('go') };
      const lists = yamlLists(recipe('gitlab-docker'));
      const project = path.join(leakers.dir, 'project');
      fs.mkdirSync(path.join(project, 'ci'), { recursive: true });
      fs.writeFileSync(
        path.join(project, 'ci', 'test.sh'),
        `#!/bin/sh\nsetsid sh -c 'exec sleep 391' &\nwhile [ ! -e "${f.go}" ]; do sleep 0.05; done\n`,
        { mode: 0o755 },
      );
      // Each stage in a new container: a new PID namespace with its own /proc, its own state directory.
      const vars = {
        PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
        CI_JOB_ID: '77',
        STRAYS_STATE_DIR: path.join(leakers.dir, 'container-state'),
        NO_COLOR: '1',
      };
      const runner = startContainerStages(bin, hostState, vars, {
        step: [`cd ${project}`, ...(lists.script ?? [])],
        after: ['true'],
      });

      const leak = await waitFor(() => pidByArgv('sleep 391'), 'the leaked daemon in the container', 30_000);
      leakers.track(leak);
      await pastOlderThan();
      const swept = await sweepNow(hostState);
      expect(swept.out).not.toMatch(/ended: pid/);
      expect(isAlive(leak)).toBe(true);

      fs.writeFileSync(f.go, '');
      const { status, output } = await runner.done;
      expect(output).toMatch(/1 leaked process/);
      expect(output).toContain('sleep 391');
      // --fail-on-leak fails the job although the script succeeded: strays run exits 3, which errexit
      // in bash's `: | eval` subshell turns into a failed stage (bash reports it as 1).
      expect(output).toMatch(/1 leaked process .*failing the job/);
      expect(status).not.toBe(0);
      expect(isAlive(leak)).toBe(false);
    },
  );
});
