/**
 * `strays ps [--state FILE]`: the job's live processes as a tree; touches
 * nothing (a debugging aid). Without --state: every process carrying any
 * STRAYS_SESSION, with its descendants, grouped by session.
 */
import { cgroupRule } from '../../cgroup/index.js';
import { buildTree, check, descendantsOf, SESSION_VAR } from '../../engine/index.js';
import { type ProcessInfo, readDetails, readTable } from '../../proc/index.js';
import { buildReport, explainFindings, writeJsonReport } from '../../report/index.js';
import { GUARD_OPTIONS, type OptionSpecs, stringValue, usageText } from '../args.js';
import { type Command, optionsOnly } from '../command.js';
import { EXIT } from '../exit.js';
import { cliContext, guardOptionsFrom } from '../guard.js';
import { loadState } from '../job.js';
import type { Io } from '../output.js';
import { type TreeRow, renderTree } from '../tree-view.js';
import fs from 'node:fs';
import os from 'node:os';

const OPTIONS: OptionSpecs = {
  state: { type: 'string', value: 'FILE', help: 'show the job of this baseline (default: every marked job)' },
  ...GUARD_OPTIONS,
};

export const ps: Command = {
  name: 'ps',
  summary: 'show the job\'s live processes as a tree, without touching them',
  help: () =>
    usageText(
      'ps',
      'strays ps [--state FILE] [options]',
      `Lists what \`strays check\` would find now, as a tree, and signals nothing.\nWithout --state: every process carrying a ${SESSION_VAR}, and its descendants, by session.`,
      OPTIONS,
    ),
  async run(argv, io) {
    const values = optionsOnly(ps, argv, OPTIONS, io);
    if (values === undefined) return EXIT.ok;
    const options = guardOptionsFrom('ps', values);
    const file = stringValue(values, 'state');
    return file === undefined ? psAll(io, options.reportPath) : psJob(io, file, options);
  },
};

async function psJob(io: Io, file: string, options: ReturnType<typeof guardOptionsFrom>): Promise<number> {
  const baseline = loadState('ps', file);
  const rules = baseline.cgroup ? [cgroupRule(baseline.cgroup)] : [];
  const { table, detection } = await check(baseline, { allow: options.allow, checker: process.pid, rules });
  const rows: TreeRow[] = [
    ...detection.findings.map((f) => ({ process: f.process, note: `${f.attribution}${f.step ? `, step ${f.step}` : ''}` })),
    ...detection.unattributed.map((f) => ({ process: f.process, note: `unattributed, ${f.attribution}` })),
    ...detection.zombies.map((z) => ({ process: z.process, note: `zombie, reaper ${z.reaper}` })),
  ];
  io.out(`job ${baseline.session}: ${rows.length === 0 ? 'no live processes' : `${rows.length} processes`}`);
  if (rows.length > 0) io.out(renderTree(rows, Date.now()).join('\n'));
  if (options.reportPath !== undefined) {
    const context = { host: os.hostname(), checkedAt: Date.now(), ...cliContext(baseline) };
    const explanations = explainFindings([...detection.findings, ...detection.unattributed], table, context);
    writeJsonReport(options.reportPath, buildReport({ baseline, detection, termination: undefined, explanations, options: { ...options, kill: false }, context, table }));
  }
  return EXIT.ok;
}

async function psAll(io: Io, json: string | undefined): Promise<number> {
  const table = await readDetails(await readTable(), (p) => p.pid !== process.pid);
  const tree = buildTree(table.processes);
  const sessionOf = (p: ProcessInfo): string | undefined => (p.env?.readable ? p.env.vars[SESSION_VAR] : undefined) || undefined;
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
  const listing: Array<{ session: string; processes: Array<{ pid: number; ppid: number; pgid: number; state: string; command: string[] }> }> = [];
  for (const [session, pids] of [...bySession].sort(([a], [b]) => a.localeCompare(b))) {
    const rows = [...pids].map((pid) => tree.byPid.get(pid)).filter((p): p is ProcessInfo => p !== undefined)
      .map((p) => ({ process: p, note: sessionOf(p) === undefined ? 'descendant' : '' }));
    io.out(`${SESSION_VAR}=${session}: ${rows.length} processes`);
    io.out(renderTree(rows, Date.now()).join('\n'));
    listing.push({ session, processes: rows.map(({ process: p }) => ({ pid: p.pid, ppid: p.ppid, pgid: p.pgid, state: p.state, command: [...p.argv] })) });
  }
  if (json !== undefined) fs.writeFileSync(json, `${JSON.stringify({ tool: 'strays', sessions: listing }, null, 2)}\n`);
  return EXIT.ok;
}
