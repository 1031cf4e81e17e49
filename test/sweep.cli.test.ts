/**
 * `strays sweep` as users call it: in-process through the command object, and
 * through the built CLI (dist/cli/index.js) when the build includes sweep.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepCommand } from '../src/cli/commands/sweep.js';
import { UsageError } from '../src/cli/exit.js';
import type { Io } from '../src/cli/output.js';
import { SESSION_VAR } from '../src/engine/session.js';
import { listJobs } from '../src/host/index.js';
import { isAlive, Leakers } from './helpers/leakers.js';
import { describeIf } from './helpers/requires.js';
import { markedDaemon, registeredJob, tempStateDir } from './helpers/sweep-jobs.js';

const CLI = path.resolve(__dirname, '..', 'dist', 'cli', 'index.js');
const distHasSweep =
  fs.existsSync(CLI) &&
  spawnSync(process.execPath, [CLI, 'sweep', '--help'], { encoding: 'utf8' }).stdout.includes('strays sweep');

const fakeIo = (): Io & { lines: string[]; errors: string[] } => {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (t) => lines.push(t),
    err: (t) => errors.push(t),
    errIsTty: false,

    env: {},
  };
};

let leakers: Leakers;
let stateDir: string;
afterEach(async () => {
  await leakers.cleanup();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('strays sweep (command)', () => {
  it('rejects bad input naming the option, the value and the accepted forms', async () => {
    leakers = new Leakers();
    stateDir = tempStateDir();
    const io = fakeIo();
    const fails = (argv: string[]) => sweepCommand.run(argv, io);
    await expect(fails(['--older-than', '10 days'])).rejects.toThrow(
      /Invalid --older-than "10 days": expected "500ms", "5s", "1m", "2h"/,
    );
    await expect(fails(['--grace=forever'])).rejects.toThrow(/Invalid --grace "forever"/);
    await expect(fails(['--unrecorded'])).rejects.toThrow(/--unrecorded needs an explicit --older-than/);
    await expect(fails(['--bogus'])).rejects.toThrow(/unknown option --bogus\. Accepted: --older-than DURATION/);
    await expect(fails(['now'])).rejects.toBeInstanceOf(UsageError);
    expect(await sweepCommand.run(['--help'], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/--metrics FILE/);
  });

  it('sweeps a dead job and writes --json and --metrics', async () => {
    leakers = new Leakers();
    stateDir = tempStateDir();
    const job = await registeredJob(leakers, stateDir);
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    await job.end();
    const io = fakeIo();
    const json = path.join(leakers.dir, 'sweep.json');
    const metrics = path.join(leakers.dir, 'strays.prom');
    const status = await sweepCommand.run(
      ['--older-than', '0s', '--grace', '2s', '--state-dir', stateDir, '--json', json, '--metrics', metrics],
      io,
    );
    expect(status).toBe(0);
    expect(io.lines.join('\n')).toMatch(
      new RegExp(`ended: pid ${daemon} sleep 300 .* of job ${job.session}: owner pid \\d+ \\(sleep\\) has exited`),
    );
    expect(isAlive(daemon)).toBe(false);
    const report = JSON.parse(fs.readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ kind: 'strays-sweep', version: 1, stateDir, pruned: [job.session] });
    expect(
      report.targets.map((t: { pid: number; outcome: string }) => [t.pid, ['exited', 'zombie'].includes(t.outcome)]),
    ).toEqual([[daemon, true]]);
    expect(fs.readFileSync(metrics, 'utf8')).toContain('# TYPE strays_sweep_processes gauge');
    expect(fs.readFileSync(metrics, 'utf8')).toMatch(/^strays_swept_processes_total 1$/m);
  });

  it('--metrics in a missing directory: status 2 before anything is signalled, and no directory is created', async () => {
    leakers = new Leakers();
    stateDir = tempStateDir();
    const job = await registeredJob(leakers, stateDir);
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    await job.end();
    const missing = path.join(leakers.dir, 'no', 'such', 'dir');
    const run = sweepCommand.run(
      ['--older-than', '0s', '--state-dir', stateDir, '--metrics', path.join(missing, 'strays.prom')],
      fakeIo(),
    );
    await expect(run).rejects.toThrow(
      /--metrics .*directory ".*no\/such\/dir" does not exist; strays never creates it/,
    );
    expect(fs.existsSync(path.join(leakers.dir, 'no'))).toBe(false);
    expect(isAlive(daemon)).toBe(true);
  });

  it('--quiet prints nothing when nothing is ended', async () => {
    leakers = new Leakers();
    stateDir = tempStateDir();
    const job = await registeredJob(leakers, stateDir);
    const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
    const io = fakeIo();
    expect(await sweepCommand.run(['-q', '--older-than', '0s', '--state-dir', stateDir], io)).toBe(0);
    expect(io.lines).toEqual([]);
    expect(isAlive(daemon)).toBe(true);
  });
});

describeIf(
  distHasSweep ? undefined : 'needs dist/cli/index.js with the sweep command (npm run build)',
  'strays sweep (built CLI)',
  () => {
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [CLI, 'sweep', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

    it("exits 2 on bad input; a dry run lists the dead job's daemon and ends nothing; a real run ends it", async () => {
      leakers = new Leakers();
      stateDir = tempStateDir();
      const bad = cli(['--older-than', 'soon']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/--older-than "soon"/);

      const job = await registeredJob(leakers, stateDir);
      const daemon = await markedDaemon(leakers, { [SESSION_VAR]: job.session });
      await job.end();
      const dry = cli(['--older-than', '0s', '--dry-run'], { STRAYS_STATE_DIR: stateDir });
      expect(dry.status).toBe(0);
      expect(dry.stdout).toMatch(new RegExp(`would end: pid ${daemon} `));
      expect(isAlive(daemon)).toBe(true);
      expect(listJobs({ stateDir }).jobs).toHaveLength(1);

      const real = cli(['--older-than', '0s', '--grace', '2s'], { STRAYS_STATE_DIR: stateDir });
      expect(real.status).toBe(0);
      expect(real.stdout).toMatch(new RegExp(`ended: pid ${daemon} `));
      expect(isAlive(daemon)).toBe(false);
      expect(listJobs({ stateDir }).jobs).toEqual([]);
    });
  },
);
