/**
 * `eval "$(strays start … 2>/dev/null)"` makes bash run strays in a forked
 * subshell that exits with it. The owner recorded, and with --isolation cgroup
 * the process moved into the job cgroup, must be the calling shell, which
 * starts the job's later commands: otherwise the sweep sees the job over at once
 * and the cgroup holds nothing of the job. Real bash, real cgroups (skipped
 * where cgroup2 is not writable).
 */
import fs from 'node:fs';
import { afterEach, beforeAll, describe, expect } from 'vitest';
import { listJobs } from '../src/host/index.js';
import { CLI, cli, ensureBuilt } from './cli-support.js';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { itIf, needsWritableCgroup } from './helpers/requires.js';
import { tempStateDir } from './helpers/sweep-jobs.js';

let leakers: Leakers;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => leakers.cleanup());

// The CLI makes the job cgroup itself: a writable cgroup2, not one reached through sudo.
const cgroupMissing = needsWritableCgroup();

describe('the default owner of strays start', () => {
  itIf(
    cgroupMissing,
    'under eval "$(… 2>/dev/null)" is the calling shell, which is also what enters the job cgroup',
    async () => {
      leakers = new Leakers();
      const stateDir = tempStateDir();
      const f = {
        state: leakers.file('state.json'),
        shell: leakers.file('shell'),
        cgroup: leakers.file('cgroup'),
        go: leakers.file('go'),
      };
      const script = [
        `eval "$(${process.execPath} ${CLI} start --state ${f.state} --isolation cgroup 2>/dev/null)"`,
        `cat /proc/$$/cgroup > ${f.cgroup}`,
        `setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 450' &`,
        `echo $$ > ${f.shell}`,
        `while [ ! -e ${f.go} ]; do sleep 0.05; done`,
      ].join('\n');
      const leak = await leakers.daemon(`bash -c '${script.replaceAll("'", `'\\''`)}'`, {
        env: { STRAYS_STATE_DIR: stateDir, STRAYS_SESSION: '', NO_COLOR: '1' },
        shellStays: true,
      });
      const shell = await waitFor(
        () => Number(fs.existsSync(f.shell) && fs.readFileSync(f.shell, 'utf8').trim()) || undefined,
        'the job shell',
      );
      leakers.track(shell);
      const jobs = listJobs({ stateDir }).jobs;
      expect(jobs.map((j) => j.owner.pid)).toEqual([shell]);
      expect(fs.readFileSync(f.cgroup, 'utf8')).toContain(`/${jobs[0]?.session}`);

      fs.writeFileSync(f.go, '');
      await waitFor(() => !isAlive(shell), 'the job shell to exit');
      const checked = await cli(['check', '--state', f.state, '--grace', '2s'], {
        env: { STRAYS_STATE_DIR: stateDir },
      });
      expect(checked.stderr).toContain('sleep 450');
      expect(isAlive(leak)).toBe(false);
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  );
});
