#!/usr/bin/env node
/**
 * The strays CLI entry point, bundled to dist/cli/index.js. The only place
 * in strays that calls process.exit.
 */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
    // Exit now: a leaked handle (a stdin read, a timer) must not keep a finished job waiting.
    process.exit(status);
  },
  (error: unknown) => {
    process.stderr.write(`strays: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
