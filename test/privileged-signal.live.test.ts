/**
 * Ending a proven leak of another user (a step ran `sudo git daemon`) through
 * the privileged helper, with the identity check done again as root.
 *
 * This machine has no sudo. A setuid-root copy of env(1), executable only by
 * root and group 65534 and removed after the tests, stands in for `sudo -n`:
 * like sudo it runs the given argv with euid 0, no shell involved.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { helperArgv, readFdsPrivileged, signalPrivileged } from '../src/terminate/privileged-signal.js';
import { buildForUsers } from './helpers/as-user.js';
import { Leakers, isAlive, waitFor } from './helpers/leakers.js';
import { describeIf, needsRootAndSharedNode } from './helpers/requires.js';

const NOBODY = 65534;
const missing = needsRootAndSharedNode('runs a job as uid 65534 with a setuid-root stand-in for sudo');
let build: string;
let sudo: string;
let leakers: Leakers;

beforeAll(() => {
  if (missing !== undefined) return;
  build = buildForUsers();
  sudo = path.join(build, 'fake-sudo');
  fs.copyFileSync('/usr/bin/env', sudo);
  fs.chownSync(sudo, 0, NOBODY);
  fs.chmodSync(sudo, 0o4750);
  fs.writeFileSync(
    path.join(build, 'end.mjs'),
    `const [pid, start, helper] = process.argv.slice(2).map((v, i) => (i < 2 ? Number(v) : v));
const { terminate } = await import('./src/terminate/index.js');
const { readTable } = await import('./src/proc/index.js');
const p = (await readTable()).processes.find((x) => x.pid === pid && x.start === start);
const finding = { process: p, attribution: 'cgroup', reasons: ['test'], ancestry: [], children: [], step: undefined };
const t = await terminate([finding], { graceMs: 1000, kill: true, privileged: helper === 'none' ? false : [helper] });
process.stdout.write(JSON.stringify(t.results));`,
    { mode: 0o644 },
  );
});
afterAll(() => {
  if (build) fs.rmSync(build, { recursive: true, force: true });
});
afterEach(async () => leakers?.cleanup());

function endAsNobody(
  pid: number,
  start: number,
  helper: string,
): Promise<Array<{ pid: number; outcome: string; detail?: string; signals: string[] }>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(build, 'end.mjs'), String(pid), String(start), helper], {
      uid: NOBODY,
      gid: NOBODY,
      cwd: build,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
  });
}

describeIf(missing, 'privileged termination', () => {
  it('an unprivileged checker ends a root-owned leak through the helper; without it, EPERM is reported', async () => {
    leakers = new Leakers();
    const pid = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 490' &`);
    const { start } = leakers.track(pid);
    const refused = await endAsNobody(pid, start, 'none');
    expect(refused[0]?.outcome).toBe('not-permitted');
    expect(isAlive(pid)).toBe(true);
    const ended = await endAsNobody(pid, start, sudo);
    expect(['exited', 'killed']).toContain(ended[0]?.outcome);
    expect(ended[0]?.signals).toContain('SIGTERM');
    await waitFor(() => !isAlive(pid), `pid ${pid} to end`);
  });

  it('the helper checks the start time as root: a recycled pid is never signalled', async () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o777);
    const pid = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 491' &`, {
      uid: NOBODY,
      gid: NOBODY,
    });
    const { start } = leakers.track(pid);
    const wrong = await signalPrivileged([], [{ pid, start: start + 1 }], 'SIGKILL');
    expect(wrong.get(pid)).toEqual({ kind: 'reused', start });
    expect(isAlive(pid)).toBe(true);
    const right = await signalPrivileged([], [{ pid, start }], 'SIGKILL');
    expect(right.get(pid)).toEqual({ kind: 'sent' });
    await waitFor(() => !isAlive(pid), `pid ${pid} to end`);
  });

  it("reads another user's fds through the helper, and passes data only as argv (no shell)", async () => {
    leakers = new Leakers();
    const pid = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 492 < /etc/hostname' &`);
    const { start } = leakers.track(pid);
    const fds = await readFdsPrivileged([], [{ pid, start }], 16);
    const got = fds.get(pid);
    expect(got?.status).toBe('read');
    expect(got?.status === 'read' && got.links).toContain('/etc/hostname');
    const argv = helperArgv(['sudo', '-n'], 'signal', 'SIGTERM', [
      { pid, start },
      { pid: 1, start: 0 },
      { pid: Number.NaN, start: 1 },
    ]);
    expect(argv.slice(0, 4)).toEqual(['sudo', '-n', process.execPath, '-e']);
    expect(argv.slice(5)).toEqual(['SIGTERM', String(pid), String(start)]); // PID 1 and junk never reach the helper
  });
});
