// The runner-cleanup yardstick: what the GitHub runner itself does at a job's end, as a plain Node script.
// actions/runner's JobExtension.cs (FinalizeJob) kills, with Process.Kill(), every process whose environment
// still carries the job's RUNNER_TRACKING_ID (README, "How the runner runs hooks"). This reads every
// /proc/PID/environ (one file per process, as strays's post step reads one stat per process) and SIGKILLs
// the matches other than itself. CommonJS and no dependencies: the fastest start plain Node has, so the
// yardstick is as hard as it can be. The bench runs it with a fresh tracking id, so on a clean job it ends
// nothing, inside the bench's private PID namespace.
'use strict';
const fs = require('node:fs');

const needle = `RUNNER_TRACKING_ID=${process.env.RUNNER_TRACKING_ID}`;
let killed = 0;
for (const name of fs.readdirSync('/proc')) {
  const first = name.charCodeAt(0);
  if (first < 48 || first > 57) continue; // not a pid directory
  const pid = Number(name);
  if (pid === process.pid) continue;
  let environ;
  try {
    environ = fs.readFileSync(`/proc/${name}/environ`, 'latin1');
  } catch {
    continue; // gone, or not ours to read
  }
  if (!environ.split('\0').includes(needle)) continue;
  try {
    process.kill(pid, 'SIGKILL');
    killed++;
  } catch {
    // gone meanwhile
  }
}
if (killed > 0) console.log(`runner cleanup: killed ${killed}`);
