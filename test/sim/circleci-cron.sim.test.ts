/**
 * CircleCI and cron, simulated as they run commands.
 * - CircleCI: the task's `circleci-agent` runs each `run` step as its own
 *   `/bin/bash -eo pipefail -c COMMAND` (the default shell in CircleCI's
 *   configuration reference); bash sources `$BASH_ENV` when it starts, which is
 *   how variables reach later steps; `when: always` steps run after a failure too.
 * - cron: the daemon forks and runs the crontab line's command with
 *   `/bin/sh -c` (crontab(5): "the entire command portion of the line … will be
 *   executed by /bin/sh").
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listJobs } from '../../src/host/index.js';
import { ensureBuilt } from '../cli-support.js';
import { Leakers, isAlive, waitFor } from '../helpers/leakers.js';
import { binDir, buildEnv, pidIn, recipe, startDriver, expectSweepSparesRunningBuild } from './support.js';

let leakers: Leakers;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => leakers.cleanup());

const AGENT = String.raw`
status=0
while IFS=$(printf '\t') read -r when cmd; do
  [ "$status" = 0 ] || [ "$when" = always ] || continue
  /bin/bash -eo pipefail -c "$cmd" || { s=$?; [ "$status" = 0 ] && status=$s; }
done < "$1"
exit $status
`;

/** The `run` steps of a CircleCI recipe, in order, with `when: always`. */
function circleSteps(text: string): Array<{ command: string; always: boolean }> {
  const steps: Array<{ command: string; always: boolean }> = [];
  for (const line of text.split('\n')) {
    const inline = /^\s*- run: (.+)$/.exec(line);
    if (inline?.[1]) steps.push({ command: inline[1], always: false });
    else if (/^\s*- run:\s*$/.test(line)) steps.push({ command: '', always: false });
    const command = /^\s*command: (.+)$/.exec(line);
    const last = steps[steps.length - 1];
    if (command?.[1] && last) last.command = command[1];
    if (/^\s*when: always\s*$/.test(line) && last) last.always = true;
  }
  return steps;
}

function gatedScript(file: string, gate: { leak: string; cmd: string; go: string }, sleep: number): void {
  fs.writeFileSync(
    file,
    `#!/bin/sh\nsetsid sh -c 'echo $$ > "${gate.leak}"; exec sleep ${sleep}' &\necho $$ > "${gate.cmd}"\nwhile [ ! -e "${gate.go}" ]; do sleep 0.05; done\n`,
    { mode: 0o755 },
  );
}

describe('CircleCI run steps', () => {
  it('start hands the marker on through $BASH_ENV; a sweep mid-job ends nothing; the always step ends the leak', async () => {
    leakers = new Leakers();
    const bin = binDir(leakers.dir, ['circleci-agent']);
    const stateDir = path.join(leakers.dir, 'state');
    const project = path.join(leakers.dir, 'project');
    fs.mkdirSync(project);
    const gate = { leak: leakers.file('leak'), cmd: leakers.file('cmd'), go: leakers.file('go') };
    gatedScript(path.join(project, 'build.sh'), gate, 411);
    const steps = circleSteps(recipe('circleci'));
    expect(steps.map((s) => s.always)).toEqual([false, false, true]);
    const plan = path.join(leakers.dir, 'plan');
    fs.writeFileSync(plan, `${steps.map((s) => `${s.always ? 'always' : 'success'}\t${s.command}`).join('\n')}\n`);
    const bashEnv = path.join(leakers.dir, 'bash_env');
    fs.writeFileSync(bashEnv, '');
    const before = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 410' &`);
    const env = buildEnv(bin, stateDir, {
      BASH_ENV: bashEnv,
      CIRCLE_JOB: 'build-and-test',
      CIRCLE_WORKFLOW_JOB_ID: 'f1e2d3c4',
      HOME: leakers.dir,
    });
    const agent = startDriver(leakers, bin, 'circleci-agent', `cd "${project}"\n${AGENT}`, [plan], env);

    const command = await pidIn(gate.cmd, 'the build step');
    const leak = await pidIn(gate.leak, 'the leak');
    leakers.track(command);
    leakers.track(leak);
    expect(listJobs({ stateDir }).jobs.map((j) => j.owner.pid)).toEqual([agent.pid]);
    await expectSweepSparesRunningBuild(stateDir, [command, leak]);

    fs.writeFileSync(gate.go, '');
    const { status, output } = await agent.done;
    expect(output).toContain('sleep 411');
    expect(output).toContain('build-and-test'); // CIRCLE_JOB in the Step column
    expect(status).toBe(3); // --fail-on-leak in the always step fails the job
    await waitFor(() => !isAlive(leak), 'the leak to end');
    expect(isAlive(before)).toBe(true);
    expect(fs.readdirSync(path.join(leakers.dir, '.strays'))).toEqual([]); // --remove-state
  });
});

describe('cron', () => {
  it("strays run in a crontab line ends the job's leak; a sweep while the job runs ends nothing", async () => {
    leakers = new Leakers();
    const bin = binDir(leakers.dir, ['cron']);
    const stateDir = path.join(leakers.dir, 'state');
    const gate = { leak: leakers.file('leak'), cmd: leakers.file('cmd'), go: leakers.file('go') };
    const nightly = path.join(leakers.dir, 'nightly.sh');
    gatedScript(nightly, gate, 421);
    const line = recipe('cron').trim();
    const fields = line.split(/\s+/);
    expect(fields[5]).toBe('ci'); // the user field of /etc/cron.d
    const command = fields.slice(6).join(' ').replace('/opt/jobs/nightly.sh', nightly);
    const before = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 420' &`);
    const cron = startDriver(leakers, bin, 'cron', 'exec /bin/sh -c "$1"', [command], buildEnv(bin, stateDir));

    const job = await pidIn(gate.cmd, 'the cron job');
    const leak = await pidIn(gate.leak, 'the leak');
    leakers.track(job);
    leakers.track(leak);
    await expectSweepSparesRunningBuild(stateDir, [job, leak]);

    fs.writeFileSync(gate.go, '');
    const { status, output } = await cron.done;
    expect(output).toContain('sleep 421');
    expect(status).toBe(3);
    expect(isAlive(leak)).toBe(false);
    expect(isAlive(before)).toBe(true);
  });
});
