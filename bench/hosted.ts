/**
 * A GitHub-hosted runner's own path, where this machine allows it: dist/pre
 * and dist/post as uid 65534 with passwordless sudo (the default isolation
 * then makes the job cgroup through `sudo -n`), beside the runner-cleanup
 * yardstick run as the same user. One child process, running as that user
 * (`--child-hosted`), times all three, so the wrapper that sets the user up
 * is outside every timing: a private mount namespace whose /etc/sudoers is
 * the bench's own (as test/hosted-runner.live.test.ts does; the host's
 * sudoers are never touched), then setpriv.
 * Skipped, with the reason, where that cannot be set up.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActionJob } from './action.js';
import { JOB_UID, asHostedUser, mountNamespaceRefusal, writeHostedSudoers } from '../test/sim/hosted-user.mjs';
import { timedEnv } from './runtime.js';
import { median } from './timing.js';

const NOBODY = JOB_UID;

export interface HostedTimes {
  readonly cleanupMs: number;
  readonly preMs: number;
  readonly postMs: number;
  /** Medians of the per-run ratios, as for the other dist rows. */
  readonly preVsCleanup: number;
  readonly postVsCleanup: number;
  /** The isolation the pre step used ("isolation: cgroup …" in its log). */
  readonly used: string | undefined;
  readonly failures: readonly string[];
}

export type Hosted =
  | { readonly ok: true; readonly times: HostedTimes }
  | { readonly ok: false; readonly reason: string };

/** What the child prints: each run's times, and what went wrong. */
interface ChildAnswer {
  readonly cleanup: number[];
  readonly pre: number[];
  readonly post: number[];
  used: string | undefined;
  readonly failures: string[];
}

const has = (command: string): boolean =>
  spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;

/** Why the hosted path cannot be timed here, or undefined when it can. */
function unavailable(readable: readonly string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'the bench is not root (it sets up uid 65534 and its sudo rule)';
  for (const command of ['sudo', 'setpriv', 'unshare']) if (!has(command)) return `${command} is not installed`;
  const refused = mountNamespaceRefusal();
  if (refused !== undefined) return `no private mount namespace (unshare --mount: ${refused})`;
  for (const file of readable) {
    const run = spawnSync('setpriv', [
      '--reuid',
      String(NOBODY),
      '--regid',
      String(NOBODY),
      '--clear-groups',
      'test',
      '-r',
      file,
    ]);
    if (run.status !== 0) return `uid ${NOBODY} cannot read ${file}`;
  }
  return undefined;
}

/** `runs` clean jobs as uid 65534 with passwordless sudo: the yardstick, dist/pre and dist/post of each. */
export async function hostedTimes(runs: number, distDir: string, self: string, cleanupScript: string): Promise<Hosted> {
  const pre = path.join(distDir, 'pre', 'index.js');
  const reason = unavailable([self, cleanupScript, pre, path.join(distDir, 'post', 'index.js')]);
  if (reason !== undefined) return { ok: false, reason };
  // Not under the bench's own folder (mode 0700): the job's user must reach its work folder.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-bench-hosted-'));
  try {
    fs.chmodSync(root, 0o755);
    return await timeAsNobody(root, runs, distDir, self, cleanupScript);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function timeAsNobody(
  root: string,
  runs: number,
  distDir: string,
  self: string,
  cleanupScript: string,
): Promise<Hosted> {
  const work = path.join(root, 'work');
  fs.mkdirSync(work);
  fs.chownSync(work, NOBODY, NOBODY);
  const sudoers = path.join(root, 'sudoers');
  writeHostedSudoers(sudoers);
  const request = JSON.stringify({ runs, distDir, work, cleanupScript });
  const [command, args] = asHostedUser(sudoers, [process.execPath, self, '--child-hosted', request]);
  const child = spawn(command, args, {
    cwd: work,
    env: { ...timedEnv(process.env), HOME: work },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  let answer: ChildAnswer;
  try {
    answer = JSON.parse(out.trim().split('\n').pop() ?? '') as ChildAnswer;
  } catch {
    return { ok: false, reason: `the hosted child exited ${code}: ${err.trim().split('\n').slice(-3).join(' ')}` };
  }
  const ratio = (times: number[]): number => median(times.map((t, i) => t / (answer.cleanup[i] as number)));
  return {
    ok: true,
    times: {
      cleanupMs: median(answer.cleanup),
      preMs: median(answer.pre),
      postMs: median(answer.post),
      preVsCleanup: ratio(answer.pre),
      postVsCleanup: ratio(answer.post),
      used: answer.used,
      failures: answer.failures,
    },
  };
}

/** The --child-hosted side, as uid 65534: each run a clean job of its own, timed spawn to exit. */
export async function childHostedMain(request: string): Promise<void> {
  const { runs, distDir, work, cleanupScript } = JSON.parse(request) as {
    runs: number;
    distDir: string;
    work: string;
    cleanupScript: string;
  };
  const answer: ChildAnswer = { cleanup: [], pre: [], post: [], used: undefined, failures: [] };
  for (let i = 0; i < runs; i++) {
    const job = new ActionJob(fs.mkdtempSync(path.join(work, 'job-')), distDir, process.execPath);
    const c = await job.script(cleanupScript);
    const p = await job.step('pre');
    const q = await job.step('post');
    for (const [name, r] of [
      ['the yardstick', c],
      ['dist/pre', p],
      ['dist/post', q],
    ] as const)
      if (r.code !== 0) answer.failures.push(`${name} (uid ${NOBODY}) exited ${r.code}: ${r.output.slice(-300)}`);
    answer.used ??= /isolation: (cgroup|marker)[^\n]*/.exec(p.output)?.[0];
    answer.cleanup.push(c.ms);
    answer.pre.push(p.ms);
    answer.post.push(q.ms);
  }
  console.log(JSON.stringify(answer));
}
