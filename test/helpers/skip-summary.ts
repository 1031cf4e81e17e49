/**
 * A vitest reporter that ends the run with what was skipped and why, then one
 * plain line "N passed, N failed, N skipped": a green run that skipped half
 * the suite must say so (README "Development").
 *
 * Reasons come from `ctx.skip(note)` or from the `skipReason` meta that
 * test/helpers/requires.ts sets; a skip with neither is listed as such.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipSummary implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const reasons = new Map<string, number>();
    const count = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        count[result.state] += 1;
        if (result.state !== 'skipped') continue;
        const reason = result.note ?? test.meta().skipReason ?? 'skipped without a reason (it.skip or .only elsewhere)';
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    const lines: string[] = [];
    if (reasons.size > 0) {
      lines.push('', `Skipped ${count.skipped} test${count.skipped === 1 ? '' : 's'} this machine cannot run:`);
      for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1]))
        lines.push(`  ${String(n).padStart(3)}  ${reason}`);
    }
    lines.push('', `${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
