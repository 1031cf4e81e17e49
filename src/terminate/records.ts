/**
 * The working set of one termination: one record per process identity,
 * signalled through signals.ts and never when protected.
 */
import type { Finding } from '../engine/index.js';
import { identityKey } from '../proc/index.js';
import type { TargetRecord } from './outcome.js';
import type { SignalName, SignalResult } from './signals.js';

export class Records {
  private readonly byKey = new Map<string, TargetRecord>();
  /** Findings that rescans added (not in the input). */
  readonly added: Finding[] = [];

  constructor(
    /** never-touch.ts: never signalled, whatever we are handed (pid → why). */
    readonly guarded: ReadonlyMap<number, string>,
  ) {}

  all(): TargetRecord[] {
    return [...this.byKey.values()];
  }

  /** Records still to be signalled: not settled (gone, reused, zombie, protected, denied). */
  active(): TargetRecord[] {
    return this.all().filter((r) => r.settled === undefined);
  }

  /** Adds the findings not seen before (by pid + start) and returns their records. */
  add(findings: readonly Finding[], fromRescan: boolean): TargetRecord[] {
    const fresh: TargetRecord[] = [];
    for (const finding of findings) {
      const key = identityKey(finding.process);
      if (this.byKey.has(key)) continue;
      const { pid, start } = finding.process;
      const record: TargetRecord = { finding, pid, start, signals: [], via: 'none', settled: this.protection(pid) };
      this.byKey.set(key, record);
      fresh.push(record);
      if (fromRescan) this.added.push(finding);
    }
    return fresh;
  }

  private protection(pid: number): TargetRecord['settled'] {
    if (pid <= 1) return { kind: 'protected', detail: `pid ${pid} is never signalled` };
    if (pid === process.pid) return { kind: 'protected', detail: 'is the strays process itself: never signalled' };
    const why = this.guarded.get(pid);
    return why === undefined ? undefined : { kind: 'protected', detail: `${why}: never signalled` };
  }
}

/**
 * Records what one signal did (signals.ts or the privileged helper). Before
 * the first signal lands, "gone", "reused" and "zombie" settle the record
 * (nothing was done to it); after, they only mean it has ended.
 */
export function applyResult(record: TargetRecord, signal: SignalName, result: SignalResult): void {
  const untouched = record.signals.length === 0;
  switch (result.kind) {
    case 'sent':
      record.signals.push(signal);
      if (record.via === 'none') record.via = 'process';
      return;
    case 'denied':
      record.settled = { kind: 'denied', detail: result.detail };
      return;
    case 'gone':
      if (untouched) record.settled = { kind: 'gone' };
      return;
    case 'reused':
      if (untouched) record.settled = { kind: 'reused', start: result.start };
      return;
    case 'zombie':
      if (untouched) record.settled = { kind: 'zombie', reaper: result.reaper };
      return;
  }
}
