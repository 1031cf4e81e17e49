/**
 * 300 leaks with 1.8 MB command lines (a classpath, a generated argument
 * list): the report still serialises (V8 strings stop at 2^29 characters),
 * the summary stays under GitHub's 1 MiB, and nothing quadratic happens on
 * the way. Pure: processes as /proc would show them, built in memory (300
 * real 1.8 MB argv would need 540 MB of process memory for nothing more).
 */
import { describe, expect, it } from 'vitest';
import type { Baseline } from '../src/engine/baseline.js';
import type { Detection } from '../src/engine/findings.js';
import type { ProcessInfo } from '../src/proc/types.js';
import {
  annotations,
  buildReport,
  MAX_COMMAND,
  renderConsole,
  renderSummary,
  serializeReport,
} from '../src/report/index.js';
import { expectValidReport } from './helpers/report-schema.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const token = `ghp_${'Q'.repeat(36)}`;
// One shared 1.8 MB argv: a long classpath word, thousands of arguments, and a token past the caps.
const huge = [
  'java',
  '-cp',
  `${'/opt/lib/dependency-1.2.3.jar:'.repeat(30_000)}app.jar`,
  ...Array.from({ length: 100_000 }, (_, i) => `--arg${i}=value${i}`),
  `--token=${token}`,
];

const proc = (pid: number): ProcessInfo => ({
  pid,
  ppid: 1,
  pgid: pid,
  sid: pid,
  state: 'S',
  uid: 1001,
  start: 1000 + pid,
  startedAt: NOW - 60_000,
  comm: 'java',
  argv: huge,
  env: {
    readable: true,
    vars: { STRAYS_SESSION: 'strays-0123456789abcdef', GITHUB_ACTION: pid % 3 === 0 ? 'unit' : 'integration' },
  },
});

describe('a report of 300 leaks with 1.8 MB command lines', () => {
  it('serialises, caps every command line, and keeps the summary under 1 MiB', () => {
    expect(huge.join(' ').length).toBeGreaterThan(1_800_000);
    const findings = Array.from({ length: 300 }, (_, i) => {
      const p = proc(100 + i);
      return {
        process: p,
        attribution: 'marker' as const,
        reasons: ["carries this job's STRAYS_SESSION"],
        ancestry: [],
        children: [],
        step: p.env?.readable ? p.env.vars.GITHUB_ACTION : undefined,
      };
    });
    const detection: Detection = { findings, unattributed: [], zombies: [], spared: [] };
    const baseline = {
      session: 'strays-0123456789abcdef',
      runnerTrackingId: undefined,
      takenAt: NOW - 120_000,
    } as Baseline;
    const t0 = performance.now();
    const report = buildReport({
      baseline,
      detection,
      termination: undefined,
      explanations: new Map(),
      options: { kill: false, graceMs: 5000, failOnLeak: true },
      context: { host: 'h', checkedAt: NOW },
    });
    const json = serializeReport(report);
    const md = renderSummary(report);
    renderConsole(report, { color: false });
    annotations(report);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expectValidReport(JSON.parse(json));
    for (const l of report.leaks) {
      expect(l.command.length).toBeLessThanOrEqual(MAX_COMMAND + 2);
      expect(l).toMatchObject({ truncated: true, commandLength: huge.join(' ').length, argvCount: huge.length });
    }
    expect(report.groups.map((g) => g.count).sort()).toEqual([100, 200]);
    expect(json.length).toBeLessThan(50 * 1024 * 1024);
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);
    expect(json).not.toContain(token);
    expect(md).not.toContain(token);
  }, 60_000);
});
