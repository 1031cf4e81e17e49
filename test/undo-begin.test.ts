/**
 * A job start that fails after beginJob leaves nothing behind: no host
 * record, no job cgroup, and the process moved into the cgroup (the caller's
 * shell, the runner worker) back where it was. One test per failure path:
 * `run` of a command that cannot start (127, 126), `start --state DIR`, and a
 * pre step that cannot save its baseline.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { readCgroup2Mount } from '../src/cgroup/index.js';
import { Input } from '../src/action/constants.js';
import { SESSION_VAR } from '../src/engine/session.js';
import { type FakeCore, installFakeCore } from './helpers/fake-core.js';
import { Leakers } from './helpers/leakers.js';
import { itIf, needsWritableCgroup } from './helpers/requires.js';
import { tempStateDir } from './helpers/sweep-jobs.js';
import { CLI, cli, ensureBuilt } from './cli-support.js';

const core = vi.hoisted(() => ({}) as FakeCore);
vi.mock('@actions/core', () => core);
const { runPre } = await import('../src/action/run-pre.js');

// Direct writes only: an installed sudo is not proof that the job cgroup can be made (test/helpers/requires.ts).
const noCgroup = needsWritableCgroup();
const cgroups = noCgroup === undefined;
const isolation = cgroups ? 'cgroup' : 'marker';

let leakers: Leakers;
let stateDir: string;
const saved = { ...process.env };
beforeAll(ensureBuilt, 120_000);
beforeEach(() => {
  leakers = new Leakers();
  stateDir = tempStateDir();
});
afterEach(async () => {
  await leakers.cleanup();
  fs.rmSync(stateDir, { recursive: true, force: true });
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

/** Records left in the state directory (none, or the jobs/ folder missing, is clean). */
const records = (): string[] => {
  const dir = path.join(stateDir, 'jobs');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

/** The job cgroup a start announced in its isolation note; undefined under marker isolation. */
const announcedCgroup = (text: string): string | undefined =>
  /job cgroup (\/\S+?)(?: \(via [^)]*\))?\.(?:\s|$)/.exec(text)?.[1];

describe('run: a command that cannot start', () => {
  it.each([
    ['127, not found', () => path.join(leakers.dir, 'no-such-command'), 127],
    [
      '126, not executable',
      () => {
        const file = path.join(leakers.dir, 'not-executable');
        fs.writeFileSync(file, 'echo never\n', { mode: 0o644 });
        return file;
      },
      126,
    ],
  ] as const)('%s: leaves no record and no job cgroup', async (_, command, status) => {
    const result = await cli(['run', '--isolation', isolation, '--', command()], {
      env: { STRAYS_STATE_DIR: stateDir },
    });
    expect(result.status).toBe(status);
    expect(records()).toEqual([]);
    const cgroup = announcedCgroup(result.stderr);
    if (cgroups) expect(cgroup).toBeDefined();
    if (cgroup) expect(fs.existsSync(cgroup)).toBe(false);
  });
});

describe('start: the state cannot be saved', () => {
  it('--state naming a directory: the calling shell is moved back, no record, no job cgroup', () => {
    const stateIsDir = path.join(leakers.dir, 'state-is-a-dir');
    fs.mkdirSync(stateIsDir);
    // The shell is the owner strays start moves into the job cgroup. It first steps into a cgroup of
    // its own, so the job cgroup (made beside it, under its cgroup) is the only one that could appear there.
    const own = cgroups ? ownCgroupDir() : undefined;
    const script = `${own ? 'mkdir "$OWN" && echo $$ > "$OWN/cgroup.procs" || exit 9;' : ''}
      before=$(cat /proc/$$/cgroup); "$NODE" "$CLI" start --isolation ${isolation} --state "$STATE"; st=$?;
      after=$(cat /proc/$$/cgroup); echo "status=$st"; [ "$before" = "$after" ] && echo same-cgroup || echo moved
      ${own ? 'ls "$OWN" | grep "^strays-" || echo no-job-cgroup; echo $$ > "$OWN/../cgroup.procs"; rmdir "$OWN"' : ''}`;
    const shell = spawnSync('sh', ['-c', script], {
      encoding: 'utf8',
      env: {
        ...process.env,
        NODE: process.execPath,
        CLI,
        STATE: stateIsDir,
        STRAYS_STATE_DIR: stateDir,
        OWN: own ?? '',
        [SESSION_VAR]: '',
      },
    });
    expect(shell.stdout).toMatch(/status=[1-9]\d*\nsame-cgroup/);
    if (own) expect(shell.stdout).toMatch(/no-job-cgroup/);
    expect(records()).toEqual([]);
  });
});

/** A fresh cgroup path beside this test's own (cgroup v2), for a shell to step into. */
function ownCgroupDir(): string {
  const mount = readCgroup2Mount() as { mountPoint: string };
  const line = fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('0::')) as string;
  return path.join(mount.mountPoint, line.slice(3), `undo-test-${process.pid}-${Date.now()}`);
}

describe('pre: the baseline cannot be saved', () => {
  it('fails the step, moves the worker back, and leaves no record and no job cgroup', async () => {
    installFakeCore(core);
    core.inputs[Input.Isolation] = isolation;
    // RUNNER_TEMP is a file: the baseline's folder cannot be made.
    const notADir = path.join(leakers.dir, 'runner-temp');
    fs.writeFileSync(notADir, '');
    process.env.RUNNER_TEMP = notADir;
    process.env.STRAYS_STATE_DIR = stateDir;
    delete process.env.RUNNER_TRACKING_ID;
    delete process.env[SESSION_VAR];
    const worker = `/proc/${process.ppid}/cgroup`;
    const before = fs.readFileSync(worker, 'utf8');
    await runPre();
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/^strays pre: /));
    expect(core.exportVariable).not.toHaveBeenCalled();
    expect(fs.readFileSync(worker, 'utf8')).toBe(before);
    expect(records()).toEqual([]);
    const notes = vi
      .mocked(core.info)
      .mock.calls.map(([line]) => line)
      .join('\n');
    const cgroup = announcedCgroup(notes);
    if (cgroups) expect(cgroup).toBeDefined();
    if (cgroup) expect(fs.existsSync(cgroup)).toBe(false);
  });
});

describe('beginJob: the start fails before the baseline exists', () => {
  itIf(noCgroup, 'the job cgroup made while the table was read goes again, and the worker leaves it', async () => {
    const { beginJob } = await import('../src/job/begin.js');
    const { cgroupOfPid, dirOf } = await import('../src/cgroup/index.js');
    const { newSessionId } = await import('../src/engine/session.js');
    const worker = leakers.spawn('sleep', ['300'], { stdio: 'ignore' });
    leakers.track(worker.pid as number);
    const origin = cgroupOfPid(worker.pid as number) as string;
    const session = newSessionId();
    const failed = beginJob({
      isolation: 'cgroup',
      cgroupPid: worker.pid as number,
      session,
      stateDir,
      owner: () => {
        throw new Error('no owner to be found');
      },
    });
    await expect(failed).rejects.toThrow('no owner to be found');
    expect(cgroupOfPid(worker.pid as number)).toBe(origin);
    // Where the job cgroup is made: beside the origin's processes, or as a sibling leaf (lifecycle.ts).
    const mount = readCgroup2Mount()?.mountPoint as string;
    for (const parent of [origin, path.posix.dirname(origin)])
      expect(fs.existsSync(path.join(dirOf(mount, parent), session))).toBe(false);
    expect(records()).toEqual([]);
  });
});
