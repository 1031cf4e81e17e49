import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../src/engine/index.js';
import { explainFindings } from '../src/explain/explain.js';
import { scanFds } from '../src/explain/fds.js';
import { startTestJob } from './helpers/job.js';
import { Leakers, waitFor } from './helpers/leakers.js';
import { firstMissing, itIf, needsCommand, needsIPv6Loopback } from './helpers/requires.js';

const python3Missing = needsCommand('python3', 'python3');
const ipv6Missing = await needsIPv6Loopback();

let leakers: Leakers;
afterEach(async () => leakers.cleanup());

/** A port nobody listens on right now (the kernel picks it; we close it again). */
const freePort = (host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const c = net.connect({ host, port }, () => c.end(() => resolve(true)));
    c.once('error', () => resolve(false));
  });

async function waitListening(host: string, port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await accepts(host, port))) {
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('explanations of live leaks', () => {
  /** A leaked python http.server on `host`, with what explain says it holds. */
  async function leakedServer(host: string) {
    leakers = new Leakers();
    const job = startTestJob();
    const port = await freePort(host);
    const env = { ...job.env, GITHUB_ACTION: 'serve_docs' };
    const pid = await leakers.daemon(
      `sh -c 'echo $$ > "$PIDFILE"; exec python3 -m http.server --bind ${host} ${port}' &`,
      { env },
    );
    await waitListening(host, port);
    const { table, detection } = await check(job.baseline);
    const explained = explainFindings(
      detection.findings,
      table,
      { workspace: leakers.dir },
      { baseline: job.baseline },
    );
    return { pid, port, detection, explained: explained.get(pid) };
  }

  itIf(
    python3Missing,
    'reports the IPv4 loopback port a leaked python http.server listens on, its step and user',
    async () => {
      const { pid, port, detection, explained } = await leakedServer('127.0.0.1');
      expect(explained?.holds.listening).toEqual([
        { proto: 'tcp', family: 4, address: '127.0.0.1', port, endpoint: `127.0.0.1:${port}` },
      ]);
      expect(detection.findings.find((f) => f.process.pid === pid)?.step).toBe('serve_docs');
      expect(explained?.holds.fds).toBe('read');
      // The server runs as this test's user, whose name the passwd database gives.
      expect(explained?.user).toBe(os.userInfo().username);
      expect(explained?.ageMs).toBeGreaterThanOrEqual(0);
    },
  );

  itIf(
    firstMissing(python3Missing, ipv6Missing),
    'reports the IPv6 loopback port a leaked python http.server listens on',
    async () => {
      const { port, explained } = await leakedServer('::1');
      expect(explained?.holds.listening).toEqual([
        { proto: 'tcp', family: 6, address: '::1', port, endpoint: `[::1]:${port}` },
      ]);
    },
  );

  it('reports a cwd inside the workspace and files held open under the workspace and RUNNER_TEMP', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const workspace = path.join(leakers.dir, 'work', 'repo');
    const runnerTemp = path.join(leakers.dir, 'work', '_temp');
    fs.mkdirSync(path.join(workspace, 'build'), { recursive: true });
    fs.mkdirSync(runnerTemp, { recursive: true });
    const lock = path.join(workspace, 'build', 'cache.lock');
    const db = path.join(runnerTemp, 'state.db');
    const pid = await leakers.daemon(
      `cd build && exec 3>"${lock}" 4>"${db}" 5</etc/hostname && sh -c 'echo $$ > "$PIDFILE"; exec sleep 310' &`,
      { env: job.env, cwd: workspace },
    );
    const { table, detection } = await check(job.baseline);
    const context = { workspace, runnerTemp };
    const holds = explainFindings(detection.findings, table, context).get(pid)?.holds;
    expect(holds?.cwd).toBe(path.join(workspace, 'build'));
    expect(holds?.cwdInWorkspace).toBe(true);
    expect(holds?.cwdPlace).toBe('workspace');
    expect(holds?.openFiles).toEqual(
      expect.arrayContaining([
        { path: lock, place: 'workspace' },
        { path: db, place: 'runner-temp' },
      ]),
    );
    expect(holds?.openFiles.map((f) => f.path)).not.toContain('/etc/hostname');
    expect(holds?.fdsCapped).toBe(false);

    // The same process under a cap of 2 fds: says it stopped early.
    const capped = explainFindings(detection.findings, table, context, { fdCap: 2 }).get(pid)?.holds;
    expect(capped).toMatchObject({ fdsCapped: true, fdsRead: 2 });
    expect(capped?.fdsTotal).toBeGreaterThanOrEqual(6);
  });

  it('reports a double-forked setsid daemon as reparented, a session and group leader, with its step', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const env = { ...job.env, GITHUB_ACTION: '__run_2' };
    // sh → sh & (exits) → setsid sh → exec sleep: the classic daemonize, as `git daemon --detach` does.
    const pid = await leakers.daemon(
      `sh -c 'setsid sh -c "echo \\$\\$ > \\"\\$PIDFILE\\"; exec sleep 311" &' ; exit 0`,
      { env },
    );
    // Wait until the middle shell has exited and the kernel reparented the daemon.
    await waitFor(() => {
      const ppid = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      return (
        ppid === 1 ||
        !fs.existsSync(`/proc/${ppid}/cmdline`) ||
        !/^sh\0/.test(fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8'))
      );
    }, 'reparenting');
    const { table, detection } = await check(job.baseline);
    const finding = detection.findings.find((f) => f.process.pid === pid);
    expect(finding?.step).toBe('__run_2');
    const x = explainFindings(detection.findings, table, {}, { baseline: job.baseline }).get(pid);
    expect(x).toMatchObject({
      reparented: true,
      sessionLeader: true,
      groupLeader: true,
      stopped: false,
      uninterruptible: false,
    });
    expect(x?.chain[0]?.pid).toBe(finding?.process.ppid);
    expect(x?.endsAt).not.toBe('unknown');
  });

  it('reports stopped processes, zombie parents and children; an unreadable fd dir is said, not thrown', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    // The parent execs sleep, which never wait(2)s: its short-lived child stays a zombie.
    const parent = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; sleep 0.01 & exec sleep 312' &`, {
      env: job.env,
    });
    const stopped = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; exec sleep 313' &`, { env: job.env });
    process.kill(stopped, 'SIGSTOP');
    await waitFor(() => fs.readFileSync(`/proc/${stopped}/stat`, 'utf8').split(') ')[1]?.startsWith('T'), 'stop');
    const zombie = await waitFor(() => {
      const kids = fs
        .readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8')
        .trim()
        .split(' ')
        .filter(Boolean)
        .map(Number);
      return kids.find((k) => fs.readFileSync(`/proc/${k}/stat`, 'utf8').split(') ')[1]?.startsWith('Z'));
    }, 'a zombie child');
    const { table, detection } = await check(job.baseline);
    expect(detection.zombies.map((z) => z.process.pid)).toContain(zombie);
    const x = explainFindings(detection.findings, table, {});
    expect(x.get(parent)?.zombieChildren).toEqual([zombie]);
    expect(x.get(parent)?.holds.children).toEqual([{ pid: zombie, comm: 'sleep', state: 'Z' }]);
    expect(x.get(parent)?.reparented).toBe(true);
    expect(x.get(stopped)?.stopped).toBe(true);
    expect(x.get(stopped)?.state).toBe('T');

    // A /proc whose fd "directory" cannot be listed (root reads every real one, so fake the root).
    fs.mkdirSync(path.join(leakers.dir, 'proc', String(parent)), { recursive: true });
    fs.writeFileSync(path.join(leakers.dir, 'proc', String(parent), 'fd'), '');
    expect(scanFds(parent, 256, path.join(leakers.dir, 'proc'))).toEqual({ status: 'unreadable', reason: 'ENOTDIR' });
    expect(scanFds(parent, 256, path.join(leakers.dir, 'no-proc'))).toEqual({ status: 'gone', reason: 'process gone' });
  });
});
