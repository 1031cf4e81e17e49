import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../src/engine/index.js';
import { explainFindings } from '../src/explain/explain.js';
import {
  annotations,
  buildReport,
  renderConsole,
  renderSummary,
  writeJsonReport,
  REPORT_VERSION,
  type Report,
  type ReportContext,
} from '../src/report/index.js';
import { startTestJob, type TestJob } from './helpers/job.js';
import { Leakers, waitFor } from './helpers/leakers.js';
import { expectValidReport } from './helpers/report-schema.js';
import { itIf, needsCommand } from './helpers/requires.js';

let leakers: Leakers;
afterEach(async () => leakers.cleanup());

const MODE = { kill: false, graceMs: 5000, failOnLeak: true };

/** A report built the way the post step builds it, from a real check of the live table. */
async function reportOf(job: TestJob, context: Partial<ReportContext> = {}, mode = MODE): Promise<Report> {
  const checked = await check(job.baseline);
  // Other test files run their own jobs in parallel, in the same PID namespace: their processes carry
  // another job's marker and are rightly spared. Only what this file's tests spared (no allowlist here,
  // so nothing) belongs in the reports they compare line by line.
  const detection = {
    ...checked.detection,
    spared: checked.detection.spared.filter((s) => s.reason.startsWith('allowed')),
  };
  const table = checked.table;
  const ctx: ReportContext = { host: 'test-host', checkedAt: Date.now(), ...context };
  const explanations = explainFindings(detection.findings, table, ctx, { baseline: job.baseline });
  return expectValidReport(
    buildReport({
      baseline: job.baseline,
      detection,
      termination: undefined,
      explanations,
      options: mode,
      context: ctx,
    }),
  );
}

const dataRows = (markdown: string): string[] => markdown.split('\n').filter((l) => /^\| (pid \d+|\d+ ×) \|/.test(l));
const execd = (pid: number, name: string): boolean => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(name);

async function listen(leakers: Leakers, env: NodeJS.ProcessEnv): Promise<{ pid: number; port: number }> {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const pid = await leakers.daemon(
    `sh -c 'echo $$ > "$PIDFILE"; exec python3 -m http.server --bind 127.0.0.1 ${port}' &`,
    { env },
  );
  await waitFor(
    () =>
      fs
        .readFileSync('/proc/net/tcp', 'utf8')
        .includes(`0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`),
    'listener',
  );
  return { pid, port };
}

describe('reports rendered from real detections', () => {
  itIf(
    needsCommand('python3', 'python3'),
    'escapes hostile command lines, shortens long ones, names the step and what each leak holds',
    async () => {
      leakers = new Leakers();
      const job = startTestJob();
      const server = await listen(leakers, { ...job.env, GITHUB_ACTION: 'serve' });
      const hostile = 'evil|pipe`tick<b>bold</b>\nsecond *star* _u_ [x](y)';
      const evil = await leakers.daemon(`bash -c 'echo $$ > "$PIDFILE"; exec -a "$NAME" sleep 321' &`, {
        env: { ...job.env, GITHUB_ACTION: '__run_3', NAME: hostile, SECRET_TOKEN: 'hunter2-do-not-print' },
      });
      const long = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; exec sleep 322 ${'0 '.repeat(60)}' &`, {
        env: job.env,
      });
      const report = await reportOf(job, { stepNames: { serve: 'Start docs server' } });
      const md = renderSummary(report);
      if (process.env.STRAYS_SHOW_REPORT)
        console.log(
          `${md}\n${renderConsole(report, { color: false })}\n${JSON.stringify(annotations(report), null, 1)}`,
        );

      expect(md.split('\n')[0]).toBe('### strays: 3 leaked processes');
      const rows = dataRows(md);
      expect(rows).toHaveLength(3);
      const serverRow = rows.find((r) => r.startsWith(`| pid ${server.pid} |`)) as string;
      expect(serverRow).toContain('Start docs server (serve)'); // prose: only what would restyle it is escaped
      expect(serverRow).toContain(`tcp 127.0.0.1:${server.port}`);
      // The command in a code span, verbatim but for what GFM requires: `|` escaped, a fence longer than its backticks.
      const evilRow = rows.find((r) => r.startsWith(`| pid ${evil} |`)) as string;
      expect(evilRow).toContain('``evil\\|pipe`tick<b>bold</b>↵second *star* _u_ [x](y) 321``');
      expect(evilRow.split(/(?<!\\)\|/)).toHaveLength(8); // 6 cells: no unescaped pipe inside
      // Shortened at a word boundary: whole words, never a word cut in half.
      const longRow = rows.find((r) => r.startsWith(`| pid ${long} |`)) as string;
      expect(longRow).toMatch(/`sleep 322 0 0 (0 )+…`/);
      expect(report.leaks.find((l) => l.pid === long)?.command).toBe(`sleep 322 ${'0 '.repeat(59)}0`);

      // Console: the same rows in plain text, colours only when asked.
      const plain = renderConsole(report, { color: false });
      expect(plain).not.toContain('\u001b[');
      expect(plain).toContain(`tcp 127.0.0.1:${server.port}`);
      expect(plain.split('\n').at(-1)).toBe('strays: 3 leaked processes (3 reported); failing the job.');
      expect(renderConsole(report, { color: true })).toContain('\u001b[31m');

      // Annotations: the job-level one first, then one per group; error because the job fails.
      const notes = annotations(report);
      expect(notes).toHaveLength(4);
      expect(notes[0]?.message).toMatch(/^This job left 3 processes running in 3 groups/);
      expect(notes.every((n) => n.level === 'error')).toBe(true);
      const serverNote = notes.find((n) => n.message.startsWith(`pid ${server.pid}: `));
      expect(serverNote?.message).toContain('started by step Start docs server (serve)');
      expect(serverNote?.message).toContain(`holds tcp 127.0.0.1:${server.port}`);
      expect(annotations(report, false).every((n) => n.level === 'warning')).toBe(true);

      // JSON: versioned, every leak, no environment beyond the step id and the marker.
      const file = path.join(fs.mkdtempSync(path.join(leakers.dir, 'out-')), 'report.json');
      writeJsonReport(file, report);
      const text = fs.readFileSync(file, 'utf8');
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('SECRET_TOKEN');
      const json = JSON.parse(text) as Report;
      expect(json).toMatchObject({
        version: REPORT_VERSION,
        tool: 'strays',
        session: job.baseline.session,
        failed: true,
        mode: MODE,
      });
      expect(json.counts).toMatchObject({ leaked: 3, unattributed: 0, zombies: 0, outcomes: { reported: 3 } });
      const entry = json.leaks.find((l) => l.pid === server.pid);
      expect(entry).toMatchObject({
        step: 'serve',
        stepName: 'Start docs server',
        attribution: 'marker',
        outcome: 'reported',
        reparented: true,
      });
      expect(entry?.holds.listening[0]?.endpoint).toBe(`127.0.0.1:${server.port}`);
      expect(json.leaks.find((l) => l.pid === evil)?.argv[0]).toBe(hostile);
      expect(fs.readdirSync(path.dirname(file))).toEqual(['report.json']); // no temp file left
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expectValidReport(json);
    },
  );

  it('groups identical leaks into one row per step, and lists every pid in the fold', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const pids: number[] = [];
    for (let i = 0; i < 60; i++) {
      const child = leakers.spawn('sleep', [String(400 + i)], {
        env: { ...job.env, GITHUB_ACTION: i < 35 ? 'unit' : 'integration' },
      });
      pids.push(child.pid as number);
    }
    await waitFor(() => pids.every((p) => execd(p, 'sleep')), '60 sleeps');
    const report = await reportOf(job, { stepNames: { unit: 'Unit tests' } });
    expect(report.leaks).toHaveLength(60);
    // Steps in the order the job ran them.
    expect(report.groups.map((g) => [g.step, g.count])).toEqual([
      ['unit', 35],
      ['integration', 25],
    ]);
    // Ordered by step, then start: pids as numbers, never as strings.
    const unit = report.leaks.filter((l) => l.step === 'unit').map((l) => l.start);
    expect(unit).toEqual([...unit].sort((a, b) => a - b));
    const md = renderSummary(report);
    expect(md.split('\n')[0]).toBe('### strays: 60 leaked processes in 2 groups');
    expect(dataRows(md)).toEqual([
      expect.stringMatching(/^\| 35 × \| `sleep 4\d\d` \| Unit tests \(unit\) \|/),
      expect.stringMatching(/^\| 25 × \| `sleep 4\d\d` \| integration \|/),
    ]);
    for (const pid of pids) expect(md).toMatch(new RegExp(`pids: [0-9, ]*\\b${pid}\\b`));
    const console = renderConsole(report, { color: false }).split('\n');
    expect(console.filter((l) => /^\d+ × /.test(l))).toHaveLength(2);
    expect(console.filter((l) => l.startsWith('    pids '))).toHaveLength(2);
  });

  it('lists zombies separately from leaks', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const parent = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; sleep 0.01 & exec sleep 323' &`, {
      env: { ...job.env, GITHUB_ACTION: 'zombie_maker' },
    });
    await waitFor(() => {
      const kids = fs.readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(' ').filter(Boolean);
      return kids.some((k) => fs.readFileSync(`/proc/${k}/stat`, 'utf8').split(') ')[1]?.startsWith('Z'));
    }, 'zombie child');
    const report = await reportOf(job, {}, { ...MODE, failOnLeak: false });
    expect(report.counts).toMatchObject({ leaked: 1, zombies: 1 });
    const md = renderSummary(report);
    expect(md).toContain('<details><summary>Zombies: 1 process already dead');
    expect(md).toMatch(new RegExp(`\\| \\d+ \\| \`\\[sleep\\]\` \\| zombie_maker \\| ${parent} \\|`));
    expect(report.leaks[0]?.zombieChildren).toHaveLength(1);
    expect(annotations(report).map((n) => n.level)).toEqual(['warning', 'warning']); // the job's, then the group's
  });

  it('names the step from GITLAB CI_JOB_NAME, and a process without an environment from its leaked parent', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const env: NodeJS.ProcessEnv = { ...job.env, CI_JOB_NAME: 'unit-tests' };
    delete env.GITHUB_ACTION;
    // The parent carries the job name; its child clears its environment (env -i): no marker, no step of its own.
    const parent = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; env -i sleep 351 & exec sleep 352' &`, { env });
    const kids = (): string[] =>
      fs.readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(' ').filter(Boolean);
    await waitFor(
      () =>
        fs.readFileSync(`/proc/${parent}/cmdline`, 'utf8').startsWith('sleep') &&
        kids().some((k) => execd(Number(k), 'sleep')),
      'both execd',
    );
    const report = await reportOf(job);
    expect(report.leaks.find((l) => l.pid === parent)?.step).toBe('unit-tests');
    const child = report.leaks.find((l) => l.ppid === parent);
    expect(child?.command).toBe('sleep 351');
    expect(child?.step).toBe('unit-tests');
    if (child) leakers.track(child.pid);
  });

  it('gives a clean job one line', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const report = await reportOf(job);
    expect(report.failed).toBe(false);
    expect(renderSummary(report)).toBe('**strays:** no leaked processes, the job left nothing running.\n');
    expect(renderConsole(report, { color: false })).toBe('strays: no leaked processes.');
    expect(annotations(report)).toEqual([]);
  });
});
