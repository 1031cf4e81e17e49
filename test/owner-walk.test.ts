/**
 * The default owner of `strays start` (pure, on process tables shaped like the
 * real chains): command-substitution subshells and npm/npx wrappers are skipped,
 * known per-job agents win, --owner must be an ancestor, PID 1 never is the owner.
 * The subshell shapes were recorded with bash 5: `eval "$(cmd 2>/dev/null)"` runs
 * cmd in a fork of the calling shell with the same argv; `eval "$(cmd)"` execs cmd
 * in the fork, so its parent is the calling shell itself.
 */
import { describe, expect, it } from 'vitest';
import { OwnerError, isForkedSubshell, nearestLastingAncestor, ownerForStart } from '../src/host/owner.js';
import type { ProcessInfo, ProcessTable } from '../src/proc/types.js';

const proc = (pid: number, ppid: number, comm: string, argv: string[]): ProcessInfo => ({
  pid,
  ppid,
  pgid: pid,
  sid: pid,
  state: 'S',
  uid: 1000,
  start: pid * 10,
  startedAt: undefined,
  comm,
  argv,
});
const table = (processes: ProcessInfo[]): ProcessTable => ({ reader: 'linux-proc', takenAt: 0, now: 0, processes });

const init = proc(1, 0, 'systemd', ['/sbin/init']);
const runner = proc(100, 1, 'gitlab-runner', ['gitlab-runner', 'run']);
const stage = proc(200, 100, 'bash', ['bash', '-l']);

describe('nearestLastingAncestor', () => {
  it("skips the subshell bash forks for $( … 2>/dev/null ) and GitLab's `: | eval`", () => {
    const fork = proc(201, 200, 'bash', ['bash', '-l']);
    const strays = proc(202, 201, 'node', ['node', '/opt/strays/index.js', 'start']);
    const t = table([init, runner, stage, fork, strays]);
    expect(isForkedSubshell(fork, stage)).toBe(true);
    expect(nearestLastingAncestor(t, 202)).toEqual({
      owner: { pid: 200, start: 2000, reader: 'linux-proc', comm: 'bash' },
      skipped: [fork],
    });
  });

  it("skips npx: npm's node and the sh -c it runs bins in", () => {
    const npm = proc(300, 200, 'npm exec strays', ['npm', 'exec', 'strays', 'start']);
    const sh = proc(301, 300, 'sh', ['sh', '-c', 'strays start --state s.json']);
    const strays = proc(302, 301, 'node', ['node', '/x/node_modules/.bin/strays', 'start']);
    expect(nearestLastingAncestor(table([init, runner, stage, npm, sh, strays]), 302).owner?.pid).toBe(200);
    const npx = proc(310, 200, 'node', ['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npx-cli.js', 'strays']);
    const sh2 = proc(311, 310, 'sh', ['sh', '-c', 'strays start']);
    const strays2 = proc(312, 311, 'node', ['node', 'strays', 'start']);
    expect(nearestLastingAncestor(table([init, runner, stage, npx, sh2, strays2]), 312).owner?.pid).toBe(200);
    // process.title rewrote argv into one string, comm still "node"
    const titled = proc(320, 200, 'node', ['npm exec strays start']);
    const sh3 = proc(321, 320, 'sh', ['sh', '-c', 'strays start']);
    const strays3 = proc(322, 321, 'node', ['node', 'strays', 'start']);
    expect(nearestLastingAncestor(table([init, runner, stage, titled, sh3, strays3]), 322).owner?.pid).toBe(200);
  });

  it('a script that runs `bash other.sh` keeps the outer shell: different argv is no fork', () => {
    const inner = proc(210, 200, 'bash', ['bash', 'ci/setup.sh']);
    const strays = proc(211, 210, 'node', ['node', 'strays', 'start']);
    expect(nearestLastingAncestor(table([init, runner, stage, inner, strays]), 211).owner?.pid).toBe(210);
  });

  it('never PID 1: an orphan has no owner', () => {
    const strays = proc(400, 1, 'node', ['node', 'strays', 'start']);
    expect(nearestLastingAncestor(table([init, strays]), 400).owner).toBeUndefined();
  });
});

describe('ownerForStart', () => {
  const bootstrap = proc(500, 1, 'buildkite-agent', ['buildkite-agent', 'bootstrap']);
  const wrapper = proc(501, 500, 'bash', ['/bin/bash', '-e', '/tmp/buildkite-agent-hook-wrapper/hook-script-wrapper']);
  const strays = proc(502, 501, 'node', ['node', 'strays', 'start']);
  const t = table([init, bootstrap, wrapper, strays]);

  it('a known per-job agent wins over the hook wrapper shell, with or without --ci', async () => {
    expect((await ownerForStart({}, t, 502)).pid).toBe(500);
    expect((await ownerForStart({ ci: 'buildkite' }, t, 502)).pid).toBe(500);
    expect((await ownerForStart({ ci: 'gitlab' }, t, 502)).pid).toBe(500);
  });

  it('--ci names the agent it looked for when there is none', async () => {
    await expect(ownerForStart({ ci: 'circleci' }, t, 502)).rejects.toThrow(
      /--ci circleci: no ancestor of strays start is named circleci-agent/,
    );
  });

  it('--owner: an ancestor only, never PID 1, never a stranger', async () => {
    expect((await ownerForStart({ pid: 501 }, t, 502)).pid).toBe(501);
    await expect(ownerForStart({ pid: 1 }, t, 502)).rejects.toBeInstanceOf(OwnerError);
    const service = proc(600, 1, 'postgres', ['postgres']);
    await expect(ownerForStart({ pid: 600 }, table([init, bootstrap, wrapper, strays, service]), 502)).rejects.toThrow(
      /--owner 600: not an ancestor of strays start\..*pid 501 \(bash\), pid 500 \(buildkite-agent\)/,
    );
  });
});
