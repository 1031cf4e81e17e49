/**
 * `strays run` as a subprocess against real leakers: the built bundle, real
 * daemons, real signals. Every leaker writes its pid to a file so the test can
 * check it by pid (and clean it up by pid if strays failed to).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { type CliRun, DEAD, ROOT, cli, ensureBuilt, freePort, readPid, startCli } from './cli-support.js';
import { expectValidReport } from './helpers/report-schema.js';
import { itIf, needsCommand, needsRootAndSharedNode } from './helpers/requires.js';

const NOBODY = 65534;

let leakers: Leakers;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => leakers.cleanup());

/** Registers pids for cleanup if they are (wrongly) still alive, and returns which are. */
const survivors = (pids: readonly number[]): number[] => {
  const alive = pids.filter(isAlive);
  for (const pid of alive) leakers.track(pid);
  return alive;
};

interface JsonLeak {
  pid: number;
  command: string;
  outcome: string;
  step?: string;
  attribution: string;
}
const leaksOf = (file: string): JsonLeak[] =>
  expectValidReport(JSON.parse(fs.readFileSync(file, 'utf8')) as { leaks: JsonLeak[] }).leaks;

describe('strays run', () => {
  it("catches a setsid daemon the command left, names its step, and keeps the command's status", async () => {
    leakers = new Leakers();
    const pidFile = leakers.file();
    const json = leakers.file('report.json');
    const script = `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 310' & while [ ! -s ${pidFile} ]; do sleep 0.05; done; exit 7`;
    const result = await cli(['run', '--grace', '2s', '--json', json, '--', 'sh', '-c', script]);
    const daemon = readPid(pidFile) as number;
    expect(daemon).toBeGreaterThan(0);
    expect(survivors([daemon])).toEqual([]);
    expect(result.status).toBe(7);
    const leak = leaksOf(json).find((l) => l.pid === daemon);
    expect(leak?.attribution).toBe('marker');
    expect(DEAD).toContain(leak?.outcome);
    expect(leak?.step).toMatch(/^sh -c setsid/);
    expect(result.stderr).toMatch(/1 leaked process/);
  });

  itIf(
    needsCommand('git', 'git'),
    'catches `git daemon --detach` and exits 3 with --fail-on-leak when the command succeeded',
    async () => {
      leakers = new Leakers();
      const base = fs.mkdtempSync(path.join(leakers.dir, 'git-'));
      const pidFile = path.join(base, 'pid');
      const port = await freePort();
      const json = leakers.file('report.json');
      const result = await cli([
        'run',
        '--fail-on-leak',
        '--grace',
        '2s',
        '--json',
        json,
        '--',
        // git daemon --detach exits in the parent before the child writes --pid-file (daemon.c: daemonize, then
        // store_pid): the command waits for the file, so the pid is known however fast strays ends the daemon.
        'sh',
        '-c',
        'git daemon --detach --listen=127.0.0.1 --port="$1" --base-path="$2" --pid-file="$3" "$2" && for i in $(seq 400); do [ -s "$3" ] && exit 0; sleep 0.05; done; exit 1',
        'sh',
        String(port),
        base,
        pidFile,
      ]);
      // git daemon writes its pid file after it detaches; strays may stop it before that (it is a leak the
      // moment its parent exits), so the report names it when the pid file does not.
      const daemon = (readPid(pidFile) ?? leaksOf(json).find((l) => /git-daemon/.test(l.command))?.pid) as number;
      expect(daemon).toBeGreaterThan(0);
      expect(survivors([daemon])).toEqual([]);
      expect(result.status).toBe(3);
      expect(DEAD).toContain(leaksOf(json).find((l) => l.pid === daemon)?.outcome);
    },
  );

  it('forwards SIGTERM to the group and ends the whole tree, a double-forked setsid child included', async () => {
    leakers = new Leakers();
    const [shellFile, grandFile, daemonFile] = [leakers.file('shell'), leakers.file('grand'), leakers.file('daemon')];
    // The shell waits in the foreground; a grandchild in its group; a double-forked setsid daemon outside it.
    const script = [
      `echo $$ > ${shellFile}`,
      `sh -c 'echo $$ > ${grandFile}; exec sleep 320' &`,
      `( setsid sh -c 'echo $$ > ${daemonFile}; exec sleep 321' & )`,
      'sleep 322',
    ].join('\n');
    const run = startCli(['run', '--grace', '1s', '--', 'sh', '-c', script]);
    const pids = await waitFor(() => {
      const all = [shellFile, grandFile, daemonFile].map(readPid);
      return all.every((p) => p !== undefined) ? (all as number[]) : undefined;
    }, 'the three pid files');
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(survivors(pids)).toEqual([]);
    expect(result.status).toBe(143); // sh killed by the forwarded SIGTERM: 128 + 15
    expect(result.stderr).toMatch(/SIGTERM received/);
  });

  /**
   * `strays run` of a SIGTERM-ignoring loop (SIG_IGN survives exec, so its sleeps ignore it too: only a SIGKILL
   * after the grace ends it) beside a setsid daemon, with a TMPDIR of the test's own, where run keeps its
   * baseline in a folder (run-state.ts); resolves once both have written their pids.
   */
  async function runStubbornTree(l: Leakers) {
    const tmp = fs.mkdtempSync(path.join(l.dir, 'tmp-'));
    const [stubbornFile, daemonFile] = [l.file('stubborn'), l.file('daemon')];
    const script = [
      `( setsid sh -c 'echo $$ > ${daemonFile}; exec sleep 330' & )`,
      `trap '' TERM; echo $$ > ${stubbornFile}; while :; do sleep 1; done`,
    ].join('\n');
    const run = startCli(['run', '--grace', '1s', '--', 'sh', '-c', script], { env: { TMPDIR: tmp } });
    const pids = await waitFor(() => {
      const all = [stubbornFile, daemonFile].map(readPid);
      return all.every((p) => p !== undefined) ? (all as number[]) : undefined;
    }, 'the pid files');
    return { run, pids, tmp };
  }

  /**
   * After strays was SIGKILLed: its finisher, in a session of its own, outlives it and ends the tree after
   * the grace period, and its check removes run's state, folder and all, from the temp directory.
   */
  async function expectFinisherEnds(run: CliRun, pids: readonly number[], tmp: string): Promise<void> {
    await run.done;
    const gone = await waitFor(() => pids.every((p) => !isAlive(p)) || undefined, 'the tree to end', 20_000).catch(
      () => false,
    );
    expect(survivors(pids)).toEqual([]);
    expect(gone).toBe(true);
    await waitFor(() => fs.readdirSync(tmp).length === 0 || undefined, "run's state folder to go");
  }

  it('still ends the tree when strays itself is SIGKILLed after the SIGTERM, as su does (GitLab shell-adapter case)', async () => {
    leakers = new Leakers();
    const { run, pids, tmp } = await runStubbornTree(leakers);
    let said = '';
    run.child.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    run.child.kill('SIGTERM');
    // SIGKILL only once strays has started its finisher (it says so first): on a loaded machine a fixed
    // pause could kill it before it even handled SIGTERM, and then nothing ends the tree.
    await waitFor(() => said.includes('SIGTERM received'), 'strays to start its finisher');
    run.child.kill('SIGKILL');
    await expectFinisherEnds(run, pids, tmp);
  });

  it('still ends the tree when strays is SIGKILLed before it could even handle the SIGTERM', async () => {
    leakers = new Leakers();
    const { run, pids, tmp } = await runStubbornTree(leakers);
    // Back to back, as a loaded machine may deliver them: the finisher was started with the job, not by the handler.
    run.child.kill('SIGTERM');
    run.child.kill('SIGKILL');
    await expectFinisherEnds(run, pids, tmp);
  });

  it('reports a command that does not exist and exits 127, like a shell', async () => {
    leakers = new Leakers();
    // A PATH of readable directories: one this user cannot search is the next test's.
    const result = await cli(['run', '--', 'strays-no-such-command-xyz', 'arg'], { env: { PATH: '/usr/bin:/bin' } });
    expect(result.status).toBe(127);
    expect(result.stderr).toMatch(/command not found: strays-no-such-command-xyz \(ENOENT\)/);
  });

  itIf(
    needsRootAndSharedNode('runs strays run as uid 65534'),
    'as a user who cannot search a PATH directory: not found is 127 (execvp says EACCES), a file found but not executable 126',
    () => {
      leakers = new Leakers();
      // The bundle is self-contained: a world-readable copy, wherever the checkout sits.
      const shared = leakers.dir;
      for (const file of ['index.js', 'package.json'])
        fs.copyFileSync(path.join(ROOT, 'dist/cli', file), path.join(shared, file));
      const locked = path.join(shared, 'locked');
      const open = path.join(shared, 'open');
      const state = path.join(shared, 'state');
      fs.mkdirSync(locked, { mode: 0o700 });
      fs.mkdirSync(open);
      fs.mkdirSync(state);
      for (const dir of [shared, open]) fs.chmodSync(dir, 0o755);
      fs.chmodSync(state, 0o777);
      fs.writeFileSync(path.join(open, 'strays-not-executable'), '#!/bin/sh\n', { mode: 0o644 });
      const runAs = (command: string) =>
        spawnSync(process.execPath, [path.join(shared, 'index.js'), 'run', '--isolation', 'marker', '--', command], {
          uid: NOBODY,
          gid: NOBODY,
          cwd: shared,
          env: { PATH: `${locked}:${open}:/usr/bin:/bin`, STRAYS_STATE_DIR: state, NO_COLOR: '1' },
          encoding: 'utf8',
        });
      const missing = runAs('strays-no-such-command-xyz');
      expect(missing.status, missing.stderr).toBe(127);
      expect(missing.stderr).toMatch(
        /command not found: strays-no-such-command-xyz \(EACCES: no readable PATH directory holds it\)/,
      );
      const found = runAs('strays-not-executable');
      expect(found.status, found.stderr).toBe(126);
      expect(found.stderr).toMatch(/cannot execute strays-not-executable \(EACCES\)/);
    },
  );

  it('exits 126 for a file that cannot be executed', async () => {
    leakers = new Leakers();
    const file = leakers.file('not-executable');
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
    const result = await cli(['run', '--', file]);
    expect(result.status).toBe(126);
    expect(result.stderr).toMatch(/cannot execute/);
  });
});
