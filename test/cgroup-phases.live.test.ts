/**
 * The one privileged helper and the one reader of each cgroup phase's answers
 * (src/privilege/helper.ts, src/cgroup/phases.ts), where the other cgroup
 * tests do not reach:
 * - a direct write refused to an unprivileged user is told apart by its errno
 *   (the script's strerror text) and goes to the helper, as the kernel's EACCES did;
 * - environment reads and cgroup writes share one refusal: a sudo refused to
 *   one is not asked again by the other.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { cgroupOfPid, openJobCgroup } from '../src/cgroup/index.js';
import { newSessionId } from '../src/engine/session.js';
import { resetHelperRefusals } from '../src/privilege/helper.js';
import { WANTED_ENV } from '../src/proc/index.js';
import { readEnvironsPrivileged } from '../src/proc/privileged.js';
import { buildForUsers } from './helpers/as-user.js';
import { Leakers } from './helpers/leakers.js';
import { describeIf, firstMissing, needsRootAndSharedNode, needsWritableCgroup } from './helpers/requires.js';

const NOBODY = 65534;
const missing = firstMissing(
  needsRootAndSharedNode('runs the helper as root and a job as uid 65534'),
  needsWritableCgroup(),
);

let leakers: Leakers | undefined;
afterEach(async () => {
  await leakers?.cleanup();
  leakers = undefined;
  resetHelperRefusals();
});

/** A sudo that wants a password (sudo(8), -n): logs each call, prints sudo's words, exits 1. */
function refusingSudo(dir: string): { file: string; calls: () => number } {
  const file = path.join(dir, 'sudo');
  const log = path.join(dir, 'sudo-calls');
  fs.writeFileSync(file, `#!/bin/sh\necho call >> '${log}'\necho 'sudo: a password is required' >&2\nexit 1\n`, {
    mode: 0o755,
  });
  return {
    file,
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0),
  };
}

describeIf(missing, 'one refusal for every privileged need', () => {
  it('a sudo refused while reading environments is not asked again to create the job cgroup', async () => {
    leakers = new Leakers();
    const sudo = refusingSudo(leakers.dir);
    const read = await readEnvironsPrivileged([process.pid], WANTED_ENV, { prefix: [sudo.file] });
    expect(read).toEqual({
      ok: false,
      reason: `${sudo.file} refused: sudo: a password is required`,
      command: sudo.file,
    });
    const before = cgroupOfPid(process.pid);
    await expect(
      openJobCgroup({
        session: newSessionId(),
        movePid: process.pid,
        privilege: { prefix: [sudo.file], mode: 'always' },
      }),
    ).rejects.toThrow(
      `Cannot create a job cgroup through ${sudo.file}: ${sudo.file} refused: sudo: a password is required.`,
    );
    expect(sudo.calls()).toBe(1);
    expect(cgroupOfPid(process.pid)).toBe(before);
  });
});

describeIf(missing, 'a direct write refused to uid 65534', () => {
  let build: string;
  beforeAll(() => {
    build = buildForUsers();
    fs.writeFileSync(
      path.join(build, 'open-job.mjs'),
      `const { openJobCgroup } = await import('./src/cgroup/index.js');
const [session, sudo] = process.argv.slice(2);
const out = [];
for (const privilege of [{ prefix: false }, { prefix: [sudo] }]) {
  try {
    out.push({ record: await openJobCgroup({ session, movePid: process.pid, privilege }) });
  } catch (error) {
    out.push({ error: error.message, code: error.code ?? null });
  }
}
process.stdout.write(JSON.stringify(out));
`,
      { mode: 0o644 },
    );
  }, 60_000);
  afterAll(() => {
    if (build) fs.rmSync(build, { recursive: true, force: true });
  });

  it("is EACCES from the script's own words: refused without a helper, handed to the helper with one", () => {
    leakers = new Leakers();
    fs.chmodSync(leakers.dir, 0o755);
    const sudo = refusingSudo(leakers.dir);
    fs.chmodSync(leakers.dir, 0o777); // the sudo stand-in logs as uid 65534
    const session = newSessionId();
    const run = spawnSync(process.execPath, [path.join(build, 'open-job.mjs'), session, sudo.file], {
      uid: NOBODY,
      gid: NOBODY,
      cwd: build,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const [alone, helped] = JSON.parse(run.stdout) as { error?: string; code?: string | null }[];
    expect(alone).toEqual({
      error: expect.stringMatching(
        new RegExp(
          `^Cannot create cgroup /.*/${session}: permission denied \\(needs root, sudo, or a delegated subtree that contains both cgroups\\)\\.$`,
        ),
      ),
      code: 'EACCES',
    });
    expect(helped).toEqual({
      error: `Cannot create a job cgroup through ${sudo.file}: ${sudo.file} refused: sudo: a password is required.`,
      code: null,
    });
    expect(sudo.calls()).toBe(1);
  });
});
