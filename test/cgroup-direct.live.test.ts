/**
 * The cgroup phases in this process (src/cgroup/direct.ts) against the
 * scripts they stand in for (src/cgroup/scripts.ts, run without sudo): the
 * same arguments give the same answers and leave the same cgroups, on real
 * cgroups with real processes. Errno texts are compared as errno names
 * (codeOfText), the one difference the parser allows.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cgroupOfPid, codeOfText, readCgroup2Mount } from '../src/cgroup/index.js';
import { closeHere, moveHere, openHere } from '../src/cgroup/direct.js';
import { CLOSE, linesOf, MOVE_OUT, OPEN } from '../src/cgroup/scripts.js';
import { runHelper } from '../src/privilege/helper.js';
import { hex16, moveProcess, removeMade } from './helpers/cgroup.js';
import { Leakers } from './helpers/leakers.js';
import { describeIf, needsWritableCgroup } from './helpers/requires.js';

type Phase = (args: readonly string[]) => Promise<string[]>;
const viaScript =
  (script: string): Phase =>
  async (args) => {
    const run = await runHelper([], script, args);
    if (!run.ok) throw new Error(run.reason);
    return linesOf(run);
  };
const WAYS = [
  { way: 'script', open: viaScript(OPEN), move: viaScript(MOVE_OUT), close: viaScript(CLOSE) },
  { way: 'in process', open: openHere, move: moveHere, close: closeHere },
] as const;

/** "mkdir-failed File exists" and "mkdir-failed EEXIST" alike → "mkdir-failed EEXIST". */
const errnoNames = (lines: readonly string[]): string[] =>
  lines.map((line) => {
    const m = /^((?:failed \d+)|mkdir-failed|move-failed|thaw-failed|remove-failed) (.*)$/.exec(line);
    return m ? `${m[1]} ${codeOfText(m[2] as string) ?? m[2]}` : line;
  });

const made: string[] = [];
let leakers: Leakers;
let parent: string;
let origin: string;

/** A fresh cgroup under the test's parent (removed after the test if still there). */
const cgroup = (name: string): string => {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir);
  made.push(dir);
  return dir;
};
const sleeper = (): number => {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  leakers.track(child.pid as number);
  return child.pid as number;
};
/** A pid that existed and is gone (reaped). */
const gonePid = (): number => Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
const hierarchyPath = (dir: string): string => dir.slice(readCgroup2Mount()!.mountPoint.replace(/\/$/, '').length);

beforeEach(() => {
  leakers = new Leakers();
  const mount = readCgroup2Mount()!;
  parent = path.join(mount.mountPoint, `strays-direct-test-${hex16()}`);
  fs.mkdirSync(parent);
  made.push(parent);
  origin = cgroup('origin');
});
afterEach(async () => {
  // Everything the test moved goes home first, so the cgroups can be removed.
  const home = path.join(readCgroup2Mount()!.mountPoint, cgroupOfPid(process.pid) ?? '/');
  for (const dir of [...made].reverse()) {
    if (!fs.existsSync(dir)) continue;
    fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '0');
    for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean))
      moveProcess(home, Number(pid));
  }
  await leakers.cleanup();
  removeMade(made);
});

describeIf(needsWritableCgroup(), 'cgroup phases in this process answer as the scripts do', () => {
  for (const { way, open, move, close } of WAYS) {
    it(`open (${way}): prunes a stale job cgroup with its sub-cgroup, makes the job cgroup, moves the pid`, async () => {
      const stale = cgroup(`strays-${hex16()}`);
      cgroup(`${path.basename(stale)}/step-made`);
      const job = path.join(parent, `strays-${hex16()}`);
      made.push(job);
      const pid = sleeper();
      const lines = await open(['', String(pid), '1', stale, job]);
      expect(lines).toEqual([`pruned ${stale}`, `try ${job}`, 'opened']);
      expect(fs.existsSync(stale)).toBe(false);
      expect(cgroupOfPid(pid)).toBe(hierarchyPath(job));
    });

    it(`open (${way}): an existing job cgroup stops at mkdir; a gone pid leaves no cgroup behind`, async () => {
      const taken = cgroup(`strays-${hex16()}`);
      expect(errnoNames(await open(['', String(sleeper()), '0', taken]))).toEqual([
        `try ${taken}`,
        'mkdir-failed EEXIST',
      ]);
      const job = path.join(parent, `strays-${hex16()}`);
      made.push(job);
      expect(await open(['', String(gonePid()), '0', job])).toEqual([`try ${job}`, 'gone']);
      expect(fs.existsSync(job)).toBe(false);
    });

    it(`move (${way}): moves the living, says nothing of the gone`, async () => {
      const job = cgroup(`strays-${hex16()}`);
      const pid = sleeper();
      moveProcess(job, pid);
      expect(await move([origin, String(pid), String(gonePid())])).toEqual([`moved ${pid}`]);
      expect(cgroupOfPid(pid)).toBe(hierarchyPath(origin));
    });

    it(`close (${way}): thaws, moves back, removes; or says busy and leaves a cgroup that holds a process`, async () => {
      const job = cgroup(`strays-${hex16()}`);
      const back = sleeper();
      moveProcess(job, back);
      fs.writeFileSync(path.join(job, 'cgroup.freeze'), '1');
      expect(await close([job, origin, '0', String(back)])).toEqual([`moved ${back}`]);
      expect(fs.existsSync(job)).toBe(false);
      expect(cgroupOfPid(back)).toBe(hierarchyPath(origin));

      const busy = cgroup(`strays-${hex16()}`);
      const stays = sleeper();
      moveProcess(busy, stays);
      expect(await close([busy, origin, '1'])).toEqual(['busy']);
      expect(cgroupOfPid(stays)).toBe(hierarchyPath(busy));
    });
  }
});
