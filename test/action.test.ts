/**
 * The action's three steps in-process, with @actions/core faked: which calls
 * they make for good and bad inputs, and what post does with real leakers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Input, Output, State } from '../src/action/constants.js';
import { SESSION_VAR, isSessionId, loadBaseline } from '../src/engine/index.js';
import { useActionStepEnv } from './helpers/action-step-env.js';
import type { FakeCore } from './helpers/fake-core.js';
import { isAlive, waitFor } from './helpers/leakers.js';
import { expectValidReport } from './helpers/report-schema.js';

const core = vi.hoisted(() => ({}) as FakeCore);
vi.mock('@actions/core', () => core);

const { readInputs } = await import('../src/action/inputs.js');
const { runPre } = await import('../src/action/run-pre.js');
const { runMain } = await import('../src/action/run-main.js');
const { runPost } = await import('../src/action/run-post.js');

const step = useActionStepEnv('strays-action-', core);

/** Runs pre and returns the session it exported. */
async function pre(): Promise<string> {
  await runPre();
  expect(core.setFailed).not.toHaveBeenCalled();
  const call = vi.mocked(core.exportVariable).mock.calls.find(([name]) => name === SESSION_VAR);
  return String(call?.[1]);
}

describe('inputs', () => {
  it('applies the action.yml defaults when the runner gave nothing', () => {
    const o = readInputs();
    expect(o).toMatchObject({
      kill: true,
      failOnLeak: true,
      graceMs: 5000,
      reportPath: undefined,
      isolation: 'auto',
      unattributed: 'report',
    });
    expect(o.allow).toEqual([]);
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('reads every input by its action.yml name', () => {
    Object.assign(core.inputs, {
      [Input.Kill]: 'false',
      [Input.FailOnLeak]: 'False',
      [Input.GracePeriod]: '500ms',
      [Input.Allow]: 'sleep 60*\nname:postgres*, redis-server *',
      [Input.ReportPath]: '/tmp/r.json',
      [Input.Isolation]: 'cgroup',
      [Input.Unattributed]: 'kill',
    });
    const o = readInputs();
    expect(o).toMatchObject({
      kill: false,
      failOnLeak: false,
      graceMs: 500,
      reportPath: '/tmp/r.json',
      isolation: 'cgroup',
      unattributed: 'kill',
    });
    expect(o.allow.map((r) => r.source)).toEqual(['sleep 60*', 'name:postgres*', 'redis-server *']);
  });

  it.each([
    [Input.Kill, 'yes', /true or false/],
    [Input.FailOnLeak, 'maybe', /true or false/],
    [Input.GracePeriod, 'soon', /"500ms", "5s", "1m"/],
    [Input.Isolation, 'docker', /auto, marker, cgroup/],
    [Input.Unattributed, 'ignore', /report, kill/],
    [Input.Allow, 'name:', /name:GLOB/],
  ])('pre fails at once on %s: %s, naming input, value and accepted forms', async (input, value, forms) => {
    core.inputs[input] = value;
    await runPre();
    expect(core.setFailed).toHaveBeenCalledTimes(1);
    const message = String(vi.mocked(core.setFailed).mock.calls[0]?.[0]);
    expect(message).toContain(input);
    expect(message).toContain(input === Input.Allow ? 'name:' : `"${value}"`);
    expect(message).toMatch(forms);
    // Nothing else happened: no marker, no state.
    expect(core.exportVariable).not.toHaveBeenCalled();
    expect(core.saveState).not.toHaveBeenCalled();
  });
});

describe('pre and main', () => {
  it('exports the session, saves the baseline under RUNNER_TEMP and its path as state', async () => {
    const session = await pre();
    expect(isSessionId(session)).toBe(true);
    expect(core.saveState).toHaveBeenCalledWith(State.BaselinePath, expect.any(String));
    const file = core.states[State.BaselinePath] as string;
    expect(path.dirname(file)).toBe(step.temp);
    const baseline = loadBaseline(file);
    expect(baseline.session).toBe(session);
    expect(baseline.snapshotter.pid).toBe(process.pid);
    expect(baseline.processes.some((p) => p.pid === process.pid)).toBe(true);
  });

  it('main logs one line with the session and the baseline size', async () => {
    const session = await pre();
    process.env[SESSION_VAR] = session;
    const count = loadBaseline(core.states[State.BaselinePath] as string).processes.length;
    vi.mocked(core.info).mockClear();
    await runMain();
    expect(core.info).toHaveBeenCalledTimes(1);
    expect(String(vi.mocked(core.info).mock.calls[0]?.[0])).toMatch(
      new RegExp(`guarded, session ${session}, ${count} processes`),
    );
    expect(core.setFailed).not.toHaveBeenCalled();
  });

  it('main warns, and does not fail, when pre left no state', async () => {
    await runMain();
    expect(core.warning).toHaveBeenCalledWith(expect.stringMatching(/pre step did not record a baseline/));
    expect(core.setFailed).not.toHaveBeenCalled();
  });
});

describe('post', () => {
  it('a clean job: leaked-count 0, a report file, a summary, no failure', async () => {
    await pre();
    await runPost();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.setOutput).toHaveBeenCalledWith(Output.LeakedCount, '0');
    const reportPath = vi.mocked(core.setOutput).mock.calls.find(([n]) => n === Output.ReportPath)?.[1] as string;
    expect(path.dirname(reportPath)).toBe(step.temp);
    expect(expectValidReport(JSON.parse(fs.readFileSync(reportPath, 'utf8')))).toMatchObject({ version: 1, leaks: [] });
    expect(core.summary.text).toMatch(/no leaked processes/i);
    expect(core.error).not.toHaveBeenCalled();
  });

  it('a leak: ended, annotated as an error naming pid and step, output counted, step failed', async () => {
    const session = await pre();
    const pid = await step.leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 311' &`, {
      env: { [SESSION_VAR]: session, GITHUB_ACTION: 'start-server' },
    });
    core.inputs[Input.GracePeriod] = '1s';
    core.inputs[Input.ReportPath] = path.join(step.temp, 'custom.json');
    await runPost();
    await waitFor(() => !isAlive(pid), `pid ${pid} to be ended`);
    expect(core.setOutput).toHaveBeenCalledWith(Output.LeakedCount, '1');
    expect(core.setOutput).toHaveBeenCalledWith(Output.ReportPath, path.join(step.temp, 'custom.json'));
    // The job-level annotation first, then one per group of identical leaks.
    expect(core.error).toHaveBeenCalledTimes(2);
    expect(String(vi.mocked(core.error).mock.calls[0]?.[0])).toMatch(/left 1 process running/);
    const [message, props] = vi.mocked(core.error).mock.calls[1] ?? [];
    expect(String(message)).toContain(`pid ${pid}`);
    expect(String(message)).toContain('start-server');
    expect(props?.title).toMatch(/strays/);
    expect(core.summary.text).toContain('sleep 311');
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/1 leaked process\b/));
    const report = expectValidReport(JSON.parse(fs.readFileSync(path.join(step.temp, 'custom.json'), 'utf8')));
    expect(report.leaks.map((l: { pid: number }) => l.pid)).toEqual([pid]);
  });

  it('kill false and fail-on-leak false: warns, leaves the process, succeeds', async () => {
    const session = await pre();
    const pid = await step.leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; exec sleep 312' &`, {
      env: { [SESSION_VAR]: session },
    });
    core.inputs[Input.Kill] = 'false';
    core.inputs[Input.FailOnLeak] = 'false';
    await runPost();
    expect(isAlive(pid)).toBe(true);
    expect(core.warning).toHaveBeenCalledWith(expect.stringContaining(`pid ${pid}`), expect.anything());
    expect(core.error).not.toHaveBeenCalled();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.setOutput).toHaveBeenCalledWith(Output.LeakedCount, '1');
  });

  it('without a baseline: warns, falls back to RUNNER_TRACKING_ID, still cleans up', async () => {
    const tracking = `github_test_${process.pid}_${Date.now()}`;
    process.env.RUNNER_TRACKING_ID = tracking;
    const before = await step.leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 313' &`, {
      env: { RUNNER_TRACKING_ID: 'github_other_job' },
    });
    const pid = await step.leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 314' &`, {
      env: { RUNNER_TRACKING_ID: tracking },
    });
    // An unmarked orphan started now: without a baseline there is no job user or start, so no time-window guess.
    const unmarked = await step.leakers.daemon(
      `env -i PIDFILE="$PIDFILE" setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 315' &`,
    );
    core.inputs[Input.GracePeriod] = '1s';
    await runPost();
    expect(isAlive(unmarked)).toBe(true);
    expect(core.warning).toHaveBeenCalledWith(expect.stringMatching(/no baseline.*RUNNER_TRACKING_ID/));
    await waitFor(() => !isAlive(pid), `pid ${pid} to be ended`);
    expect(isAlive(before)).toBe(true);
    expect(core.setOutput).toHaveBeenCalledWith(Output.LeakedCount, '1');
    expect(core.setFailed).toHaveBeenCalledTimes(1);
  });

  it('an unreadable baseline file: names the file, falls back, does not crash', async () => {
    await pre();
    fs.writeFileSync(core.states[State.BaselinePath] as string, '{"kind":');
    await runPost();
    // The digest pre kept in the action's state catches it before parsing.
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringMatching(/Baseline file .* was changed after job start.*Falling back/),
    );
    expect(core.setOutput).toHaveBeenCalledWith(Output.LeakedCount, '0');
  });

  it('a step that appends its leak to the baseline is caught by the digest; the leak is still ended by its marker', async () => {
    const session = await pre();
    const pid = await step.leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 316' &`, {
      env: { [SESSION_VAR]: session },
    });
    const file = core.states[State.BaselinePath] as string;
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { processes: Array<[number, number]> };
    data.processes.push([pid, step.leakers.track(pid).start]);
    fs.writeFileSync(file, JSON.stringify(data));
    core.inputs[Input.GracePeriod] = '1s';
    await runPost();
    expect(core.warning).toHaveBeenCalledWith(expect.stringMatching(/was changed after job start/));
    await waitFor(() => !isAlive(pid), `pid ${pid} to be ended`);
    expect(core.setOutput).toHaveBeenCalledWith(Output.LeakedCount, '1');
  });

  it("a deleted baseline and another job's STRAYS_SESSION written to the environment: the fallback keeps the session pre recorded", async () => {
    await pre();
    const otherSession = 'strays-00000000000000cc';
    const other = await step.leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 317' &`, {
      env: { [SESSION_VAR]: otherSession },
    });
    fs.rmSync(core.states[State.BaselinePath] as string);
    process.env[SESSION_VAR] = otherSession; // what a step writing to GITHUB_ENV achieves
    await runPost();
    expect(isAlive(other)).toBe(true);
    expect(core.setOutput).toHaveBeenCalledWith(Output.LeakedCount, '0');
  });

  it('on Windows: says so, touches nothing, succeeds', async () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor;
    Object.defineProperty(process, 'platform', { value: 'win32' });
    try {
      await runPre();
      await runPost();
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
    expect(core.info).toHaveBeenCalledWith(expect.stringMatching(/Windows .*not supported/));
    expect(core.getInput).not.toHaveBeenCalled();
    expect(core.exportVariable).not.toHaveBeenCalled();
    expect(core.setOutput).not.toHaveBeenCalled();
    expect(core.setFailed).not.toHaveBeenCalled();
  });
});
