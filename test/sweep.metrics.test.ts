/**
 * The --metrics file, read by a real Prometheus parser (Debian's
 * python3-prometheus-client, the library node_exporter's ecosystem uses), not
 * by a regex of our own output.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SESSION_VAR, newSessionId } from '../src/engine/session.js';
import { sweep, writeSweepMetrics } from '../src/host/index.js';
import { Leakers } from './helpers/leakers.js';
import { describeIf } from './helpers/requires.js';
import { markedDaemon, registeredJob, tempStateDir } from './helpers/sweep-jobs.js';

const PYTHON = '/usr/bin/python3'; // the system python: python3 on PATH may be a pyenv one without the package
const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for f in text_string_to_metric_families(open(sys.argv[1]).read()):
    out[f.name] = {"type": f.type, "help": f.documentation, "samples": [[s.name, s.labels, s.value] for s in f.samples]}
print(json.dumps(out))
`;

type Families = Record<
  string,
  { type: string; help: string; samples: Array<[string, Record<string, string>, number]> }
>;

// scripts/setup-test.mjs installs it as root; elsewhere it prints the apt-get line and this file is skipped.
const parserMissing =
  spawnSync(PYTHON, ['-c', 'import prometheus_client'], { stdio: 'ignore' }).status === 0
    ? undefined
    : `needs ${PYTHON} with prometheus_client (Debian package python3-prometheus-client)`;

function parseWithPrometheus(file: string): Families {
  const run = spawnSync(PYTHON, ['-c', PARSE, file], { encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`prometheus_client rejected ${file}: ${run.stderr}\n${fs.readFileSync(file, 'utf8')}`);
  return JSON.parse(run.stdout) as Families;
}

let leakers: Leakers;
let stateDir: string;
afterEach(async () => {
  await leakers.cleanup();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describeIf(parserMissing, 'sweep --metrics', () => {
  it("writes textfile-collector metrics that a real Prometheus parser reads, with the sweep's numbers", async () => {
    leakers = new Leakers();
    stateDir = tempStateDir();
    const job = await registeredJob(leakers, stateDir);
    const leaked = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    const stranger = await markedDaemon(leakers, { [SESSION_VAR]: newSessionId() });
    await job.end();
    const ours = new Set([leaked, stranger]);
    const result = await sweep({
      olderThanMs: 0,
      dryRun: false,
      graceMs: 2000,
      unrecorded: false,
      stateDir,
      within: (p) => ours.has(p.pid),
    });
    const file = path.join(leakers.dir, 'strays.prom');
    writeSweepMetrics(file, result);
    expect(fs.readdirSync(leakers.dir).filter((n) => n.includes('.tmp'))).toEqual([]);

    const families = parseWithPrometheus(file);
    const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
      families[name]?.samples.find(([, l]) => JSON.stringify(l) === JSON.stringify(labels))?.[2];
    for (const [name, f] of Object.entries(families))
      expect([name, f.type]).toEqual([name, name === 'strays_swept_processes' ? 'counter' : 'gauge']);
    expect(families.strays_build_info?.samples[0]?.[2]).toBe(1);
    expect(families.strays_sweep_processes?.help).toMatch(/by outcome/);

    const outcome = result.termination.results[0]?.outcome as string;
    expect(['exited', 'zombie']).toContain(outcome);
    expect(value('strays_sweep_leaked_processes')).toBe(1);
    expect(value('strays_sweep_processes', { outcome })).toBe(1);
    expect(value('strays_sweep_processes', { outcome: 'survived' })).toBe(0);
    expect(value('strays_sweep_unrecorded_processes')).toBe(1);
    expect(value('strays_sweep_jobs', { state: 'over' })).toBe(1);
    expect(value('strays_sweep_jobs', { state: 'corrupt' })).toBe(0);
    expect(value('strays_sweep_dry_run')).toBe(0);
    const leakedAge = value('strays_sweep_oldest_process_age_seconds', { kind: 'leaked' });
    expect(leakedAge).toBe((result.plan.targetInfo.get(leaked)?.ageMs ?? Number.NaN) / 1000);
    expect(value('strays_sweep_oldest_process_age_seconds', { kind: 'unrecorded' })).toBeGreaterThanOrEqual(0);
    expect(value('strays_sweep_last_run_timestamp_seconds')).toBe(Math.floor(result.at / 1000));
    // prometheus_client names a counter's family without `_total`; its sample keeps it.
    expect(families.strays_swept_processes?.samples.find(([n]) => n === 'strays_swept_processes_total')?.[2]).toBe(1);

    // A counter: the next sweep (here: the same result written again) adds to the file's value.
    writeSweepMetrics(file, result);
    expect(
      parseWithPrometheus(file).strays_swept_processes?.samples.find(
        ([n]) => n === 'strays_swept_processes_total',
      )?.[2],
    ).toBe(2);
  });

  it('parses on a clean host too: every outcome at 0, no age sample', async () => {
    leakers = new Leakers();
    stateDir = tempStateDir();
    const result = await sweep({
      olderThanMs: 0,
      dryRun: true,
      graceMs: 0,
      unrecorded: false,
      stateDir,
      within: () => false,
    });
    const file = path.join(leakers.dir, 'clean.prom');
    writeSweepMetrics(file, result);
    const families = parseWithPrometheus(file);
    expect(families.strays_sweep_processes?.samples.map(([, l, v]) => [l.outcome, v])).toEqual(
      ['exited', 'killed', 'gone', 'zombie', 'survived', 'not-permitted', 'reported'].map((o) => [o, 0]),
    );
    expect(families.strays_sweep_oldest_process_age_seconds?.samples).toEqual([]);
    expect(families.strays_sweep_dry_run?.samples[0]?.[2]).toBe(1);
  });
});
