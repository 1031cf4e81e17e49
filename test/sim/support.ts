/**
 * Shared pieces of the CI simulations: the README's recipes as the tests run
 * them, a `strays` on PATH that runs the built CLI, processes with the command
 * name a CI system's agent has (comm is the basename of the executed file, so
 * a symlink named `buildkite-agent` to bash runs a bash with that name), and
 * the concurrent sweep every simulation runs mid-build.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, ROOT, cli } from '../cli-support.js';
import { expect } from 'vitest';
import { isAlive, type Leakers, waitFor } from '../helpers/leakers.js';

/** The fenced block between `<!-- sim: NAME -->` and `<!-- /sim -->` in the README, without its fences. */
export function recipe(name: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- sim: ${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\`\\n<!-- /sim -->`).exec(readme);
  if (!match?.[1]) throw new Error(`README.md has no recipe "${name}" (<!-- sim: ${name} --> … <!-- /sim -->)`);
  return match[1];
}

/** A bin directory with `strays` (the built CLI, exec'd: no extra process) and the named agent links. */
export function binDir(dir: string, agents: readonly string[] = []): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'strays'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  const bash = fs.realpathSync('/bin/bash');
  for (const name of agents) fs.symlinkSync(bash, path.join(bin, name));
  return bin;
}

/** The environment every simulated build starts from: no marker, PATH with our `strays` first. */
export function buildEnv(bin: string, stateDir: string, more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    STRAYS_STATE_DIR: stateDir,
    NO_COLOR: '1',
    ...more,
  };
  delete env.STRAYS_SESSION;
  delete env.STRAYS_STEP;
  delete env.RUNNER_TRACKING_ID;
  return env;
}

/** The pid a process wrote to `file`, once it is there. */
export const pidIn = (file: string, what = file): Promise<number> =>
  waitFor(
    () => {
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
      return /^\d+$/.test(text) ? Number(text) : undefined;
    },
    what,
    30_000,
  );

/** Lets every process so far grow older than the sweep's --older-than 1s. */
export const pastOlderThan = (): Promise<void> => new Promise((r) => setTimeout(r, 1300));

/** `strays sweep` as the host timer runs it, but with a short --older-than: must leave running builds alone. */
export async function sweepNow(stateDir: string): Promise<{ status: number | null; out: string }> {
  const result = await cli(['sweep', '--older-than', '1s', '--grace', '1s', '--state-dir', stateDir]);
  return { status: result.status, out: result.stdout + result.stderr };
}

/**
 * The sweep mid-build, once everything is older than --older-than: it ends nothing, and every one of
 * `running` (the build's command, its leak) is still alive. Returns the sweep for further checks.
 */
export async function expectSweepSparesRunningBuild(
  stateDir: string,
  running: readonly number[],
): Promise<{ status: number | null; out: string }> {
  await pastOlderThan();
  const swept = await sweepNow(stateDir);
  expect(swept.out).not.toMatch(/ended: pid/);
  expect(running.map(isAlive)).toEqual(running.map(() => true));
  return swept;
}

export interface Driver {
  readonly pid: number;
  /** Exit status and everything it printed (stdout and stderr), once it exits. */
  readonly done: Promise<{ status: number | null; output: string }>;
}

/** Starts a simulated CI agent: `bin/NAME script args…` (a bash named NAME), its output collected. */
export function startDriver(
  leakers: Leakers,
  bin: string,
  name: string,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Driver {
  const file = path.join(leakers.dir, `${name}.sh`);
  fs.writeFileSync(file, script);
  const child = spawn(path.join(bin, name), [file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  leakers.track(child.pid as number);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ status: number | null; output: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, output })),
  );
  return { pid: child.pid as number, done };
}

/** YAML list items (`- text`) under each key (`key:`), for the README's flat recipes. */
export function yamlLists(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let key = '';
  for (const line of text.split('\n')) {
    const k = /^\s*([a-z_]+):\s*$/.exec(line);
    if (k?.[1]) {
      key = k[1];
      out[key] = [];
      continue;
    }
    const item = /^\s*- (.*)$/.exec(line);
    if (item?.[1] !== undefined && key) out[key]?.push(item[1]);
  }
  return out;
}

/** A live process whose argv is exactly `argv` (for processes in another PID namespace, whose own pid means nothing here). */
export function pidByArgv(argv: string): number | undefined {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') === argv)
        return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
