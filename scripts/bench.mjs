#!/usr/bin/env node
// `npm run bench`: bundles bench/run.ts with esbuild into .bench/ (Node 20 cannot
// run TypeScript) and runs it inside a private PID namespace when the kernel
// allows (`unshare --pid --fork --mount-proc`, as scripts/test.mjs does), so
// the process table holds exactly what the bench creates, and bash as the
// namespace's PID 1 reaps every orphan. Arguments are passed on
// (`npm run bench -- --runs 3 --sizes 100,1000 --leaks 300 --fresh-dist`). esbuild does not type-check:
// type errors are tsc's job (`npx tsc --noEmit -p .`); a half-written file elsewhere must not stop a measurement.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ENTRIES, buildEntry } from './build.mjs';
import { inPidNamespace } from './pid-namespace.mjs';

const args = process.argv.slice(2);
const env = { ...process.env };
// The in-process post steps read the host state: a folder of the bench's own, not this machine's leftovers.
if (!env.STRAYS_STATE_DIR) env.STRAYS_STATE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-bench-state-'));

fs.rmSync('.bench', { recursive: true, force: true });
await esbuild.build({
  entryPoints: ['bench/run.ts'],
  outfile: '.bench/index.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
});
// The marker keeps it an ES module wherever .bench/ is read from.
fs.writeFileSync('.bench/package.json', '{ "type": "module" }\n');

// --fresh-dist: measure action bundles built now from src/ (in .bench/dist), exactly as `npm run build` builds them,
// instead of the committed dist/.
if (args.includes('--fresh-dist')) {
  for (const stage of ['pre', 'post']) await buildEntry(ENTRIES[stage], `.bench/dist/${stage}`);
}
// The @actions/core floor (bench/core-floor.ts), bundled exactly as the action's entries are.
await buildEntry('bench/core-floor.ts', '.bench/core-floor');

let command = ['node', '.bench/index.js', ...args];
if (env.STRAYS_BENCH_NAMESPACE !== 'off') {
  const inside = inPidNamespace(command);
  if (inside) {
    command = inside.argv;
    env.STRAYS_BENCH_NAMESPACE = inside.name;
  } else if (process.platform === 'linux') {
    console.warn("strays bench: unshare --pid is not permitted here; the table also holds the host's processes.");
    env.STRAYS_BENCH_NAMESPACE = 'none';
  }
}
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env });
if (env.STRAYS_STATE_DIR !== process.env.STRAYS_STATE_DIR)
  fs.rmSync(env.STRAYS_STATE_DIR, { recursive: true, force: true });
process.exit(result.status ?? 1);
