#!/usr/bin/env node
// `npm run demo`: a real job on this machine, no GitHub needed. The committed
// action bundles (dist/pre, dist/main, dist/post) run through the job
// simulator (test/sim/) exactly as a runner would run them: pre, main, a step
// that leaks like real test suites do, then post. Builds nothing.
//
// It touches nothing but its own processes, on any host and as root: it runs
// itself in a private PID namespace where the kernel permits one (as
// scripts/test.mjs runs the tests), so the post step sees only the demo's
// processes, and everything left ends with the namespace. Where no namespace
// is permitted, the post step runs the same rules as on a real runner: only
// processes carrying the demo job's marks (or in its cgroup) are ended.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AS_ROOT, inPidNamespace } from './pid-namespace.mjs';

if (process.platform !== 'linux') {
  console.log('The demo needs Linux (/proc); the action itself skips Windows and is untested on macOS.');
  process.exit(0);
}

// The demo's job registers in the host state as a real job does: in a folder of its own, not this machine's
// (its owner is a pid of the demo's PID namespace), removed when the demo ends.
if (process.env.STRAYS_STATE_DIR === undefined) {
  const own = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-demo-state-'));
  process.env.STRAYS_STATE_DIR = own;
  process.on('exit', () => fs.rmSync(own, { recursive: true, force: true }));
}

if (process.env.STRAYS_DEMO_NAMESPACE === undefined) {
  const self = fileURLToPath(import.meta.url);
  const inside = inPidNamespace(
    [process.execPath, self],
    // --map-current-user keeps the user's own uid inside, so the report shows who ran the leaks (util-linux 2.38+);
    // older unshare maps the user to root inside instead.
    [
      AS_ROOT,
      { flags: ['--user', '--map-current-user'], name: 'user+pid' },
      { flags: ['--user', '--map-root-user'], name: 'user+pid' },
    ],
  );
  if (inside) {
    const run = spawnSync(inside.argv[0], inside.argv.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, STRAYS_DEMO_NAMESPACE: 'pid' },
    });
    process.exit(run.status ?? 1);
  }
  console.log(
    '(no private PID namespace permitted here: the demo runs on the host, and its post step ends only what carries its own marks)',
  );
  process.env.STRAYS_DEMO_NAMESPACE = 'none';
}

const { SimJob, REPO_ROOT } = await import('../test/sim/job.mjs');
const { freePort, leakedPids, leakyStep, procState } = await import('../test/sim/leaks.mjs');
for (const entry of ['pre', 'main', 'post']) {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', entry, 'index.js'))) {
    console.error(`dist/${entry}/index.js is missing; run "npm run build" first.`);
    process.exit(1);
  }
}

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const started = Date.now();
const job = new SimJob();
const show = (title, step) => {
  console.log(bold(`\n── ${title}  (GITHUB_ACTION=${step.name}, exit ${step.code})`));
  const lines = step.stdout.split('\n').map((line) => {
    // Workflow commands, as the runner would show them.
    const m = /^::(error|warning|notice)(?: title=([^:]*))?::(.*)$/.exec(line);
    return m ? `[${m[1]}] ${m[2] ? `${decodeURIComponent(m[2])}: ` : ''}${m[3]}` : line;
  });
  console.log(`${lines.join('\n').trimEnd()}${step.stderr.trim() ? `\n${step.stderr.trimEnd()}` : ''}`);
};

let pids = {};
let ok = false;
try {
  console.log(bold('strays demo: a simulated GitHub Actions job on this machine'));
  console.log(`job dir ${job.root}, RUNNER_TRACKING_ID=${job.trackingId}`);

  show('Pre strays (uses: ./)', await job.pre());
  show('strays (main)', await job.main());

  const dir = path.join(job.root, 'leaks');
  fs.mkdirSync(dir);
  const step = await job.run(leakyStep(dir, await freePort()), { id: 'integration-tests' });
  show('Run integration tests (leaks a git daemon, a setsid server and a sleep)', step);
  pids = leakedPids(dir);
  console.log('\nAfter the step ended, still running:');
  for (const [name, pid] of Object.entries(pids))
    console.log(`  ${name.padEnd(10)} pid ${String(pid).padEnd(7)} ${procState(pid)}`);

  const post = await job.post();
  show('Post strays (post-if: always())', post);
  console.log(bold('\n── Job summary (GITHUB_STEP_SUMMARY, Markdown)'));
  console.log(post.summary.trimEnd());
  console.log(bold('\n── Outputs'));
  for (const [k, v] of Object.entries(post.outputs)) console.log(`  ${k} = ${v}`);

  console.log(bold('\n── Checking /proc for every leaked process'));
  const verdicts = Object.entries(pids).map(([name, pid]) => {
    const state = procState(pid);
    const dead = state === 'gone' || state === 'zombie';
    const note = state === 'zombie' ? 'dead (a zombie until its parent reaps it; nothing left to kill)' : state;
    console.log(`  ${dead ? 'ok  ' : 'FAIL'} ${name.padEnd(10)} pid ${String(pid).padEnd(7)} ${note}`);
    return dead;
  });
  ok = verdicts.length === 3 && verdicts.every(Boolean) && post.code !== 0;
  console.log(
    ok
      ? `\nEvery leaked process is gone, and the post step failed the job as fail-on-leak asks (${((Date.now() - started) / 1000).toFixed(1)}s).`
      : '\nSomething is off: see above.',
  );
} finally {
  // The demo never leaves a process behind, even when it fails: SIGKILL what
  // is still running of the pids the leaking step reported, and only those.
  for (const pid of Object.values(pids)) {
    if (procState(pid).startsWith('running')) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  job.dispose();
}
process.exit(ok ? 0 : 1);
