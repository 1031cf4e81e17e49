/**
 * Per-job cgroup isolation through the built CLI (README "Isolation: environment
 * marker or per-job cgroup"). The leak is a daemon that drops everything the
 * marker rule relies on: `setpriv` switches
 * it to another user (as `sudo -u` would), `env -i` scrubs its environment,
 * and `setsid` plus the exiting shell orphan it. Only cgroup membership, which
 * no child can shed without write access to the cgroup tree, still ties it
 * to the job.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { readCgroup2Mount } from '../src/cgroup/index.js';
import { cli, ensureBuilt } from './cli-support.js';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { expectValidReport } from './helpers/report-schema.js';
import { describeIf, firstMissing, needsCommand, needsRoot, needsWritableCgroup } from './helpers/requires.js';

// setpriv switches the leak to uid 65534, which only root may do; the CLI then makes its job cgroup directly.
const missing = firstMissing(
  needsRoot('starts the leak as uid 65534'),
  needsCommand('setpriv', 'util-linux'),
  needsWritableCgroup(),
);
let leakers: Leakers;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => leakers?.cleanup());

/** A test dir the daemon (uid 65534) can write its pid into. */
function newLeakers(): Leakers {
  const l = new Leakers();
  fs.chmodSync(l.dir, 0o1777);
  return l;
}

/** A step that leaves a scrubbed daemon as uid 65534 and writes its pid (stdio detached, as daemons do). */
const scrubbedLeak = (pidFile: string): string =>
  `setpriv --reuid 65534 --regid 65534 --clear-groups env -i setsid sh -c 'echo $$ > ${pidFile}; exec sleep 300' </dev/null >/dev/null 2>&1 & sleep 0.3`;

function findDir(root: string, name: string, depth = 4): string | undefined {
  if (depth < 0) return undefined;
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = path.join(root, e.name);
    if (e.name === name) return p;
    const found = findDir(p, name, depth - 1);
    if (found) return found;
  }
  return undefined;
}

describeIf(missing, 'strays run --isolation', () => {
  it('cgroup: finds and ends a scrubbed daemon of another user, then removes the job cgroup', async () => {
    leakers = newLeakers();
    const pidFile = leakers.file('daemon');
    const json = leakers.file('report.json');
    const result = await cli([
      'run',
      '--isolation',
      'cgroup',
      '--grace',
      '1s',
      '--json',
      json,
      '--',
      'sh',
      '-c',
      scrubbedLeak(pidFile),
    ]);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(result.stderr).toMatch(/isolation: cgroup \(cgroup\): job cgroup /);
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    const report = expectValidReport(JSON.parse(fs.readFileSync(json, 'utf8')));
    const leak = report.leaks.find((l: { pid: number }) => l.pid === pid);
    expect(leak).toMatchObject({ attribution: 'cgroup', uid: 65534 });
    expect(['exited', 'killed', 'zombie']).toContain(leak.outcome);
    expect(isAlive(pid)).toBe(false);
    const mount = readCgroup2Mount();
    expect(mount && findDir(mount.mountPoint, `${report.session}`)).toBeUndefined();
  });

  it('marker: the same daemon carries no mark of the job and is missed, as documented', async () => {
    leakers = newLeakers();
    const pidFile = leakers.file('daemon');
    const json = leakers.file('report.json');
    const result = await cli(['run', '--isolation', 'marker', '--json', json, '--', 'sh', '-c', scrubbedLeak(pidFile)]);
    const pid = await waitFor(
      () => Number(fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8')) || undefined,
      'daemon pid',
    );
    leakers.track(pid);
    expect(result.stderr).toMatch(/isolation: marker/);
    const report = expectValidReport(JSON.parse(fs.readFileSync(json, 'utf8')));
    expect(report.leaks.map((l: { pid: number }) => l.pid)).not.toContain(pid);
    expect(isAlive(pid)).toBe(true);
  });
});
