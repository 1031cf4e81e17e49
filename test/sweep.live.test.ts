/**
 * `strays sweep` against real processes: each test has its own state
 * directory, its own owners and marked daemons, and ends only what it started.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { newSessionId, SESSION_VAR, TRACKING_VAR } from '../src/engine/session.js';
import { listJobs, renderSweep, sweep, type SweepOptions } from '../src/host/index.js';
import { isAlive, Leakers } from './helpers/leakers.js';
import { markedDaemon, registeredJob, tempStateDir } from './helpers/sweep-jobs.js';

let leakers: Leakers;
let stateDir: string;
afterEach(async () => {
  await leakers.cleanup();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

const setup = (): void => {
  leakers = new Leakers();
  stateDir = tempStateDir();
};

const options = (more: Partial<SweepOptions> = {}): SweepOptions => ({
  olderThanMs: 0,
  dryRun: false,
  graceMs: 2000,
  unrecorded: false,
  stateDir,
  ...more,
});

describe('strays sweep', () => {
  it('ends the marked daemon of a job whose owner has exited, and removes its record', async () => {
    setup();
    const job = await registeredJob(leakers, stateDir);
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    await job.end();
    const result = await sweep(options());
    expect(result.plan.jobs.map((j) => [j.record.session, j.state])).toEqual([[job.session, 'over']]);
    expect(result.plan.targets.map((t) => t.process.pid)).toEqual([daemon]);
    expect(result.plan.targets[0]?.reasons.join(' ')).toMatch(/owner pid \d+ \(sleep\) has exited/);
    expect(result.termination.results.find((r) => r.pid === daemon)?.outcome).toMatch(/^(exited|zombie)$/);
    expect(isAlive(daemon)).toBe(false);
    expect(result.pruned).toEqual([job.session]);
    expect(listJobs({ stateDir }).jobs).toEqual([]);
  });

  it('ends a daemon that carries only the RUNNER_TRACKING_ID of a job that is over', async () => {
    setup();
    const tracking = `tracking-${newSessionId()}`;
    const job = await registeredJob(leakers, stateDir, { runnerTrackingId: tracking });
    const daemon = await markedDaemon(leakers, { [TRACKING_VAR]: tracking });
    await job.end();
    const result = await sweep(options());
    expect(result.plan.targets.map((t) => [t.process.pid, t.attribution])).toEqual([[daemon, 'tracking-id']]);
    expect(isAlive(daemon)).toBe(false);
  });

  it('ends a leftover that ignores SIGTERM with SIGKILL after the grace period', async () => {
    setup();
    const job = await registeredJob(leakers, stateDir);
    const stubborn = await leakers.daemon(
      `setsid sh -c 'trap "" TERM; echo $$ > "$PIDFILE"; while :; do sleep 1; done' &`,
      { env: { [SESSION_VAR]: job.session } },
    );
    await job.end();
    const result = await sweep(options({ graceMs: 300 }));
    const r = result.termination.results.find((x) => x.pid === stubborn);
    expect(r?.signals).toContain('SIGKILL');
    expect(r?.outcome).toMatch(/^(killed|zombie)$/);
    expect(isAlive(stubborn)).toBe(false);
  });

  it('leaves a live job alone even when its marked daemon is an orphan', async () => {
    setup();
    const job = await registeredJob(leakers, stateDir);
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    const result = await sweep(options());
    expect(result.plan.jobs[0]?.state).toBe('live');
    expect(result.plan.live.map((m) => m.process.pid)).toContain(daemon);
    expect(result.plan.targets).toEqual([]);
    expect(result.termination.results).toEqual([]);
    expect(isAlive(daemon)).toBe(true);
    expect(listJobs({ stateDir }).jobs.map((j) => j.session)).toEqual([job.session]);
  });

  it('lists a marker no record names and leaves it; --unrecorded ends it', async () => {
    setup();
    const stranger = newSessionId();
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: stranger });
    const first = await sweep(options());
    const listed = first.plan.unrecorded.find((m) => m.process.pid === daemon);
    expect(listed?.session).toBe(stranger);
    expect(first.plan.targets.map((t) => t.process.pid)).not.toContain(daemon);
    expect(isAlive(daemon)).toBe(true);
    expect(renderSweep(first)).toMatch(
      new RegExp(`unrecorded, left alone: STRAYS_SESSION=${stranger}: 1 process\\(es\\).*pid ${daemon} `),
    );

    // Other test files run marked daemons at the same time: `within` keeps this sweep to our own.
    const second = await sweep(options({ unrecorded: true, within: (p) => p.pid === daemon }));
    expect(second.plan.targets.map((t) => t.process.pid)).toEqual([daemon]);
    expect(second.plan.targets[0]?.reasons[0]).toMatch(/no job record names/);
    expect(isAlive(daemon)).toBe(false);
  });

  it('spares a process younger than --older-than, and keeps the record for the next sweep', async () => {
    setup();
    const job = await registeredJob(leakers, stateDir);
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    await job.end();
    const young = await sweep(options({ olderThanMs: 3_600_000 }));
    expect(young.plan.jobs[0]?.state).toBe('over');
    expect(young.plan.young.map((m) => m.process.pid)).toEqual([daemon]);
    expect(young.plan.targets).toEqual([]);
    expect(young.pruned).toEqual([]);
    expect(isAlive(daemon)).toBe(true);
    expect(listJobs({ stateDir }).jobs).toHaveLength(1);

    const old = await sweep(options({ olderThanMs: 0 }));
    expect(old.plan.targets.map((t) => t.process.pid)).toEqual([daemon]);
    expect(isAlive(daemon)).toBe(false);
  });

  it('--dry-run signals nothing and removes no record', async () => {
    setup();
    const job = await registeredJob(leakers, stateDir);
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    await job.end();
    const result = await sweep(options({ dryRun: true }));
    expect(result.plan.targets.map((t) => t.process.pid)).toEqual([daemon]);
    expect(result.termination.results.map((r) => [r.pid, r.outcome, r.signals.length])).toEqual([
      [daemon, 'reported', 0],
    ]);
    expect(isAlive(daemon)).toBe(true);
    expect(result.pruned).toEqual([job.session]); // would be removed
    expect(listJobs({ stateDir }).jobs).toHaveLength(1);
    expect(renderSweep(result)).toMatch(new RegExp(`would end: pid ${daemon} `));
  });

  it('prints a leftover whose command line carries workflow commands on one escaped line', async () => {
    setup();
    const job = await registeredJob(leakers, stateDir);
    const planted = 'x\n::error title=Injected::fake\n::stop-commands::deadbeef';
    const daemon = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; while :; do sleep 1; done' "$PLANTED" &`, {
      env: { [SESSION_VAR]: job.session, PLANTED: planted },
    });
    await job.end();
    const text = renderSweep(await sweep(options({ graceMs: 500 })));
    expect(isAlive(daemon)).toBe(false);
    const lines = text.split('\n').filter((l) => l.includes('Injected'));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^  ended: pid ${daemon} sh -c .*x\\\\n::error title=Injected::fake\\\\n::stop-commands::deadbeef`),
      ),
    ]);
    expect(text.split('\n').filter((l) => /^\s*::/.test(l))).toEqual([]);
  });

  it('skips a corrupt record with a message and still sweeps the good ones', async () => {
    setup();
    const job = await registeredJob(leakers, stateDir);
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    const broken = await markedDaemon(leakers, { [SESSION_VAR]: 'strays-00000000000000aa' });
    fs.writeFileSync(
      `${stateDir}/jobs/strays-00000000000000aa.json`,
      '{"kind":"strays-job","version":1,"session":"strays-00',
    );
    await job.end();
    const result = await sweep(options());
    expect(result.corrupt).toEqual([
      { file: `${stateDir}/jobs/strays-00000000000000aa.json`, problem: expect.stringMatching(/not valid JSON/) },
    ]);
    expect(renderSweep(result)).toMatch(/skipped corrupt record .*strays-00000000000000aa\.json: is not valid JSON/);
    expect(isAlive(daemon)).toBe(false);
    expect(isAlive(broken)).toBe(true);
    expect(result.plan.unrecorded.map((m) => m.process.pid)).toContain(broken);
    expect(fs.existsSync(`${stateDir}/jobs/strays-00000000000000aa.json`)).toBe(true);
  });
});
