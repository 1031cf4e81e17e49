#!/usr/bin/env node
// `npm run bench`: bundles bench/run.ts with ncc into .bench/ (Node 20 cannot
// run TypeScript) and runs it inside a private PID namespace when the kernel
// allows (`unshare --pid --fork --mount-proc`, as scripts/test.mjs does), so
// the process table holds exactly what the bench creates, and bash as the
// namespace's PID 1 reaps every orphan. Arguments are passed on
// (`npm run bench -- --runs 3 --sizes 100,1000 --leaks 300 --fresh-dist`). --transpile-only: type errors
// are tsc's job (`npx tsc --noEmit -p .`); a half-written file elsewhere must not stop a measurement.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const args = process.argv.slice(2);
const env = { ...process.env };

fs.rmSync('.bench', { recursive: true, force: true });
const build = spawnSync('node_modules/.bin/ncc', ['build', 'bench/run.ts', '-o', '.bench', '--quiet', '--transpile-only'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// ncc emits an ES module for a "type": "module" package; the marker keeps it one wherever .bench/ is read from.
fs.writeFileSync('.bench/package.json', '{ "type": "module" }\n');

// --fresh-dist: measure action bundles built now from src/ (in .bench/dist) instead of the committed dist/.
if (args.includes('--fresh-dist')) {
  for (const stage of ['pre', 'post']) {
    const built = spawnSync('node_modules/.bin/ncc', ['build', `src/action/${stage}.ts`, '-o', `.bench/dist/${stage}`, '--quiet'], { stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
}

let command = ['node', '.bench/index.js', ...args];
if (process.platform === 'linux' && env.STRAYS_BENCH_NAMESPACE !== 'off') {
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
  if (probe.status === 0) {
    // bash -c '…; exit $?' keeps bash as PID 1 (no exec of the last command), so it waits and reaps.
    command = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', 'bash', '-c', '"$@"; exit $?', 'bash', ...command];
    env.STRAYS_BENCH_NAMESPACE = 'pid';
  } else {
    console.warn('strays bench: unshare --pid is not permitted here; the table also holds the host\'s processes.');
    env.STRAYS_BENCH_NAMESPACE = 'none';
  }
}
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env });
process.exit(result.status ?? 1);
