/**
 * The npm package as users get it: `npm pack`, then `npm i -g --prefix DIR
 * strays-X.tgz` with no registry (the package has no runtime dependencies:
 * the CLI bundle is self-contained), then the installed `strays` binary.
 *
 * As root the installed CLI runs inside a PID namespace of its own
 * (`unshare --pid --fork --mount-proc --kill-child`): it may only ever see
 * and signal what this test started.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf, firstMissing, needsCommand } from './helpers/requires.js';

const ROOT = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
};
const asRoot = process.getuid?.() === 0;
const missing = firstMissing(needsCommand('npm', 'npm'), asRoot ? needsCommand('unshare', 'util-linux') : undefined);

let scratch: string;
let tarball: string;
let strays: string;
let packInfo: { size: number; files: Array<{ path: string }> } | undefined;

/** npm with its own cache and no registry traffic. */
const npm = (args: string[], cwd: string) =>
  spawnSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--cache', path.join(scratch, 'npm-cache')], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });

/** The installed CLI; as root inside a fresh PID namespace. */
const run = (args: string[]) =>
  spawnSync(
    asRoot ? 'unshare' : strays,
    asRoot ? ['--pid', '--fork', '--mount-proc', '--kill-child', strays, ...args] : args,
    {
      encoding: 'utf8',
      cwd: scratch,
    },
  );

describeIf(missing, 'the packed npm package, installed into a scratch prefix', () => {
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-pack-'));
    const packed = npm(['pack', '--json', '--pack-destination', scratch], ROOT);
    expect(packed.status, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as Array<{
      filename: string;
      size: number;
      files: Array<{ path: string }>;
    }>;
    tarball = path.join(scratch, info?.filename ?? 'missing.tgz');
    packInfo = info;
    const installed = npm(['install', '--global', '--prefix', path.join(scratch, 'prefix'), tarball], scratch);
    expect(installed.status, installed.stderr).toBe(0);
    strays = path.join(scratch, 'prefix', 'bin', 'strays');
  }, 120_000);
  afterAll(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });
  it('holds only what users run or read, well under 400 kB packed', () => {
    const files = (packInfo?.files ?? []).map((f) => f.path).sort();
    expect(files).toContain('dist/cli/index.js');
    expect(files).toEqual(
      expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'SECURITY.md', 'package.json']),
    );
    expect(files).toEqual(
      expect.arrayContaining([
        'hooks/job-started.sh',
        'hooks/job-completed.sh',
        'contrib/systemd/strays-sweep.service',
      ]),
    );
    // No sources, tests, benchmarks or the action's bundles (those are used from the repository by `uses:`).
    expect(files.filter((f) => /^(src|test|bench|scripts|\.ci|\.github|dist\/(pre|main|post))\//.test(f))).toEqual([]);
    expect(packInfo?.size).toBeLessThan(400_000);
  });

  it('`strays --version` prints the package version', () => {
    const version = run(['--version']);
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(manifest.version);
    expect(version.status).toBe(0);
  });

  it('`strays run` ends what the command left behind and fails with --fail-on-leak', () => {
    const pidFile = path.join(scratch, 'leak.pid');
    const report = path.join(scratch, 'report.json');
    const result = run([
      'run',
      '--fail-on-leak',
      '--grace',
      '1s',
      '--json',
      report,
      '--',
      'sh',
      '-c',
      `sleep 300 </dev/null >/dev/null 2>&1 & echo $! > '${pidFile}'`,
    ]);
    expect(result.status, result.stderr).toBe(3);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    const leaks = (JSON.parse(fs.readFileSync(report, 'utf8')) as { leaks: Array<{ pid: number; outcome: string }> })
      .leaks;
    expect(leaks).toHaveLength(1);
    expect(leaks[0]?.pid).toBe(pid); // argv may still be the forked sh: the command exits before its child execs sleep
    expect(['exited', 'killed', 'zombie']).toContain(leaks[0]?.outcome);
  });
});
