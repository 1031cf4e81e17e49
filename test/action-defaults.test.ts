/**
 * action.yml, the action's local defaults and the CLI agree: every input
 * action.yml declares, and its default, comes from src/config/defaults.ts.
 * action.yml is parsed as YAML (test/sim/action-yml.mjs), as the runner reads it.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INPUT_DEFAULTS, Input } from '../src/action/constants.js';
import { readInputs } from '../src/action/inputs.js';
import { guardOptionsFrom } from '../src/cli/guard.js';
import { ACTION_FAIL_ON_LEAK, DEFAULTS } from '../src/config/defaults.js';
import { parseDuration } from '../src/config/duration.js';
import { readActionYml } from './sim/action-yml.mjs';
import { REPO_ROOT } from './sim/job.mjs';

const manifest = readActionYml(path.join(REPO_ROOT, 'action.yml'));
/** How the runner hands an input to the action (@actions/core getInput reads it back). */
const inputVar = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
const clearInputs = (): void => {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
};
afterEach(clearInputs);

describe('defaults: one source, pinned to action.yml', () => {
  it('action.yml declares exactly the inputs of Input, each with the default src/config gives it', () => {
    expect(Object.keys(manifest.inputs).sort()).toEqual(Object.values(Input).sort());
    const declared = Object.fromEntries(
      Object.entries(manifest.inputs).map(([name, spec]) => [name, spec.default ?? '']),
    );
    expect(declared).toEqual(INPUT_DEFAULTS);
  });

  it('the action reads the same options whether the runner applies action.yml defaults or none are set', () => {
    clearInputs();
    const local = readInputs();
    for (const [name, spec] of Object.entries(manifest.inputs)) process.env[inputVar(name)] = spec.default ?? '';
    const onRunner = readInputs();
    expect(onRunner).toEqual(local);
    expect(onRunner).toMatchObject({
      kill: DEFAULTS.kill,
      failOnLeak: ACTION_FAIL_ON_LEAK,
      graceMs: parseDuration(DEFAULTS.grace, 'grace'),
      isolation: DEFAULTS.isolation,
      unattributed: DEFAULTS.unattributed,
      reportPath: undefined,
    });
  });

  it('the CLI applies the same defaults; only fail-on-leak is opt-in there', () => {
    clearInputs();
    const cli = guardOptionsFrom('check', {});
    expect({ ...cli, failOnLeak: ACTION_FAIL_ON_LEAK }).toEqual(readInputs());
    expect(cli.failOnLeak).toBe(DEFAULTS.failOnLeak);
  });
});
