/**
 * Secrets in a leak's command line: none of the listed shapes may reach the
 * summary, the annotations, the console or the JSON report, from real
 * processes carrying them; and Markdown escaping never splits a word, so the
 * runner's own masking (exact match) still finds a registered secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../src/engine/index.js';
import { explainFindings } from '../src/explain/explain.js';
import {
  annotations,
  buildReport,
  code,
  namesSecret,
  plain,
  redactArgv,
  redactText,
  renderConsole,
  renderSummary,
  serializeReport,
  shortenWords,
  writeJsonReport,
  type ReportContext,
} from '../src/report/index.js';
import { startTestJob } from './helpers/job.js';
import { Leakers, waitFor } from './helpers/leakers.js';
import { expectValidReport } from './helpers/report-schema.js';
import { cli, ensureBuilt } from './cli-support.js';

let leakers: Leakers | undefined;
afterEach(async () => {
  await leakers?.cleanup();
  leakers = undefined;
});

// Made-up values of the real shapes (lengths as the issuers make them).
const GHP = `ghp_${'A1b2C3d4E5'.repeat(3)}xYz123`;
const PAT = `github_pat_11ABCDEFG0${'abcdefghij'.repeat(6)}_XYZ`;
const GHO = `gho_${'Zz9Yy8Xx7W'.repeat(3)}abcdef`;
const NPM = `npm_${'q1W2e3R4t5'.repeat(3)}Y6u7I8`;
const SLACK = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
const AKIA = 'AKIAIOSFODNN7EXAMPLE';
const PASSWORD = 'hunter2-correct-horse';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const URL_PASS = 's3cr3t-url-pass';
const OPT_TOKEN = 'opaque-token-value-42';
const SECRETS = [GHP, PAT, GHO, NPM, SLACK, AKIA, PASSWORD, AWS_SECRET, URL_PASS, OPT_TOKEN];

/** Argv of hostile leaks, one shape each. */
const ARGVS: string[][] = [
  ['curl', '--api-token', GHP, 'https://api.github.com'],
  ['deploy', `--token=${PAT}`, '--verbose'],
  ['git', 'clone', `https://x-access-token:${GHO}@github.com/o/r.git`],
  ['sh', '-c', `NPM_TOKEN=${NPM} npm publish; sleep 1000`],
  ['notify', `--webhook=https://hooks.example/${SLACK}`],
  ['env', `AWS_ACCESS_KEY_ID=${AKIA}`, `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, 'aws', 's3', 'ls'],
  ['mysqld', '--password', PASSWORD],
  ['psql', `postgres://app:${URL_PASS}@127.0.0.1:5432/db`],
  ['tool', '-H', `Authorization: Bearer ${OPT_TOKEN}`],
];

describe('redaction (pure)', () => {
  it('replaces each listed shape and nothing around it', () => {
    const out = ARGVS.map((a) => redactArgv(a));
    const text = out.map((a) => a.join(' ')).join('\n');
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(out[0]).toEqual(['curl', '--api-token', '***', 'https://api.github.com']);
    expect(out[1]).toEqual(['deploy', '--token=***', '--verbose']);
    expect(out[2]?.[2]).toBe('https://***@github.com/o/r.git');
    expect(out[5]).toEqual(['env', 'AWS_ACCESS_KEY_ID=***', 'AWS_SECRET_ACCESS_KEY=***', 'aws', 's3', 'ls']);
    expect(out[6]).toEqual(['mysqld', '--password', '***']);
    expect(out[8]?.[2]).toBe('Authorization: Bearer ***');
    // Ordinary words stay: names that merely contain a secret word's letters, ports, paths.
    expect(
      redactArgv([
        'node',
        'server.js',
        '--port',
        '3000',
        '--keyboard=us',
        'KEYS_DIR=/etc/keys',
        'http://localhost:8080/x',
      ]),
    ).toEqual([
      'node',
      'server.js',
      '--port',
      '3000',
      '--keyboard=us',
      'KEYS_DIR=/etc/keys',
      'http://localhost:8080/x',
    ]);
    expect(namesSecret('--api-key')).toBe(true);
    expect(namesSecret('DB_PASSWORD')).toBe(true);
    expect(namesSecret('clientSecret')).toBe(true);
    expect(namesSecret('--passes')).toBe(false);
    expect(redactText('STRAYS_SESSION=strays-abc')).toBe('STRAYS_SESSION=strays-abc');
  });

  it('is linear: a megabyte of near-misses takes well under a second', () => {
    const hostile = `${'a='.repeat(250_000)}${'ghp_'.repeat(100_000)}${'x://'.repeat(50_000)}`;
    const t0 = performance.now();
    redactText(hostile);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('shortens at word boundaries and escapes in code spans, so a registered secret is whole or absent', () => {
    const custom = 'Xq7_unregistered_shape_9Lm';
    const line = `worker --flag ${custom} --more words here`;
    for (let max = 10; max < line.length + 2; max++) {
      const cut = shortenWords(line, max);
      expect([...cut].length).toBeLessThanOrEqual(max);
      // Either the whole secret or none of it: never a prefix the runner cannot match.
      expect(cut.includes(custom) || !cut.includes(custom.slice(0, 4))).toBe(true);
    }
    expect(code(`a|b ${custom}`)).toBe(`\`a\\|b ${custom}\``);
    expect(code('x `y` z')).toBe('``x `y` z``');
    expect(code('`start')).toBe('`` `start ``');
    // Prose keeps words whole too: inner `_` and `-` untouched, only what would restyle the cell escaped.
    expect(plain(`step ${custom} *bold* a|b <i>`)).toBe(`step ${custom} \\*bold\\* a\\|b &lt;i&gt;`);
    expect(plain('__run_2')).toBe('\\_\\_run_2');
  });
});

describe('redaction of real leaks', () => {
  it('keeps every listed secret out of the summary, annotations, console and JSON', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const pids: number[] = [];
    for (const argv of ARGVS) {
      // A python3 that sleeps, with the hostile words as its own argv (sys.argv takes anything).
      const child = leakers.spawn('python3', ['-c', 'import time; time.sleep(1000)', ...argv], {
        env: { ...job.env, GITHUB_ACTION: 'deploy' },
      });
      pids.push(child.pid as number);
    }
    await waitFor(
      () => pids.every((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('time.sleep')),
      'python sleeps',
    );
    const { table, detection } = await check(job.baseline);
    const context: ReportContext = { host: 'test-host', checkedAt: Date.now() };
    const explanations = explainFindings(detection.findings, table, context, { baseline: job.baseline });
    const report = expectValidReport(
      buildReport({
        baseline: job.baseline,
        detection,
        termination: undefined,
        explanations,
        options: { kill: false, graceMs: 1000, failOnLeak: true },
        context,
      }),
    );
    // (Other test files run beside this one: the time window may attribute their processes too.)
    expect(report.leaks.map((l) => l.pid)).toEqual(expect.arrayContaining(pids));
    const file = path.join(leakers.dir, 'report.json');
    writeJsonReport(file, report);
    const rendered = {
      summary: renderSummary(report),
      annotations: JSON.stringify(annotations(report)),
      console: renderConsole(report, { color: false }),
      json: fs.readFileSync(file, 'utf8'),
    };
    for (const [where, text] of Object.entries(rendered)) {
      for (const secret of SECRETS) expect(text.includes(secret), `${where} holds ${secret}`).toBe(false);
    }
    expect(rendered.json).toContain('--api-token ***');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // --show-secrets (local debugging) keeps them.
    const shown = buildReport({
      baseline: job.baseline,
      detection,
      termination: undefined,
      explanations,
      options: { kill: false, graceMs: 1000, failOnLeak: true },
      context: { ...context, showSecrets: true },
    });
    expect(shown.redacted).toBe(false);
    expect(serializeReport(shown)).toContain(GHP);
  });

  it('strays run: the step name (the command itself) and --json - on stdout are redacted too', async () => {
    await ensureBuilt();
    leakers = new Leakers();
    const pidFile = leakers.file('pid');
    const result = await cli([
      'run',
      '--grace',
      '1s',
      '--json',
      '-',
      '--',
      'sh',
      '-c',
      `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 1000' & : --token ${OPT_TOKEN} ${GHP}`,
    ]);
    expect(result.status).toBe(0);
    const json = expectValidReport(JSON.parse(result.stdout));
    expect(json.leaks).toHaveLength(1);
    for (const secret of [OPT_TOKEN, GHP]) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
    expect(json.leaks[0]?.step).toContain('--token ***');
  });
});
