/**
 * A report at scale, from real processes ended for real: 300 leaks of 5
 * kinds across 3 steps (the shape of a test suite that leaks one server per
 * test), plus 2 loops that ignore SIGTERM and must be killed. The summary
 * must fit one screen before its folds, show the killed ones first, stay
 * within GitHub's annotation limits, and lose no pid.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_SETTING_NAMES } from '../src/cli/guard.js';
import { parseGuardOptions } from '../src/config/options.js';
import { finishJob } from '../src/job/finish.js';
import {
  annotations,
  MAX_ANNOTATIONS,
  renderConsole,
  renderSummary,
  serializeReport,
  TOP_ROWS,
} from '../src/report/index.js';
import { startTestJob } from './helpers/job.js';
import { Leakers, waitFor } from './helpers/leakers.js';
import { expectValidReport } from './helpers/report-schema.js';

let leakers: Leakers;
afterEach(async () => leakers.cleanup());

const STEPS = ['unit', 'integration', 'e2e'];
/** Five kinds of leak, as argv[0] (bash `exec -a`) of a sleep: cheap, and each its own command shape. */
const KINDS = [
  'sleep 900',
  'tail-f /var/log/app.log',
  'node server.js --port 30',
  'postgres: worker 1',
  'redis-server *:6379                                        ',
];
const PER_KIND = 20;

describe('a report of 300 leaks and 2 SIGTERM-ignoring loops', () => {
  it('fits one screen before its folds, shows the killed first, annotates within limits and keeps every pid', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const pidFile = leakers.file('pids');
    // Each spawner starts PER_KIND leakers in the background and exits: they are orphans, as real leaks are.
    for (const step of STEPS) {
      for (const [k, kind] of KINDS.entries()) {
        // The padded title (k 4) is the same for all; the others carry their number, as ports and ids do.
        const title = k === 4 ? '"$KIND"' : '"$KIND $0"';
        const script = `for i in $(seq ${PER_KIND}); do bash -c 'exec -a ${title} sleep 1000' "$i" & echo $! >> "$PIDS"; done`;
        const child = leakers.spawn('sh', ['-c', script], {
          env: { ...job.env, GITHUB_ACTION: step, KIND: kind, PIDS: pidFile },
        });
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    const loops: number[] = [];
    for (const step of ['integration', 'e2e']) {
      loops.push(
        await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; trap "" TERM; while :; do sleep 0.2; done' &`, {
          env: { ...job.env, GITHUB_ACTION: step },
        }),
      );
    }
    const pids = fs.readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(300);
    for (const pid of pids) leakers.track(pid);
    await waitFor(() => pids.every((p) => fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'sleep'), '300 sleeps');

    const options = parseGuardOptions({ grace: '1s', failOnLeak: true }, CLI_SETTING_NAMES);
    const finished = await finishJob({
      baseline: job.baseline,
      options,
      privileged: false,
      forget: false,
      stateDir: leakers.dir,
    });
    const report = expectValidReport(finished.report);

    // Every pid findable in the JSON report, ended.
    const json = JSON.parse(serializeReport(report)) as typeof report;
    const byPid = new Map(json.leaks.map((l) => [l.pid, l]));
    for (const pid of [...pids, ...loops])
      expect(byPid.get(pid)?.outcome, `pid ${pid}`).toMatch(/^(exited|killed|gone)$/);
    for (const loop of loops) expect(byPid.get(loop)?.outcome).toBe('killed');

    // Killed ones first, everywhere.
    // (A loop's current `sleep 0.2` inherits the ignored SIGTERM, so it may be killed too.)
    const killed = json.leaks.filter((l) => l.outcome === 'killed').length;
    expect(json.leaks.slice(0, killed).every((l) => l.outcome === 'killed')).toBe(true);
    expect(json.leaks.slice(0, killed).map((l) => l.pid)).toEqual(expect.arrayContaining(loops));
    expect(report.groups[0]?.outcome).toBe('killed');
    // 5 kinds × 3 steps, one group each, plus the loops (and the short sleeps they were running, if any were caught).
    const big = report.groups.filter((g) => g.count === PER_KIND);
    expect(big).toHaveLength(15);
    expect(new Set(big.map((g) => `${g.step}`))).toEqual(new Set(STEPS));
    // The padded title is trimmed.
    expect(
      report.leaks.some((l) => l.command === 'redis-server *:6379' || l.command.startsWith('redis-server *:6379 ')),
    ).toBe(true);
    expect(report.leaks.every((l) => !/ {8}/.test(l.command))).toBe(true);

    const md = renderSummary(report);
    const beforeFolds = md.slice(0, md.indexOf('<details>')).trimEnd().split('\n');
    if (process.env.STRAYS_SHOW_REPORT) console.log(`${md}\n${renderConsole(report, { color: false })}`);
    expect(beforeFolds.length).toBeLessThanOrEqual(TOP_ROWS + 6); // heading, sentence, table head: one screen
    expect(beforeFolds.filter((l) => l.startsWith('| ')).at(2)).toMatch(/\*\*killed\*\*/);
    for (const pid of [...pids, ...loops]) expect(md).toMatch(new RegExp(`pids: [0-9, ]*\\b${pid}\\b`));
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);

    const notes = annotations(report, true, path.join(leakers.dir, 'report.json'));
    expect(notes.length).toBeLessThanOrEqual(MAX_ANNOTATIONS);
    expect(notes[0]?.message).toMatch(/^This job left \d+ processes running/);
    expect(notes[1]?.message).toMatch(/killed/);
    expect(notes.at(-1)).toMatchObject({ level: 'notice', title: expect.stringMatching(/more groups? not annotated/) });
    for (const level of ['error', 'warning', 'notice'])
      expect(notes.filter((n) => n.level === level).length).toBeLessThanOrEqual(10);
  }, 120_000);
});
