/**
 * Hostile option values, as the action's inputs and as CLI flags: durations
 * past their limit, values of only whitespace, 100 KB values, bidi controls.
 * Each is refused when the options are parsed, with the setting's name, the
 * value quoted (at most 200 characters, control characters escaped) and the
 * accepted forms; none silently becomes the default.
 */
import { describe, expect, it, vi } from 'vitest';
import { Input } from '../src/action/constants.js';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/output.js';
import { MAX_DURATION_MS, parseDuration } from '../src/config/duration.js';
import { MAX_GRACE_MS } from '../src/config/options.js';
import { type FakeCore, installFakeCore } from './helpers/fake-core.js';

const core = vi.hoisted(() => ({}) as FakeCore);
vi.mock('@actions/core', () => core);
const { readInputs } = await import('../src/action/inputs.js');
const { runPre } = await import('../src/action/run-pre.js');

/** The action's inputs with these values; resolves to the error message, or undefined when accepted. */
function actionError(inputs: Partial<Record<Input, string>>): string | undefined {
  installFakeCore(core);
  Object.assign(core.inputs, inputs);
  try {
    readInputs();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function strays(args: readonly string[]): Promise<{ status: number; stderr: string }> {
  const err: string[] = [];
  const io: Io = { out: () => undefined, err: (t) => err.push(t), errIsTty: false, env: {} };
  const status = await main(args, io);
  return { status, stderr: err.join('\n') };
}

const HUGE = 'x'.repeat(100_000);
const BIDI = 'report\u202e\u2066kill';

describe('durations are bounded', () => {
  it('grace-period 100000000000h is refused, naming the input, the value, the forms and the limit', () => {
    expect(actionError({ [Input.GracePeriod]: '100000000000h' })).toBe(
      'Invalid input grace-period "100000000000h": too long; expected "500ms", "5s", "1m", "2h" or a bare number of seconds such as "5" or "0.5", at most 1h.',
    );
  });
  it.each([
    ['1h', MAX_GRACE_MS],
    ['60m', MAX_GRACE_MS],
    ['3600', MAX_GRACE_MS],
    ['0', 0],
  ])('grace-period %j is accepted', (value, ms) => {
    installFakeCore(core);
    core.inputs[Input.GracePeriod] = value;
    expect(readInputs().graceMs).toBe(ms);
  });
  it.each(['61m', '3601', '1.01h', `${'9'.repeat(400)}s`])('grace-period %j is over the limit', (value) => {
    expect(actionError({ [Input.GracePeriod]: value })).toMatch(
      /^Invalid input grace-period ".*": (too long; .*at most 1h|expected .*)\.$/,
    );
  });
  it('other durations stop at a year, and the default limit is named', () => {
    expect(parseDuration('720h', '--older-than')).toBe(720 * 3_600_000);
    expect(() => parseDuration('9000h', '--older-than')).toThrow(/at most 366d 0h\.$/);
    expect(MAX_DURATION_MS).toBe(366 * 24 * 3_600_000);
  });
});

describe('values of only whitespace are refused, not read as the default', () => {
  it.each([
    Input.Kill,
    Input.FailOnLeak,
    Input.GracePeriod,
    Input.Allow,
    Input.ReportPath,
    Input.Isolation,
    Input.Unattributed,
  ])('input %s', (input) => {
    const message = actionError({ [input]: ' \n\t ' });
    expect(message).toContain(`input ${input}`);
    expect(message).toContain('" \\n\\t "');
    expect(message).toMatch(/blank/);
  });
  it('an unset input (the empty string) still means the default', () => {
    expect(actionError({ [Input.GracePeriod]: '', [Input.Isolation]: '' })).toBeUndefined();
  });
  it('a value with surrounding whitespace (a YAML block scalar) is trimmed', () => {
    installFakeCore(core);
    Object.assign(core.inputs, {
      [Input.ReportPath]: ' /tmp/r.json\n',
      [Input.GracePeriod]: '2s\n',
      [Input.Allow]: 'sleep 60*\n',
    });
    expect(readInputs()).toMatchObject({ reportPath: '/tmp/r.json', graceMs: 2000, allow: [{ source: 'sleep 60*' }] });
  });
});

describe('a huge or bidi value is never echoed raw', () => {
  it.each([
    [Input.GracePeriod, HUGE],
    [Input.Isolation, HUGE],
    [Input.Kill, HUGE],
    [Input.Unattributed, BIDI],
    [Input.Isolation, `::stop-commands::${BIDI}`],
  ])('input %s', (input, value) => {
    const message = actionError({ [input]: value }) as string;
    expect(message).toMatch(new RegExp(`^Invalid input ${input} "`));
    expect(message.length).toBeLessThan(500);
    expect(message).not.toMatch(/[\u202e\u2066]/);
    if (value === HUGE) expect(message).toContain('… (99800 more characters)"');
  });
});

describe('pre refuses them before the job starts, never first in post', () => {
  it.each([
    [
      Input.Allow,
      `*${'x'.repeat(50_000)}*`,
      /^strays pre: Invalid input allow: Invalid allow entry "\*x+… \(49802 more characters\)": it is 50002 characters long; the limit is 256\./,
    ],
    [
      Input.Allow,
      Array.from({ length: 50_000 }, (_, i) => `sleep ${i}`).join('\n'),
      /^strays pre: Invalid input allow: 50000 entries \("sleep 0, sleep 1, sleep 2", …\); the limit is 100\./,
    ],
    [
      Input.Allow,
      '*a*a*a*a*a*b,[z-a]',
      /^strays pre: Invalid input allow: Invalid allow entry "\[z-a\]": the range "z-a" at position 2 runs backwards/,
    ],
    [Input.GracePeriod, '100000000000h', /^strays pre: Invalid input grace-period "100000000000h": too long/],
    [Input.Isolation, '   ', /^strays pre: Invalid input isolation " {3}": it is blank/],
  ])('%s = %j', async (input, value, message) => {
    installFakeCore(core);
    core.inputs[input] = value;
    await runPre();
    expect(core.setFailed).toHaveBeenCalledTimes(1);
    const failed = String(vi.mocked(core.setFailed).mock.calls[0]?.[0]);
    expect(failed).toMatch(message);
    expect(failed.length).toBeLessThan(1000);
    expect(core.exportVariable).not.toHaveBeenCalled();
    expect(core.saveState).not.toHaveBeenCalled();
  });
});

describe('the CLI refuses the same values with status 2', () => {
  it.each([
    [
      ['check', '--state', '/nonexistent', '--grace', '100000000000h'],
      /^strays check: Invalid --grace "100000000000h": too long; .*at most 1h\.$/m,
    ],
    [['check', '--state', '/nonexistent', '--grace', '   '], /^strays check: Invalid --grace " {3}": it is blank\./m],
    [
      ['check', '--state', '/nonexistent', '--isolation', BIDI],
      /^strays check: Invalid --isolation "report\\u202e\\u2066kill": expected one of auto, marker, cgroup\.$/m,
    ],
    [['check', '--state', '/nonexistent', '--allow', ' '], /^strays check: Invalid --allow: " " is blank\./m],
    [['check', '--state', '/nonexistent', '--grace', HUGE], /… \(99800 more characters\)": expected/],
    [['run', '--grace', '2h', '--', 'true'], /^strays run: Invalid --grace "2h": too long/m],
    [['sweep', '--grace', '2h'], /^strays sweep: Invalid --grace "2h": too long/m],
    [['sweep', '--older-than', ' ', '--unrecorded'], /^strays sweep: Invalid --older-than " ": it is blank/m],
    [['run', `${HUGE}\u202e`, '--', 'true'], /^strays run: "x+… \(99801 more characters\)" before "--"/m],
    [[`${BIDI}${HUGE}`], /^strays: unknown command "report\\u202e\\u2066killx+… \(\d+ more characters\)"\. Commands:/m],
    [
      ['sweep', '--older-than', '100000000000h'],
      /^strays sweep: Invalid --older-than "100000000000h": too long; .*at most 366d 0h\.$/m,
    ],
  ])('%j', async (args, message) => {
    const ran = await strays(args);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(message);
    expect(ran.stderr.length).toBeLessThan(1000);
    expect(ran.stderr).not.toMatch(/[\u202e\u2066]/);
  });
});
