/**
 * The runner's side of an in-process action step: a RUNNER_TEMP and a job
 * summary file of the test's own, no marks of a real runner (when these tests
 * run on one, its RUNNER_TRACKING_ID must not leak into the job under test),
 * a fresh fake @actions/core, and everything restored after each test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { SESSION_VAR } from '../../src/engine/session.js';
import { type FakeCore, installFakeCore } from './fake-core.js';
import { Leakers } from './leakers.js';

export interface ActionStepEnv {
  /** The test's own leakers, ended after each test. */
  leakers: Leakers;
  /** RUNNER_TEMP, removed after each test. */
  temp: string;
}

export function useActionStepEnv(prefix: string, core: FakeCore): ActionStepEnv {
  const env = {} as ActionStepEnv;
  const saved = { ...process.env };
  beforeEach(() => {
    installFakeCore(core);
    env.leakers = new Leakers();
    env.temp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    process.env.RUNNER_TEMP = env.temp;
    process.env.GITHUB_STEP_SUMMARY = path.join(env.temp, 'summary.md');
    fs.writeFileSync(process.env.GITHUB_STEP_SUMMARY, '');
    delete process.env.RUNNER_TRACKING_ID;
    delete process.env[SESSION_VAR];
  });
  afterEach(async () => {
    await env.leakers.cleanup();
    fs.rmSync(env.temp, { recursive: true, force: true });
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  return env;
}
