/** `strays ps [--state FILE]`: the job's live processes as a tree, touching nothing (README, Commands). */
import { cgroupRule } from '../../cgroup/index.js';
import {
  type Baseline,
  buildTree,
  check,
  descendantsOf,
  type Detection,
  type Finding,
  SESSION_VAR,
  stepOf,
} from '../../engine/index.js';
import type { GuardOptions } from '../../config/options.js';
import { type ProcessInfo, type ProcessTable, readDetails, readTable } from '../../proc/index.js';
import { explainFindings } from '../../explain/index.js';
import { type BuildReportInput, buildReport, keepArgv, type ReportContext, STDOUT_PATH } from '../../report/index.js';
import { untrusted } from '../../text/untrusted.js';
import { GUARD_OPTIONS, flag, stringValue } from '../args.js';
import { type Command, optionsOnly } from '../command.js';
import { EXIT } from '../exit.js';
import { cliContext, guardOptionsFrom } from '../guard.js';
import { loadState } from '../job.js';
import { type Io, writeReport } from '../output.js';
import { type TreeRow, renderTree } from '../tree-view.js';

export const ps: Command = {
  name: 'ps',
  summary: "show the job's live processes as a tree, without touching them",
  synopsis: 'strays ps [--state FILE] [options]',
  description: `Lists what \`strays check\` would find now, as a tree, and signals nothing.\nWithout --state: every process carrying a ${SESSION_VAR}, and its descendants, by session.`,
  options: {
    state: { type: 'string', value: 'FILE', help: 'show the job of this baseline (default: every marked job)' },
    allow: GUARD_OPTIONS.allow,
    json: {
      ...GUARD_OPTIONS.json,
      help: 'also write the listing as a JSON report (the schema of `check`; - for standard output, the tree then goes to stderr)',
    },
    'show-secrets': GUARD_OPTIONS['show-secrets'],
  },
  async run(argv, io) {
    const values = optionsOnly(ps, argv, io);
    if (values === undefined) return EXIT.ok;
    const options = guardOptionsFrom('ps', values);
    const file = stringValue(values, 'state');
    const json = options.reportPath;
    // With the JSON on stdout, the tree moves to stderr: stdout stays one parseable document.
    const view: Io = json === STDOUT_PATH ? { ...io, out: io.err } : io;
    const showSecrets = flag(values, 'show-secrets');
    const listed = file === undefined ? await psAll(view, showSecrets) : await psJob(view, file, options, showSecrets);
    const context: ReportContext = { checkedAt: Date.now(), ...cliContext(listed.job), showSecrets };
    const { detection } = listed;
    const explanations = explainFindings([...detection.findings, ...detection.unattributed], listed.table, context);
    const report = buildReport({ ...listed, termination: undefined, explanations, context });
    const problem = writeReport(io, report, json);
    if (problem === undefined) return EXIT.ok;
    io.err(`strays ps: ${problem}`);
    return EXIT.failure;
  },
};

/** What ps lists, for its report: `job` is the --state baseline, if any. */
type Listed = Pick<BuildReportInput, 'baseline' | 'detection' | 'options'> & { table: ProcessTable; job?: Baseline };

async function psJob(io: Io, file: string, options: GuardOptions, showSecrets: boolean): Promise<Listed> {
  const baseline = loadState('ps', file);
  const rules = baseline.cgroup ? [cgroupRule(baseline.cgroup)] : [];
  const { table, detection } = await check(baseline, { allow: options.allow, checker: process.pid, rules });
  const rows: TreeRow[] = [
    ...detection.findings.map((f) => ({
      process: f.process,
      note: `${f.attribution}${f.step ? `, step ${f.step}` : ''}`,
    })),
    ...detection.unattributed.map((f) => ({ process: f.process, note: `unattributed, ${f.attribution}` })),
    ...detection.zombies.map((z) => ({ process: z.process, note: `zombie, reaper ${z.reaper}` })),
  ];
  io.out(`job ${baseline.session}: ${rows.length === 0 ? 'no live processes' : `${rows.length} processes`}`);
  if (rows.length > 0) io.out(renderTree(shown(rows, showSecrets), Date.now()).join('\n'));
  return { baseline, detection, table, options: { ...options, kill: false }, job: baseline };
}

/** The tree shows command lines as reports do: secrets redacted, padding dropped, capped (src/report/argv.ts). */
const shown = (rows: readonly TreeRow[], showSecrets: boolean): TreeRow[] =>
  rows.map((r) => ({
    ...r,
    process: { ...r.process, argv: keepArgv(r.process.argv, r.process.comm, showSecrets).argv },
  }));

async function psAll(io: Io, showSecrets: boolean): Promise<Listed> {
  const table = await readDetails(await readTable(), (p) => p.pid !== process.pid);
  const tree = buildTree(table.processes);
  const sessionOf = (p: ProcessInfo): string | undefined =>
    (p.env?.readable ? p.env.vars[SESSION_VAR] : undefined) || undefined;
  const bySession = new Map<string, Set<number>>();
  for (const p of table.processes) {
    const session = sessionOf(p);
    if (session === undefined) continue;
    const pids = bySession.get(session) ?? new Set<number>();
    pids.add(p.pid);
    // Descendants belong to the job even when they scrubbed their environment (env -i).
    for (const d of descendantsOf(tree, p.pid)) if (d !== process.pid) pids.add(d);
    bySession.set(session, pids);
  }
  if (bySession.size === 0) io.out(`no process carries ${SESSION_VAR}`);
  const findings: Finding[] = [];
  for (const [session, pids] of [...bySession].sort(([a], [b]) => a.localeCompare(b))) {
    const rows = [...pids]
      .map((pid) => tree.byPid.get(pid))
      .filter((p): p is ProcessInfo => p !== undefined)
      .map((p) => ({ process: p, note: sessionOf(p) === undefined ? 'descendant' : '' }));
    io.out(`${SESSION_VAR}=${untrusted(session)}: ${rows.length} processes`);
    io.out(renderTree(shown(rows, showSecrets), Date.now()).join('\n'));
    for (const { process: p } of rows) {
      findings.push({
        process: p,
        attribution: 'marker',
        reasons: [
          sessionOf(p) === undefined
            ? `descends from a process carrying ${SESSION_VAR}=${session}`
            : `carries ${SESSION_VAR}=${session}`,
        ],
        ancestry: [],
        children: [],
        step: stepOf(p),
      });
    }
  }
  // Every marked job at once: `*` stands for the session, and the oldest process for the job's start.
  const starts = findings.map((f) => f.process.startedAt).filter((t): t is number => t !== undefined);
  const baseline = {
    session: '*',
    runnerTrackingId: undefined,
    takenAt: starts.length > 0 ? starts.reduce((a, b) => Math.min(a, b)) : Date.now(),
  } as Baseline;
  const detection: Detection = { findings, unattributed: [], zombies: [], spared: [] };
  return { baseline, detection, table, options: { kill: false, graceMs: 0, failOnLeak: false } };
}
