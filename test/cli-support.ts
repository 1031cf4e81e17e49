/**
 * Running the BUILT CLI (dist/cli/index.js) as users do: `node dist/cli/index.js …`.
 * The bundle is rebuilt first when any source is newer (under a lock dir, since
 * test files run in parallel forks).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sleep } from './helpers/leakers.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const CLI = path.join(ROOT, 'dist/cli/index.js');

const newest = (dir: string): number =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = path.join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }, 0);

export async function ensureBuilt(): Promise<void> {
  const lock = path.join(ROOT, 'dist/.cli-build-lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (i > 600) throw new Error(`stale lock ${lock}`);
      await sleep(100);
    }
  }
  try {
    const built = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : 0;
    if (built < newest(path.join(ROOT, 'src'))) {
      // The CLI bundle alone, exactly as `npm run build` makes it (the action bundles may be running).
      const script =
        "const { ENTRIES, buildEntry } = await import('./scripts/build.mjs'); await buildEntry(ENTRIES.cli, 'dist/cli');";
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: 'inherit' });
    }
  } finally {
    fs.rmdirSync(lock);
  }
}

export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRun {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
}

/** Starts `node dist/cli/index.js ...args` without a marker of its own (the test process has none). */
export function startCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliRun {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.STRAYS_SESSION;
  delete env.RUNNER_TRACKING_ID;
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, done };
}

export const cli = (
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> => startCli(args, options).done;

export const readPid = (file: string): number | undefined => {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  return /^\d+$/.test(text) ? Number(text) : undefined;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Outcomes that mean the process is dead (a zombie has ended; its parent must reap it). */
export const DEAD = ['exited', 'killed', 'zombie'];
