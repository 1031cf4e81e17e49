/**
 * The end of a job, shared by the action's post step, `strays check` and
 * `strays run`: detect what the job left, end it (unless told not to), and
 * build the report. Adapters only render the report and decide the exit.
 */
import os from 'node:os';
import type { GuardOptions } from '../config/options.js';
import type { Baseline } from '../engine/baseline.js';
import { type CheckOptions, check } from '../engine/index.js';
import type { Detection, Finding } from '../engine/findings.js';
import type { MembershipRule } from '../engine/membership.js';
import type { PrivilegePrefix } from '../proc/privileged.js';
import type { ProcessTable } from '../proc/types.js';
import { buildReport, explainFindings } from '../report/index.js';
import type { Report, ReportContext } from '../report/types.js';
import { terminate } from '../terminate/index.js';
import type { Termination } from '../terminate/types.js';

export interface FinishInput {
  readonly baseline: Baseline;
  readonly options: GuardOptions;
  /** Report context; `host` and `checkedAt` default to this machine and now. */
  readonly context?: Partial<ReportContext>;
  /** Extra membership rules (cgroup …). */
  readonly rules?: readonly MembershipRule[];
  /** The checking process; default this one. */
  readonly checker?: number;
  /** STRAYS_SESSION of other jobs active on this host (host state): the time window then refuses to guess. */
  readonly otherSessions?: readonly string[];
  /** Reading environments the checker cannot: default `sudo -n` when not root (src/proc/privileged.ts); false: never. */
  readonly privileged?: PrivilegePrefix | false;
}

export interface FinishResult {
  readonly report: Report;
  readonly detection: Detection;
  readonly termination: Termination | undefined;
  /** True when something leaked and the caller should fail (fail-on-leak). */
  readonly failed: boolean;
  /** Facts for one log line each (e.g. why unreadable environments were not read as root). */
  readonly notes: readonly string[];
}

export async function finishJob(input: FinishInput): Promise<FinishResult> {
  const { baseline, options } = input;
  const detectOptions: CheckOptions = {
    allow: options.allow,
    rules: input.rules,
    checker: input.checker,
    otherSessions: input.otherSessions,
    privileged: input.privileged,
  };
  const { table, detection, notes } = await check(baseline, detectOptions);
  const context: ReportContext = { host: os.hostname(), checkedAt: Date.now(), ...input.context };
  // Explain before terminating: once a process is gone, its sockets and files are gone too.
  const explanations = explainFindings([...detection.findings, ...detection.unattributed], table, context, {
    baseline,
    checker: input.checker,
  });
  const targets = options.unattributed === 'kill' ? [...detection.findings, ...detection.unattributed] : detection.findings;
  const termination = await terminate(targets, {
    graceMs: options.graceMs,
    kill: options.kill,
    self: input.checker,
    rescan: async () => rescan(baseline, detectOptions, options),
  });
  const report = buildReport({ baseline, detection, termination, explanations, options, context, table });
  const leaked = detection.findings.length + detection.unattributed.length;
  return { report, detection, termination, failed: options.failOnLeak && leaked > 0, notes };
}

async function rescan(
  baseline: Baseline,
  detectOptions: CheckOptions,
  options: GuardOptions,
): Promise<readonly Finding[]> {
  const { detection } = await check(baseline, detectOptions);
  return options.unattributed === 'kill' ? [...detection.findings, ...detection.unattributed] : detection.findings;
}

export type { ProcessTable };
