#!/usr/bin/env node
// Records real /proc tables for the pure detection tests (test/fixtures/proc/).
//
// Run as root: `node scripts/record-proc-fixture.mjs` re-executes itself inside a
// private PID namespace, acts out a job (see `scenario`), and writes the raw
// /proc files of every process before and after the job into one JSON file.
// Environments are filtered to the marker variables at record time: fixtures
// must never contain secrets.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const OUT = path.resolve('test/fixtures/proc/job-story.json');
const KEEP_ENV = new Set(['STRAYS_SESSION', 'RUNNER_TRACKING_ID', 'GITHUB_ACTION', 'STRAYS_STEP']);
const SESSION = 'strays-00000000000000aa';
const OTHER = 'strays-00000000000000bb';

if (process.env.STRAYS_RECORDING !== '1') {
  execFileSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, process.argv[1]], {
    stdio: 'inherit',
    env: { ...process.env, STRAYS_RECORDING: '1' },
  });
  process.exit(0);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-rec-'));
const read = (file) => {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
};

function record() {
  const processes = {};
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const stat = read(`/proc/${pid}/stat`);
    if (stat === undefined) continue;
    const environ = read(`/proc/${pid}/environ`);
    let cwd;
    try {
      cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    } catch {}
    processes[pid] = {
      stat,
      cmdline: read(`/proc/${pid}/cmdline`) ?? '',
      environ:
        environ === undefined
          ? null
          : environ
              .split('\0')
              .filter((e) => KEEP_ENV.has(e.split('=')[0]))
              .join('\0'),
      cgroup: read(`/proc/${pid}/cgroup`) ?? '',
      cwd: cwd ?? null,
      uid: fs.statSync(`/proc/${pid}`).uid,
    };
  }
  return { uptime: read('/proc/uptime'), btime: /^btime \d+$/m.exec(read('/proc/stat'))[0], processes };
}

const sh = (script, env = {}) =>
  spawn('sh', ['-c', script], { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore', detached: false });

// Before the job: an old daemon, and a process whose pid the job will reuse.
sh(`setsid sleep 1000 &`);
const doomed = sh('exec sleep 1001');
await sleep(300);
const before = record();
const doomedPid = doomed.pid;
doomed.kill('SIGKILL');
await sleep(200);

// The job: marked steps.
const job = { STRAYS_SESSION: SESSION, GITHUB_ACTION: '__run_2' };
// 1. a double-forked daemon: the intermediate shell exits, the daemon is reparented to PID 1.
sh(`sh -c 'setsid sleep 2001 &' ; exit 0`, job);
// 2. a process whose name has spaces and parentheses (comm comes from the executable's file name).
fs.symlinkSync('/bin/sleep', path.join(tmp, 'evil) name (x'));
sh(`"${tmp}/evil) name (x" 2002 &`, { ...job, GITHUB_ACTION: 'tests' });
// 3. a parent that never reaps its child: the child stays a zombie.
sh(`sh -c 'sleep 0.1 & exec sleep 2003' &`, job);
// 4. an env -i grandchild: no marker, found by lineage while its parent lives.
sh(`sh -c 'env -i /bin/sleep 2004 & wait' &`, job);
// 5. a concurrent job on the same host.
sh(`setsid sleep 3001 &`, { STRAYS_SESSION: OTHER, GITHUB_ACTION: '__run' });
// 6. pid reuse: the next process of the job gets the pid the pre-job process had (ns_last_pid, root in this namespace).
await sleep(300);
fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(doomedPid - 1));
const reused = sh('exec sleep 2005', job);
await sleep(600);
const after = record();

fs.writeFileSync(
  OUT,
  `${JSON.stringify(
    {
      description:
        'Recorded by scripts/record-proc-fixture.mjs in a private PID namespace: `before` at job start, `after` at job end.',
      recorder: process.pid,
      session: SESSION,
      otherSession: OTHER,
      reusedPid: reused.pid,
      reusedPidWasReused: reused.pid === doomedPid,
      before,
      after,
    },
    null,
    1,
  )}\n`,
);
console.log(`wrote ${OUT} (reused pid ${reused.pid}, was ${doomedPid})`);
process.exit(0); // namespace teardown kills the rest
