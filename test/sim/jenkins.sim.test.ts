/**
 * Jenkins, simulated the way the durable-task plugin runs `sh` steps
 * (BourneShellScript.java, script launcher): the agent starts
 * `nohup sh -c '(cp script.sh script.sh.copy; { heartbeat } & JENKINS_SERVER_COOKIE=…
 * sh -xe script.sh.copy > log; echo $? > result; wait) >&- 2>&- &'`, so the
 * step's shell is orphaned at once and exits with the step; the agent polls for
 * the result file. `sh(returnStdout: true)` writes stdout to output.txt and
 * `env.X = …` hands it to later steps; declarative `post { always }` runs even
 * after a failed stage. The agent is a process named `java`, as the JVM is.
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
plan=$1
run_step() {
  c=$(mktemp -d "$WORKSPACE@tmp/durable-XXXXXX")
  printf '%s\n' "$1" > "$c/script.sh"
  if [ "$2" = capture ]; then out="> '$c/output.txt' 2> '$c/jenkins-log.txt'"; else out="> '$c/jenkins-log.txt' 2>&1"; fi
  env $STEP_ENV nohup sh -c "(cp '$c/script.sh' '$c/script.sh.copy'; { while [ -d '$c' -a \! -f '$c/jenkins-result.txt' ]; do touch '$c/jenkins-log.txt'; sleep 3; done } & jsc=durable-$RANDOM; JENKINS_SERVER_COOKIE=\$jsc 'sh' -xe '$c/script.sh.copy' $out; echo \$? > '$c/jenkins-result.txt.tmp'; mv '$c/jenkins-result.txt.tmp' '$c/jenkins-result.txt'; wait) >&- 2>&- &" > /dev/null 2>&1
  while [ ! -f "$c/jenkins-result.txt" ]; do sleep 0.05; done
  cat "$c/jenkins-log.txt"
  STEP_OUT=$(cat "$c/output.txt" 2> /dev/null)
  return "$(cat "$c/jenkins-result.txt")"
}
# env.X = … sets X in the pipeline's environment for later steps, never in the agent's own.
STEP_ENV=''
status=0; failed=0
while read -r mode var file; do
  if [ "$mode" = post ]; then run_step "$(cat "$file")" plain || status=$?; continue; fi
  [ "$failed" = 0 ] || continue
  if run_step "$(cat "$file")" "$mode"; then
    [ "$mode" = capture ] && STEP_ENV="$STEP_ENV $var=$(printf %s "$STEP_OUT" | tr -d '\n')"
  else
    status=$?; failed=1
  fi
done < "$plan"
exit $status
`;

interface Step {
  readonly mode: 'plain' | 'capture' | 'post';
  readonly variable?: string;
  readonly script: string;
}

/** The `sh` steps of a Jenkinsfile recipe, in order: `env.X = sh(script: '…', returnStdout: true)`, `sh '…'`, and those in `post`. */
function jenkinsSteps(text: string): Step[] {
  const post = text.indexOf('post {');
  const steps: Step[] = [];
  for (const m of text.matchAll(/(?:env\.(\w+)\s*=\s*)?sh\s*\(?\s*(?:script:\s*)?'([^']*)'/g)) {
    const mode = m[1] ? 'capture' : post >= 0 && (m.index ?? 0) > post ? 'post' : 'plain';
    steps.push({ mode, variable: m[1], script: m[2] as string });
  }
  return steps;
}

function writePlan(dir: string, steps: readonly Step[]): string {
  const plan = steps.map((s, i) => {
    const file = path.join(dir, `step-${i + 1}.txt`);
    fs.writeFileSync(file, s.script);
    return `${s.mode} ${s.variable ?? '-'} ${file}`;
  });
  const file = path.join(dir, 'plan');
  fs.writeFileSync(file, `${plan.join('\n')}\n`);
  return file;
}

function workspace(dir: string, gate: { leak: string; cmd: string; go: string }): string {
  const ws = path.join(dir, 'workspace');
  fs.mkdirSync(ws);
  fs.mkdirSync(`${ws}@tmp`);
  fs.writeFileSync(
    path.join(ws, 'build.sh'),
    `#!/bin/sh\nsetsid sh -c 'echo $$ > "${gate.leak}"; exec sleep 401' &\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(
    path.join(ws, 'test.sh'),
    `#!/bin/sh\necho $$ > "${gate.cmd}"\nwhile [ ! -e "${gate.go}" ]; do sleep 0.05; done\n`,
    { mode: 0o755 },
  );
  return ws;
}

describe('Jenkins sh steps (durable-task)', () => {
  it('several steps: start in the first, a leak in the second, a sweep during the third ends nothing, post ends the leak', async () => {
    leakers = new Leakers();
    const bin = binDir(leakers.dir, ['java']);
    const stateDir = path.join(leakers.dir, 'state');
    const gate = { leak: leakers.file('leak'), cmd: leakers.file('cmd'), go: leakers.file('go') };
    const ws = workspace(leakers.dir, gate);
    const text = recipe('jenkins-pipeline');
    const steps = jenkinsSteps(text);
    expect(steps.map((s) => s.mode)).toEqual(['capture', 'plain', 'plain', 'post']);
    const tag = `jenkins-sim-${process.pid}`;
    const environment = /environment \{ (\w+) = "([^"]*)" \}/.exec(text);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Jenkins' own ${env.X} placeholders, replaced here as Jenkins would.
    const stateFile = (environment?.[2] ?? '').replace('${env.WORKSPACE}', ws).replace('${env.BUILD_TAG}', tag);
    const before = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 400' &`);
    const env = buildEnv(bin, stateDir, {
      WORKSPACE: ws,
      BUILD_TAG: tag,
      JOB_NAME: 'app/main',
      JENKINS_NODE_COOKIE: 'cookie-1',
      [environment?.[1] ?? 'STRAYS_STATE']: stateFile,
    });
    const agent = startDriver(leakers, bin, 'java', `cd "${ws}"\n${AGENT}`, [writePlan(leakers.dir, steps)], env);

    const command = await pidIn(gate.cmd, 'the third step');
    const leak = await pidIn(gate.leak, 'the leak of the second step');
    leakers.track(command);
    leakers.track(leak);
    const keeper = listJobs({ stateDir }).jobs[0]?.owner.pid as number;
    leakers.track(keeper);
    // The first step's shell is gone; the owner is the keeper strays start left.
    expect(isAlive(keeper)).toBe(true);
    await expectSweepSparesRunningBuild(stateDir, [command, leak]);

    fs.writeFileSync(gate.go, '');
    const { status, output } = await agent.done;
    expect(output).toMatch(/1 leaked process/);
    expect(output).toContain('sleep 401');
    expect(status).toBe(0);
    await waitFor(() => !isAlive(leak), 'the leak to end');
    await waitFor(() => !isAlive(keeper), 'the keeper to exit once the state file is removed');
    expect(isAlive(before)).toBe(true);
  });

  it("one step: strays run ends the step's leak and fails the step; a sweep during the step ends nothing", async () => {
    leakers = new Leakers();
    const bin = binDir(leakers.dir, ['java']);
    const stateDir = path.join(leakers.dir, 'state');
    const gate = { leak: leakers.file('leak'), cmd: leakers.file('cmd'), go: leakers.file('go') };
    const ws = workspace(leakers.dir, gate);
    fs.writeFileSync(
      path.join(ws, 'build.sh'),
      `#!/bin/sh\nsetsid sh -c 'echo $$ > "${gate.leak}"; exec sleep 402' &\n./test.sh\n`,
      { mode: 0o755 },
    );
    const steps = jenkinsSteps(recipe('jenkins-one-step'));
    expect(steps).toHaveLength(1);
    const env = buildEnv(bin, stateDir, { WORKSPACE: ws, BUILD_TAG: 'one', JENKINS_NODE_COOKIE: 'cookie-2' });
    const agent = startDriver(leakers, bin, 'java', `cd "${ws}"\n${AGENT}`, [writePlan(leakers.dir, steps)], env);
    const command = await pidIn(gate.cmd, 'the step');
    const leak = await pidIn(gate.leak, 'the leak');
    leakers.track(command);
    leakers.track(leak);
    await expectSweepSparesRunningBuild(stateDir, [command, leak]);
    fs.writeFileSync(gate.go, '');
    const { status, output } = await agent.done;
    expect(output).toContain('sleep 402');
    expect(status).toBe(3);
    expect(isAlive(leak)).toBe(false);
  });
});
