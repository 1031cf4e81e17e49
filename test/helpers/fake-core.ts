/**
 * A typed fake of the parts of @actions/core the action uses, for vi.mock:
 * inputs and state come from plain records, every call is recorded by vi.fn.
 * Typed against the real module, so a renamed or retyped function breaks the
 * build here instead of passing silently.
 */
import type * as Core from '@actions/core';
import { vi } from 'vitest';

type Used =
  | 'getInput'
  | 'getState'
  | 'saveState'
  | 'exportVariable'
  | 'setOutput'
  | 'setFailed'
  | 'info'
  | 'warning'
  | 'error'
  | 'notice'
  | 'debug'
  | 'startGroup'
  | 'endGroup';

export interface FakeCore extends Pick<typeof Core, Used> {
  inputs: Record<string, string>;
  states: Record<string, string>;
  summary: {
    addRaw: (text: string, addEOL?: boolean) => FakeCore['summary'];
    write: () => Promise<FakeCore['summary']>;
    text: string;
  };
}

/**
 * Fills `target` (the object vi.mock handed to the code under test) with fresh
 * fakes and empty inputs/state; call it in beforeEach.
 */
export function installFakeCore(target: object): FakeCore {
  const fake = target as FakeCore;
  const summary: FakeCore['summary'] = {
    text: '',
    addRaw: vi.fn((text: string) => {
      summary.text += text;
      return summary;
    }),
    write: vi.fn(async () => summary),
  };
  Object.assign(fake, {
    inputs: {},
    states: {},
    getInput: vi.fn<typeof Core.getInput>((name) => fake.inputs[name] ?? ''),
    getState: vi.fn<typeof Core.getState>((name) => fake.states[name] ?? ''),
    saveState: vi.fn<typeof Core.saveState>((name, value) => {
      fake.states[name] = String(value);
    }),
    exportVariable: vi.fn<typeof Core.exportVariable>(),
    setOutput: vi.fn<typeof Core.setOutput>(),
    setFailed: vi.fn<typeof Core.setFailed>(),
    info: vi.fn<typeof Core.info>(),
    warning: vi.fn<typeof Core.warning>(),
    error: vi.fn<typeof Core.error>(),
    notice: vi.fn<typeof Core.notice>(),
    debug: vi.fn<typeof Core.debug>(),
    startGroup: vi.fn<typeof Core.startGroup>(),
    endGroup: vi.fn<typeof Core.endGroup>(),
    summary,
  } satisfies FakeCore);
  return fake;
}
