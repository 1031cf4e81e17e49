/**
 * contrib/systemd/strays-sweep.service run the way systemd runs it, in both
 * privilege models its comments document: as root, and as the runners' user
 * (User=), each with NoNewPrivileges=yes (here `setpriv --no-new-privs`, the
 * same prctl(PR_SET_NO_NEW_PRIVS) systemd applies). The sweep needs no helper
 * in either: it ends the over job's leak; the live job's process stays.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect } from 'vitest';
import { SESSION_VAR } from '../../src/engine/session.js';
import { ROOT, ensureBuilt } from '../cli-support.js';
import { cliForUsers } from '../helpers/as-user.js';
import { Leakers, isAlive, waitFor } from '../helpers/leakers.js';
import { markedDaemon, registeredJob, tempStateDir } from '../helpers/sweep-jobs.js';
import { itIf, needsRoot } from '../helpers/requires.js';

let leakers: Leakers;
let stateDir: string;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => {
  await leakers.cleanup();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** The unit's ExecStart, with the installed paths pointing at this build and --older-than 0s (the test's leak is new). */
function execStart(): string[] {
  const unit = fs.readFileSync(path.join(ROOT, 'contrib/systemd/strays-sweep.service'), 'utf8');
  const line = /^ExecStart=(\S.*)$/m.exec(unit)?.[1] ?? '';
  expect(line).toMatch(/^\/usr\/bin\/node \/opt\/strays\/index\.js sweep /);
  return line
    .replace('/usr/bin/node', process.execPath)
    .replace('/opt/strays/index.js', cliForUsers())
    .replace('--older-than 10m', '--older-than 0s')
    .split(' ');
}

function runUnit(argv: readonly string[], user: 'root' | number): Promise<{ status: number | null; output: string }> {
  const who = user === 'root' ? [] : [`--reuid=${user}`, `--regid=${user}`, '--clear-groups'];
  const child = spawn('setpriv', [...who, '--no-new-privs', ...argv], {
    env: { ...process.env, STRAYS_STATE_DIR: stateDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

describe('the shipped systemd unit', () => {
  for (const user of ['root', 65534] as const) {
    itIf(
      user === 65534 ? needsRoot('runs the unit as uid 65534') : undefined,
      `as ${user === 'root' ? 'root' : "the runners' user (User=)"} with NoNewPrivileges: ends the over job's leak, leaves the live job alone`,
      async () => {
        leakers = new Leakers();
        stateDir = tempStateDir();
        fs.chmodSync(stateDir, 0o755);
        fs.chmodSync(leakers.dir, 0o1777); // the other user's leak writes its pid file here
        const uid = user === 'root' ? undefined : user;
        const over = await registeredJob(leakers, stateDir);
        const live = await registeredJob(leakers, stateDir);
        // The runners' user owns its records (it wrote them); root owns them in the root model.
        if (uid !== undefined)
          for (const f of [
            stateDir,
            path.join(stateDir, 'jobs'),
            ...fs.readdirSync(path.join(stateDir, 'jobs')).map((n) => path.join(stateDir, 'jobs', n)),
          ])
            fs.chownSync(f, uid, uid);
        const leak = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 431' &`, {
          env: { [SESSION_VAR]: over.session },
          uid,
          gid: uid,
        });
        const running = await markedDaemon(leakers, { [SESSION_VAR]: live.session }, 'sleep 432');
        await over.end();
        const { status, output } = await runUnit(execStart(), user);
        expect(status, output).toBe(0);
        await waitFor(() => !isAlive(leak), "the over job's leak to end");
        expect(isAlive(running)).toBe(true);
        expect(output).not.toMatch(/sudo/);
      },
    );
  }
});
