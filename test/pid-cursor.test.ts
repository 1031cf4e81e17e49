/** Which pids the kernel may have given between two readings of its pid cursor (src/proc/pid-cursor.ts). Pure. */
import { describe, expect, it } from 'vitest';
import { givenSince, type PidMark } from '../src/proc/pid-cursor.js';

const mark = (last: number, forks: number, over: Partial<PidMark> = {}): PidMark => ({
  last,
  max: 4_194_304,
  forks,
  tasks: 500,
  ...over,
});

describe('pids given since a reading of the cursor', () => {
  it('are those on the arc from the first reading to the second', () => {
    const given = givenSince(mark(1000, 50), mark(1040, 90));
    expect([1000, 1001, 1040, 1041, 999, 5].map((pid) => given?.(pid))).toEqual([
      false,
      true,
      true,
      false,
      false,
      false,
    ]);
    const none = givenSince(mark(1000, 50), mark(1000, 50));
    expect([1000, 1001, 999].map((pid) => none?.(pid))).toEqual([false, false, false]);
  });

  it('wrap past pid_max to the low pids', () => {
    const given = givenSince(mark(32_700, 10, { max: 32_768 }), mark(320, 110, { max: 32_768 }));
    expect([32_700, 32_701, 32_767, 300, 320, 321, 16_000].map((pid) => given?.(pid))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('are unknown when the cursor may have gone all the way round, or pid_max changed', () => {
    // 4 positions per new task and 3 per task in use: 32,768 pids cannot hold 8,000 new ones beside 500.
    expect(givenSince(mark(1000, 0, { max: 32_768 }), mark(1500, 8000, { max: 32_768 }))).toBeUndefined();
    expect(givenSince(mark(1000, 0, { max: 32_768, tasks: 12_000 }), mark(1001, 1, { max: 32_768 }))).toBeUndefined();
    expect(givenSince(mark(1000, 0), mark(1001, 1, { max: 32_768 }))).toBeUndefined();
    expect(givenSince(mark(1000, 10), mark(1001, 9)), 'a fork count that went back').toBeUndefined();
  });
});
