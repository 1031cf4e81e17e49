/** Timing helpers: high-resolution wall time and medians. */
import { performance } from 'node:perf_hooks';

export async function timed<T>(work: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs each labelled task `runs` times, interleaved (a, b, c, a, b, c …) so drift on a noisy machine hits all alike. */
export async function interleaved(
  runs: number,
  tasks: Record<string, () => unknown>,
): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, task] of Object.entries(tasks)) (out[name] as number[]).push((await timed(task)).ms);
  }
  return out;
}
