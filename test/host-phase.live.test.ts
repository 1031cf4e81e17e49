/** The end of a job asks the host state which other jobs run, reading only their owners, not the table. */
import fs from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { newSessionId } from '../src/engine/session.js';
import { activeOtherSessions } from '../src/job/host-phase.js';
import { readTable, STAT_ONLY } from '../src/proc/index.js';
import type { ProcessTable } from '../src/proc/types.js';
import { Leakers } from './helpers/leakers.js';
import { registeredJob, tempStateDir } from './helpers/sweep-jobs.js';

let dir: string | undefined;
let leakers: Leakers | undefined;
afterEach(async () => {
  await leakers?.cleanup();
  leakers = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('reads the owners of the other recorded jobs, nothing else, and keeps the jobs whose owner runs', async () => {
  leakers = new Leakers();
  dir = tempStateDir();
  const live = await registeredJob(leakers, dir);
  const over = await registeredJob(leakers, dir);
  await over.end();
  const asked: number[][] = [];
  const readOwners = async (pids: readonly number[]): Promise<ProcessTable> => {
    asked.push([...pids]);
    return readTable(undefined, { ...STAT_ONLY, pids });
  };
  const others = await activeOtherSessions(newSessionId(), readOwners, dir);
  expect(others.sessions).toEqual([live.session]);
  expect(asked.map((pids) => [...pids].sort((a, b) => a - b))).toEqual([
    [live.owner.pid, over.owner.pid].sort((a, b) => a - b),
  ]);
  // The table of the owners alone: the live one, with the start the record holds.
  const table = await readTable(undefined, { ...STAT_ONLY, pids: [live.owner.pid, over.owner.pid] });
  expect(table.processes.map((p) => [p.pid, p.start])).toEqual([[live.owner.pid, live.owner.start]]);
});

it('reads nothing when no other job is recorded', async () => {
  dir = tempStateDir();
  const own = newSessionId();
  const others = await activeOtherSessions(
    own,
    () => {
      throw new Error('read the process table');
    },
    dir,
  );
  expect(others.sessions).toEqual([]);
});
