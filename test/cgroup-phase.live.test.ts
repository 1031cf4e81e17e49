/**
 * What the post step takes for the runner in a job cgroup: a process moved in
 * at job start only while it is still that process (pid and start time). An
 * owner that exited before the check may have left its pid to a job leak.
 */
import { afterEach, expect, it } from 'vitest';
import type { JobCgroupRecord } from '../src/engine/baseline.js';
import { runnerPids } from '../src/job/cgroup-phase.js';
import { readStat } from '../src/proc/linux.js';
import { startTestJob } from './helpers/job.js';
import { Leakers } from './helpers/leakers.js';

let leakers: Leakers | undefined;
afterEach(async () => {
  await leakers?.cleanup();
  leakers = undefined;
});

it.runIf(process.platform === 'linux')('a moved pid is the runner only while it keeps its recorded start', () => {
  leakers = new Leakers();
  const moved = leakers.spawn('sleep', ['300'], { stdio: 'ignore' });
  const pid = moved.pid as number;
  leakers.track(pid);
  const start = readStat(pid)?.startTicks as number;
  const record = (at: number): JobCgroupRecord => ({
    mount: '/sys/fs/cgroup',
    path: '/strays-0123456789abcdef',
    origin: '/',
    moved: [{ pid, start: at }],
  });
  const { baseline } = startTestJob();
  expect(runnerPids(record(start), baseline, process.pid)).toContain(pid);
  expect(runnerPids(record(start + 1), baseline, process.pid)).not.toContain(pid);
});
