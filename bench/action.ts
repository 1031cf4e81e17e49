/**
 * The bundled action steps as whole processes, run the way the runner runs
 * them: `node dist/<stage>/index.js` with INPUT_* (action.yml's defaults),
 * RUNNER_TEMP, fresh GITHUB_ENV / GITHUB_STATE / GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY files, and pre's saved state as STATE_* in post
 * (file-command parsing from the job simulator, test/sim/files.mjs).
 * Each job has its own host state directory (STRAYS_STATE_DIR): one job on
 * the host, as on a hosted runner, and the machine's own state is untouched.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { INPUT_DEFAULTS, Input } from '../src/action/constants.js';
import { STATE_DIR_VAR } from '../src/host/state-dir.js';
import { readFileCommands } from '../test/sim/files.mjs';
import { timedEnv } from './runtime.js';

export const inputVar = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

export interface ProcessRun {
  readonly ms: number;
  readonly code: number;
  readonly output: string;
}

/** Spawns `node args` and measures spawn → exit (not the pipes' draining). */
export function runProcess(
  node: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<ProcessRun> {
  const start = performance.now();
  const child = spawn(node, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      resolve({ ms: performance.now() - start, code: code ?? (signal ? 128 : 1), output }),
    );
  });
}

export class ActionJob {
  readonly temp: string;
  readonly workspace: string;
  readonly stateDir: string;
  private readonly trackingId = `github_${randomUUID()}`;
  private state: Record<string, string> = {};
  private jobEnv: Record<string, string> = {};

  constructor(
    readonly root: string,
    private readonly distDir: string,
    /** The Node that runs each step (./runtime.ts). */
    private readonly node: string,
    /** Inputs other than action.yml's defaults (the bench's --isolation). */
    private readonly inputOverrides: Partial<Record<Input, string>> = {},
  ) {
    this.temp = path.join(root, 'runner-temp');
    this.workspace = path.join(root, 'workspace');
    this.stateDir = path.join(root, 'state');
    for (const d of [this.temp, this.workspace, this.stateDir]) fs.mkdirSync(d, { recursive: true });
  }

  private env(extra: Record<string, string>): NodeJS.ProcessEnv {
    const outer = Object.fromEntries(
      Object.entries(timedEnv(process.env)).filter(([k]) => !/^(GITHUB_|RUNNER_|INPUT_|STATE_|STRAYS_)/.test(k)),
    );
    const inputs = Object.fromEntries(
      Object.values(Input).map((name) => [inputVar(name), this.inputOverrides[name] ?? INPUT_DEFAULTS[name] ?? '']),
    );
    return {
      ...outer,
      ...inputs,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      RUNNER_TEMP: this.temp,
      GITHUB_WORKSPACE: this.workspace,
      RUNNER_TRACKING_ID: this.trackingId,
      GITHUB_ACTION: '__self',
      [STATE_DIR_VAR]: this.stateDir,
      ...this.jobEnv,
      ...extra,
    };
  }

  /** Runs dist/<stage>/index.js as one step; returns its wall time and exit code. */
  async step(stage: 'pre' | 'post', extraEnv: Record<string, string> = {}): Promise<ProcessRun> {
    return this.asStep(path.join(this.distDir, stage, 'index.js'), extraEnv);
  }

  /** Runs a plain script (the runner-cleanup yardstick) with this job's environment, as a step would. */
  script(file: string): Promise<ProcessRun> {
    return runProcess(this.node, [file], this.env({}), this.workspace);
  }

  /**
   * Runs `file` as a step of the action: fresh file-command files, the state saved so far as STATE_*; what
   * it writes to GITHUB_ENV and GITHUB_STATE is kept for later steps.
   */
  async asStep(file: string, extraEnv: Record<string, string> = {}): Promise<ProcessRun> {
    const files: Record<string, string> = {};
    for (const name of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']) {
      files[name] = path.join(this.temp, `${name.toLowerCase()}_${randomUUID()}`);
      fs.writeFileSync(files[name] as string, '');
    }
    const state = Object.fromEntries(Object.entries(this.state).map(([k, v]) => [`STATE_${k}`, v]));
    const run = await runProcess(this.node, [file], this.env({ ...files, ...state, ...extraEnv }), this.workspace);
    Object.assign(this.jobEnv, readFileCommands(files.GITHUB_ENV as string));
    Object.assign(this.state, readFileCommands(files.GITHUB_STATE as string));
    return run;
  }
}
