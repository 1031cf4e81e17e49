#!/usr/bin/env node
// dist/ must be exactly what the sources build: the action's users run dist/{pre,main,post}
// as committed, and the npm package ships dist/cli. Rebuilds, then fails on any difference,
// untracked bundles included (README "Development"; .ci/run, the workflow and prepublishOnly run it).
import { execFileSync, spawnSync } from 'node:child_process';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const changed = spawnSync('git', ['diff', '--exit-code', '--stat', '--', 'dist/'], { encoding: 'utf8' });
const untracked = spawnSync('git', ['status', '--porcelain', '--', 'dist/'], { encoding: 'utf8' });
if (changed.status !== 0 || untracked.stdout.trim() !== '') {
  console.error("dist/ differs from what 'npm run build' produces; rebuild and commit it:");
  console.error(untracked.stdout + changed.stdout);
  process.exit(1);
}
console.log('dist/ matches the sources.');
