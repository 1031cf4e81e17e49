/**
 * A local GitHub Actions job, faithful to actions/runner where strays can
 * tell the difference:
 *
 * - every step is a child of this process, in ITS process group (no
 *   `detached`), as the runner's ProcessInvoker starts steps: a leaker that
 *   does not call setsid shares the runner's group;
 * - RUNNER_TRACKING_ID is set once per job (`github_<uuid>`) in every step;
 * - before each step fresh GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE /
 *   GITHUB_STEP_SUMMARY files are created; after it they are parsed like the
 *   runner does (files.mjs): GITHUB_ENV feeds every later step, GITHUB_STATE
 *   of an action becomes STATE_<name> in that action's main and post;
 * - inputs become INPUT_<NAME>: upper-cased, spaces → "_", dashes kept
 *   (INPUT_FAIL-ON-LEAK), with action.yml's defaults for inputs not given;
 * - GITHUB_ACTION names the step: its id, else `__run`, `__run_2` … for run
 *   steps and `__self` for a local action (`uses: ./`), as the workflow
 *   parser generates them; pre and post share the main step's name;
 * - run steps are `bash --noprofile --norc -eo pipefail <file>`, actions
 *   `node <entry>`, both in GITHUB_WORKSPACE; a step is over when its process
 *   exits, even if a background child still holds its stdout (the runner does
 *   not wait for those either; that is how leaks survive a step).
 *
 * Not simulated: containers, GITHUB_PATH, expressions, secrets masking.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readActionYml } from './action-yml.mjs';
import { parseWorkflowCommands, readFileCommands } from './files.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Variables of the outer environment that would confuse a simulated job (when the tests themselves run on a runner). */
const OUTER = /^(GITHUB_|RUNNER_|INPUT_|STATE_|STRAYS_|ACTIONS_)/;
/**
 * Kept all the same: the host state folder its caller chose. scripts/test.mjs and npm run demo give each
 * run a folder of its own (README "Development"); without it a simulated job registers in this machine's
 * default one (`/var/lib/strays` as root, or as the mapped root of the demo's user namespace, which cannot write it).
 */
const KEPT = new Set(['STRAYS_STATE_DIR']);

export class SimJob {
  /**
   * @param {object} [options]
   * @param {string} [options.root] directory for RUNNER_TEMP, the workspace and file commands (default: a new temp dir)
   * @param {string} [options.actionDir] the action's checkout (default: this repository)
   * @param {string} [options.trackingId] RUNNER_TRACKING_ID (default: github_<uuid>)
   * @param {Record<string,string>} [options.env] extra variables for every step (the workflow's `env:`)
   * @param {(text: string) => void} [options.echo] receives each step's output as it comes
   */
  constructor(options = {}) {
    this.root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'strays-sim-'));
    this.actionDir = options.actionDir ?? REPO_ROOT;
    this.trackingId = options.trackingId ?? `github_${randomUUID()}`;
    this.echo = options.echo;
    this.temp = path.join(this.root, 'runner-temp');
    this.workspace = path.join(this.root, 'workspace');
    this.commands = path.join(this.temp, '_runner_file_commands');
    for (const d of [this.temp, this.workspace, this.commands]) fs.mkdirSync(d, { recursive: true });
    const outer = Object.fromEntries(Object.entries(process.env).filter(([k]) => KEPT.has(k) || !OUTER.test(k)));
    this.baseEnv = {
      ...outer,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: this.temp,
      GITHUB_WORKSPACE: this.workspace,
      RUNNER_TRACKING_ID: this.trackingId,
      GITHUB_RUN_ID: String(Date.now()),
      GITHUB_JOB: 'sim',
      ...options.env,
    };
    /** Variables steps exported through GITHUB_ENV. */
    this.jobEnv = {};
    /** Intra-action state by step name (GITHUB_STATE → STATE_*). */
    this.state = {};
    /** Every step run, in order. */
    this.steps = [];
    this.runSteps = 0;
    this.manifest = readActionYml(path.join(this.actionDir, 'action.yml'));
  }

  /** True once any step failed (exit code ≠ 0). */
  get failed() {
    return this.steps.some((s) => s.code !== 0);
  }

  /** A `run:` step. */
  async run(script, { id, env } = {}) {
    const name = id ?? (++this.runSteps === 1 ? '__run' : `__run_${this.runSteps}`);
    const file = path.join(this.temp, `${randomUUID()}.sh`);
    fs.writeFileSync(file, script);
    return this.step({
      name,
      stage: 'run',
      command: 'bash',
      args: ['--noprofile', '--norc', '-eo', 'pipefail', file],
      env,
    });
  }

  /** The action's pre, main or post entry (`uses: ./` with `with: inputs`). */
  async action(stage, { id = '__self', inputs = {} } = {}) {
    const entry = this.manifest.runs[stage];
    if (!entry) throw new Error(`action.yml has no runs.${stage}`);
    const env = {};
    for (const [k, def] of Object.entries(this.manifest.inputs)) env[inputVar(k)] = def.default ?? '';
    for (const [k, v] of Object.entries(inputs)) env[inputVar(k)] = String(v);
    for (const [k, v] of Object.entries(this.state[id] ?? {})) env[`STATE_${k}`] = v;
    return this.step({ name: id, stage, command: process.execPath, args: [path.join(this.actionDir, entry)], env });
  }

  pre(options) {
    return this.action('pre', options);
  }
  main(options) {
    return this.action('main', options);
  }
  post(options) {
    return this.action('post', options);
  }

  async step({ name, stage, command, args, env }) {
    const files = {};
    for (const [variable, prefix] of [
      ['GITHUB_ENV', 'set_env_'],
      ['GITHUB_OUTPUT', 'set_output_'],
      ['GITHUB_STATE', 'save_state_'],
      ['GITHUB_STEP_SUMMARY', 'step_summary_'],
    ]) {
      files[variable] = path.join(this.commands, `${prefix}${randomUUID()}`);
      fs.writeFileSync(files[variable], '');
    }
    const child = spawn(command, args, {
      cwd: this.workspace,
      env: { ...this.baseEnv, ...this.jobEnv, GITHUB_ACTION: name, ...files, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      this.echo?.(String(d));
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      this.echo?.(String(d));
    });
    const code = await new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    // Let buffered output drain, then stop reading: a background child may hold the pipe for ever.
    await new Promise((r) => setTimeout(r, 50));
    child.stdout.destroy();
    child.stderr.destroy();

    Object.assign(this.jobEnv, readFileCommands(files.GITHUB_ENV));
    const state = readFileCommands(files.GITHUB_STATE);
    if (Object.keys(state).length > 0) this.state[name] = { ...this.state[name], ...state };
    const result = {
      name,
      stage,
      pid: child.pid,
      code,
      stdout,
      stderr,
      outputs: readFileCommands(files.GITHUB_OUTPUT),
      summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      annotations: parseWorkflowCommands(stdout).filter((a) => a.level !== 'debug'),
    };
    this.steps.push(result);
    return result;
  }

  /** Removes the job's directories (not its processes: those are the test's to end). */
  dispose() {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The runner's input variable: "INPUT_" + name with spaces → "_", upper-cased (dashes kept). */
export const inputVar = (name) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
