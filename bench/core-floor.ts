/**
 * The @actions/core floor: a post step's input and output on a clean job and
 * nothing else, bundled as dist/post is (scripts/build.mjs). It reads the
 * inputs and state, checks the baseline's digest, reads every /proc/PID/stat
 * once, logs one line, writes one summary line, three outputs and a JSON file:
 * what any post step built on @actions/core pays before it detects anything.
 * The bench times it beside dist/post, so that what strays itself adds at a
 * given table size is dist/post minus this.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { Input, Output, State } from '../src/action/constants.js';

async function floor(): Promise<void> {
  for (const name of Object.values(Input)) core.getInput(name);
  const file = core.getState(State.BaselinePath);
  const digest = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  if (digest !== core.getState(State.BaselineDigest)) throw new Error('baseline digest differs');
  core.getState(State.Session);
  let processes = 0;
  for (const name of fs.readdirSync('/proc')) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    try {
      fs.readFileSync(`/proc/${name}/stat`);
      processes++;
    } catch {
      // gone
    }
  }
  core.info('strays: no leaked processes.');
  await core.summary.addRaw('**strays:** no leaked processes.', true).write();
  const report = path.join(process.env.RUNNER_TEMP ?? '/tmp', 'core-floor.json');
  fs.writeFileSync(report, JSON.stringify({ processes }));
  core.setOutput(Output.LeakedCount, '0');
  core.setOutput(Output.UnattributedCount, '0');
  core.setOutput(Output.ReportPath, report);
}

floor().catch((error: unknown) => core.setFailed(String(error)));
