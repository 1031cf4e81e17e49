/**
 * Pure detection on a recorded job (test/fixtures/proc/job-story.json): real
 * /proc tables from before and after a job acted out in a PID namespace.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Baseline, baselineKeys, isNew, snapshotFrom } from '../src/engine/baseline.js';
import { detect } from '../src/engine/detect.js';
import { parseAllowlist } from '../src/engine/allowlist.js';
import { WANTED_ENV } from '../src/proc/index.js';
import { readLinuxDetails, readLinuxTable } from '../src/proc/linux.js';
import type { ProcessTable } from '../src/proc/types.js';
import { loadRecording, materialize, type RecordedTable } from './helpers/proc-fixture.js';

interface Story {
  recorder: number;
  session: string;
  otherSession: string;
  reusedPid: number;
  reusedPidWasReused: boolean;
  before: RecordedTable;
  after: RecordedTable;
}

const story = loadRecording<Story>('job-story.json');
const roots: string[] = [];
let baseline: Baseline;
let after: ProcessTable;

beforeAll(() => {
  const beforeRoot = materialize(story.before);
  const afterRoot = materialize(story.after);
  roots.push(beforeRoot, afterRoot);
  baseline = snapshotFrom({
    table: readLinuxTable({ procRoot: beforeRoot }),
    self: story.recorder,
    session: story.session,
  });
  const plain = readLinuxTable({ procRoot: afterRoot });
  const keys = baselineKeys(baseline);
  const fresh = new Set(plain.processes.filter((p) => isNew(baseline, keys, p)).map((p) => p.pid));
  after = {
    ...plain,
    processes: plain.processes.map((p) =>
      fresh.has(p.pid) ? readLinuxDetails(p, WANTED_ENV, { procRoot: afterRoot }) : p,
    ),
  };
});
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

const byArgs = (table: ProcessTable, arg: string) => table.processes.find((p) => p.argv.includes(arg));

describe('detection on a recorded job', () => {
  it('finds the double-forked daemon reparented to PID 1 by its marker, with its step', () => {
    const daemon = byArgs(after, '2001');
    const finding = detect(baseline, after, { checker: story.recorder }).findings.find(
      (f) => f.process.pid === daemon?.pid,
    );
    expect(daemon?.ppid).toBe(1);
    expect(finding?.attribution).toBe('marker');
    expect(finding?.step).toBe('__run_2');
  });

  it('parses a name with spaces and parentheses and finds it', () => {
    const odd = after.processes.find((p) => p.comm === 'evil) name (x');
    expect(odd?.argv.slice(-1)).toEqual(['2002']);
    expect(odd?.state).toBe('S');
    expect(odd?.ppid).toBe(1);
    const finding = detect(baseline, after, { checker: story.recorder }).findings.find(
      (f) => f.process.pid === odd?.pid,
    );
    expect(finding?.step).toBe('tests');
  });

  it('spares the concurrent job and the process that predates the job', () => {
    const detection = detect(baseline, after, { checker: story.recorder });
    const found = detection.findings.map((f) => f.process.argv.join(' '));
    expect(found).not.toContain('sleep 3001');
    expect(found).not.toContain('sleep 1000');
    expect(detection.spared.find((s) => s.process.argv.includes('3001'))?.reason).toContain(story.otherSession);
  });

  it('treats a reused pid as a new process (identity is pid + start time)', () => {
    expect(story.reusedPidWasReused).toBe(true);
    expect(baseline.processes.some((p) => p.pid === story.reusedPid)).toBe(true);
    const finding = detect(baseline, after, { checker: story.recorder }).findings.find(
      (f) => f.process.pid === story.reusedPid,
    );
    expect(finding?.process.argv).toEqual(['sleep', '2005']);
  });

  it('reports the zombie with the parent that must reap it, never as a finding', () => {
    const detection = detect(baseline, after, { checker: story.recorder });
    const zombie = after.processes.find((p) => p.state === 'Z');
    const parent = byArgs(after, '2003');
    expect(detection.findings.map((f) => f.process.pid)).not.toContain(zombie?.pid);
    expect(detection.zombies).toEqual([expect.objectContaining({ reaper: parent?.pid })]);
    expect(detection.findings.find((f) => f.process.pid === parent?.pid)?.children).toContain(zombie?.pid);
  });

  it('finds the env -i grandchild by lineage, and never the recorder (the runner)', () => {
    const detection = detect(baseline, after, { checker: story.recorder });
    const child = detection.findings.find((f) => f.process.argv.join(' ') === '/bin/sleep 2004');
    expect(child?.attribution).toBe('lineage');
    expect(child?.step).toBe('__run_2');
    expect(detection.findings.map((f) => f.process.pid)).not.toContain(story.recorder);
  });

  it('finds exactly the job story, and an allowlist entry removes one with its reason', () => {
    const all = detect(baseline, after, { checker: story.recorder })
      .findings.map((f) => f.process.argv.at(-1))
      .sort();
    expect(all).toEqual(['2001', '2002', '2003', '2004', '2005', 'env -i /bin/sleep 2004 & wait']);
    const allowed = detect(baseline, after, { checker: story.recorder, allow: parseAllowlist(['name:evil)*']) });
    expect(allowed.findings.map((f) => f.process.argv.at(-1))).not.toContain('2002');
    expect(allowed.spared.find((s) => s.process.argv.includes('2002'))?.reason).toBe('allowed by "name:evil)*"');
  });

  it('refuses to compare stamps from different readers', () => {
    expect(() => detect({ ...baseline, reader: 'ps' }, after)).toThrow(/not comparable/);
  });
});
