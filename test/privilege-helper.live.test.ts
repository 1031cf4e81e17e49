/**
 * The one privileged helper (src/privilege/helper.ts): a refusal is remembered
 * for the whole process, whichever script met it first, so sudo is asked (and
 * logs a refusal) once, not once per script.
 */
import fs from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { resetHelperRefusals, runHelper } from '../src/privilege/helper.js';
import { signalPrivileged } from '../src/terminate/privileged-signal.js';
import { Leakers } from './helpers/leakers.js';

let leakers: Leakers | undefined;

afterEach(async () => {
  resetHelperRefusals();
  await leakers?.cleanup();
  leakers = undefined;
});

it('a helper refused to the signal script is not asked again by the sh scripts, and says the same', async () => {
  leakers = new Leakers();
  const calls = leakers.file('calls');
  const fake = leakers.file('sudo');
  // What sudo -n prints for a user without a NOPASSWD rule, and its status.
  fs.writeFileSync(fake, `#!/bin/sh\necho called >> '${calls}'\necho 'sudo: a password is required' >&2\nexit 1\n`, {
    mode: 0o755,
  });
  const child = leakers.spawn('sleep', ['300']);
  const target = leakers.track(child.pid as number);

  const signalled = await signalPrivileged([fake, '-n'], [target], 'SIGCONT');
  expect(signalled.get(target.pid)).toEqual({
    kind: 'denied',
    detail: `EPERM, and ${fake} -n refused: sudo: a password is required`,
  });
  const read = await runHelper([fake, '-n'], 'echo never', []);
  expect(read).toEqual({
    ok: false,
    reason: `${fake} -n refused: sudo: a password is required`,
    command: `${fake} -n`,
  });
  expect(fs.readFileSync(calls, 'utf8')).toBe('called\n');
});
