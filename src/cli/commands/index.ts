/** The commands of the CLI, in the order `strays --help` lists them. Add a command: one file, one line here. */
import type { Command } from '../command.js';
import { check } from './check.js';
import { hooks } from './hooks.js';
import { ps } from './ps.js';
import { run } from './run.js';
import { start } from './start.js';
import { sweepCommand } from './sweep.js';

export const COMMANDS: readonly Command[] = [run, start, check, ps, hooks, sweepCommand];
