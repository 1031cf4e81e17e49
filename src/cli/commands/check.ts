/** `strays check --state FILE`: the end of a job started with `strays start`. */
import { GUARD_OPTIONS, flag } from '../args.js';
import { type Command, optionsOnly, required } from '../command.js';
import { EXIT } from '../exit.js';
import { guardOptionsFrom } from '../guard.js';
import { finishAndReport, loadState, reportViewFrom } from '../job.js';
import { removeState } from '../run-state.js';

export const check: Command = {
  name: 'check',
  summary: 'find what the job left running since `strays start`, report it, end it',
  synopsis: 'strays check --state FILE [options]',
  description:
    'Detects every process the job started since `strays start --state FILE` that is still alive,\nreports it, and ends it (SIGTERM, then SIGKILL after --grace) unless --no-kill.',
  options: {
    state: { type: 'string', value: 'FILE', help: 'the baseline written by `strays start` (required)' },
    'remove-state': { type: 'boolean', help: 'delete the state file after the check (the job is over)' },
    ...GUARD_OPTIONS,
  },
  async run(argv, io) {
    const values = optionsOnly(check, argv, io);
    if (values === undefined) return EXIT.ok;
    const file = required(check, values, 'state', 'the file `strays start --state FILE` wrote');
    const options = guardOptionsFrom('check', values);
    const baseline = loadState('check', file);
    const status = await finishAndReport(io, baseline, options, reportViewFrom('check', values));
    if (flag(values, 'remove-state')) removeState(file);
    return status;
  },
};
