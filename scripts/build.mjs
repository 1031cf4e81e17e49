#!/usr/bin/env node
// Builds one ncc bundle per entry point into dist/<entry>/index.js: users run exactly these.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export const ENTRIES = {
  pre: 'src/action/pre.ts',
  main: 'src/action/main.ts',
  post: 'src/action/post.ts',
  cli: 'src/cli/index.ts',
};

for (const [name, entry] of Object.entries(ENTRIES)) {
  if (!fs.existsSync(entry)) {
    console.log(`build: skipping ${name} (${entry} does not exist yet)`);
    continue;
  }
  fs.rmSync(`dist/${name}`, { recursive: true, force: true });
  execFileSync('node_modules/.bin/ncc', ['build', entry, '-o', `dist/${name}`, '--license', 'licenses.txt', '--quiet'], { stdio: 'inherit' });
}
