/**
 * A termination rescan keeps the rows of pids the last table held
 * (src/proc/reread.ts), trusting the pid cursor (src/proc/pid-cursor.ts) to
 * say which pids were given since. A fork that fails after it took a pid
 * moves the cursor without counting in /proc/stat's `processes`: here
 * clone(CLONE_PIDFD) with no free fd (EMFILE, copy_process after alloc_pid),
 * as a fork loop over a cgroup's pids.max does. So the cursor can go all the
 * way round uncounted, and a kept row can be the last read's process while
 * its pid belongs to a newer one.
 *
 * The story runs in a PID namespace of its own with a small pid_max (per
 * namespace since Linux 6.14), so going round takes ~12,000 failed clones and
 * no other test's pid cursor moves.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterEach, expect, it } from 'vitest';
import { describeIf, firstMissing, needsCommand, needsRoot } from './helpers/requires.js';

const repo = path.resolve(__dirname, '..');
const PID_MAX = 12_000;

/** clone, setrlimit, exit: the syscall numbers the forker calls (perl has no clone of its own). */
const SYSCALLS: Record<string, readonly number[]> = { x64: [56, 160, 60], arm64: [220, 164, 93] };

// "past N": until ns_last_pid >= N. "before P": until the next pid given is P, after going round.
const FORKER = String.raw`
use strict;
use Errno;
my ($mode, $pid, $clone, $setrlimit, $exit) = @ARGV;
open(my $fh, '<', '/proc/sys/kernel/ns_last_pid') or die "ns_last_pid: $!";
my $n = fileno($fh) + 1;
syscall($setrlimit, 7, pack('QQ', $n, $n)) == 0 or die "setrlimit: $!";
sub last_pid { sysseek($fh, 0, 0); sysread($fh, my $b, 32); return int($b) }
my $buf = pack('i', -1);
my ($prev, $round, $tries) = (last_pid(), 0, 0);
while (1) {
  my $last = last_pid();
  $round = 1 if $last < $prev;
  $prev = $last;
  if ($mode eq 'past') { last if $last >= $pid }
  elsif ($round && $last < $pid) { last unless grep { !-e "/proc/$_" } ($last + 1 .. $pid - 1) }
  my $r = syscall($clone, 0x1000 | 17, 0, $buf, 0, 0);
  syscall($exit, 0) if $r == 0;
  die "clone: $!" unless $r == -1 && $!{EMFILE};
  $tries++;
}
print "$tries\n";
`;

// Inside the namespace: a job process A is a finding of the first table; A ends; the cursor goes round
// uncounted; B, no process of the job, gets A's pid and starts R. The rescan judges R.
const DRIVER = `
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { check, newSessionId, snapshot } from ${JSON.stringify(path.join(repo, 'src/engine/index.js'))};
import { pidMark } from ${JSON.stringify(path.join(repo, 'src/proc/index.js'))};
import { rescanner } from ${JSON.stringify(path.join(repo, 'src/job/rescan.js'))};

const [forker, rFile, ...syscalls] = process.argv.slice(2);
const cursor = (mode, pid) => {
  const run = spawnSync('perl', [forker, mode, String(pid), ...syscalls], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error('forker: ' + run.stderr);
  return Number(run.stdout);
};
const comm = (pid) => { try { return fs.readFileSync('/proc/' + pid + '/comm', 'utf8').trim(); } catch {} };
const until = async (test) => { while (!test()) await new Promise((r) => setTimeout(r, 5)); };

cursor('past', 400); // above the 300 pids the cursor skips once it has gone round
const session = newSessionId();
const baseline = await snapshot({ session });
const env = { ...process.env };
delete env.STRAYS_SESSION;
const a = spawn('sleep', ['600'], { env: { ...env, STRAYS_SESSION: session }, stdio: 'ignore' });
await until(() => comm(a.pid) === 'sleep');
const options = { checker: process.pid, privileged: false };
const mark = pidMark();
const first = await check(baseline, options);
a.kill('SIGKILL');
await once(a, 'exit');
const failed = cursor('before', a.pid);
const b = spawn('sh', ['-c', 'sleep 601 & echo $! > "$0"; wait', rFile], { env, stdio: 'ignore' });
await until(() => fs.existsSync(rFile) && fs.readFileSync(rFile, 'utf8').endsWith('\\n'));
const r = Number(fs.readFileSync(rFile, 'utf8'));
const rescan = rescanner({
  baseline, options, targetsOf: (d) => d.findings, first: first.table, mark, check: () => check(baseline, options),
});
const found = await rescan();
process.stdout.write(JSON.stringify({
  a: a.pid, b: b.pid, r, failed,
  firstFindings: first.detection.findings.map((f) => f.process.pid),
  rescanned: found.findings.map((f) => ({ pid: f.process.pid, reasons: f.reasons })),
  bComm: found.processes.find((p) => p.pid === b.pid)?.comm,
}));
b.kill('SIGKILL');
process.kill(r, 'SIGKILL');
`;

function missingNamespacePidMax(): string | undefined {
  const set = `echo ${PID_MAX} > /proc/sys/kernel/pid_max`;
  const run = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-c', set], {
    stdio: 'ignore',
  });
  return run.status === 0 ? undefined : 'needs a PID namespace with a pid_max of its own (Linux 6.14 or newer)';
}

const missing = firstMissing(
  needsRoot('makes a PID namespace and sets its pid_max'),
  SYSCALLS[process.arch] ? undefined : `needs x64 or arm64 syscall numbers (this is ${process.arch})`,
  needsCommand('perl', 'perl-base'),
  needsCommand('unshare', 'util-linux'),
  missingNamespacePidMax(),
);

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The driver's JSON, run as the child of a fresh PID namespace's bash init; everything in it ends with it. */
function inNamespace(): Promise<string> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-pid-reuse-'));
  const forker = path.join(dir, 'forker.pl');
  fs.writeFileSync(forker, FORKER);
  const driver = path.join(dir, 'driver.mjs');
  esbuild.buildSync({
    stdin: { contents: DRIVER, resolveDir: repo, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: driver,
    logLevel: 'warning',
  });
  const args = [forker, path.join(dir, 'r'), ...(SYSCALLS[process.arch] ?? []).map(String)];
  const init = `echo ${PID_MAX} > /proc/sys/kernel/pid_max && "$0" "$@"; exit $?`;
  const child = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', '--kill-child', 'bash', '-c', init, process.execPath, driver, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (status) => (status === 0 ? resolve(out) : reject(new Error(`driver: ${status} ${err}`)))),
  );
}

describeIf(missing, 'a rescan after the pid cursor went round uncounted', () => {
  it("does not hand a newer process at a kept pid the old process's verdict", async () => {
    const run = JSON.parse(await inNamespace()) as {
      a: number;
      b: number;
      r: number;
      failed: number;
      firstFindings: number[];
      rescanned: { pid: number; reasons: string[] }[];
      bComm: string | undefined;
    };
    expect(run.firstFindings, 'the job process A was a finding').toEqual([run.a]);
    expect(run.failed, 'the cursor went round (all but the pids in use)').toBeGreaterThan(PID_MAX - 400);
    expect(run.b, "B, not the job's, has A's pid").toBe(run.a);
    expect(run.bComm, "the rescan's row of B is B's").toBe('sh');
    expect(run.rescanned, "R, B's child, is not the job's").toEqual([]);
  });
});
