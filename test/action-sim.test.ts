/** The job simulator itself: it must behave like the runner where strays can tell. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFileCommands, parseWorkflowCommands } from './sim/files.mjs';
import { SimJob, inputVar } from './sim/job.mjs';
import { readLinuxTable } from '../src/proc/linux.js';
import { Leakers } from './helpers/leakers.js';

const jobs: SimJob[] = [];
const leakers = new Leakers();
afterEach(async () => {
  await leakers.cleanup();
  for (const j of jobs.splice(0)) j.dispose();
});

describe('file commands, parsed as actions/runner SetEnvFileCommand does', () => {
  it('reads NAME=value and NAME<<DELIM heredocs, skipping empty lines; later wins', () => {
    const text = 'A=1\n\nB=x=y\nC<<EOF\nline 1\nline 2\nEOF\nD<<ghadelimiter_1\n\nghadelimiter_1\nA=2\nE=a<<b\n';
    expect(parseFileCommands(text)).toEqual({ A: '2', B: 'x=y', C: 'line 1\nline 2', D: '', E: 'a<<b' });
  });

  it('rejects what the runner rejects', () => {
    expect(() => parseFileCommands('=x\n')).toThrow(/name must not be empty/);
    expect(() => parseFileCommands('X<<EOF\nno end\n')).toThrow(/Matching delimiter not found 'EOF'/);
    expect(() => parseFileCommands('just text\n')).toThrow(/Invalid format/);
  });

  it('reads annotations from workflow commands, undoing @actions/core escapes', () => {
    expect(parseWorkflowCommands('x\n::error title=a%3A b%2C c::m%0An%25\n::warning::w\n')).toEqual([
      { level: 'error', title: 'a: b, c', message: 'm\nn%' },
      { level: 'warning', title: undefined, message: 'w' },
    ]);
  });

  it('names inputs as the runner does: upper case, spaces to _, dashes kept', () => {
    expect(inputVar('fail-on-leak')).toBe('INPUT_FAIL-ON-LEAK');
    expect(inputVar('my input')).toBe('INPUT_MY_INPUT');
  });
});

describe('SimJob', () => {
  it('runs steps in its own process group, passes GITHUB_ENV on, names steps, sets one tracking id', async () => {
    const job = new SimJob();
    jobs.push(job);
    const first = await job.run(
      'echo "X=1" >> "$GITHUB_ENV"\necho "M<<E" >> "$GITHUB_ENV"\necho two >> "$GITHUB_ENV"\necho E >> "$GITHUB_ENV"\necho "o=v" >> "$GITHUB_OUTPUT"\necho "# hi" >> "$GITHUB_STEP_SUMMARY"\nps -o pgid= -p $$',
    );
    expect(first.name).toBe('__run');
    expect(first.outputs).toEqual({ o: 'v' });
    expect(first.summary).toBe('# hi\n');
    const ownGroup = readLinuxTable().processes.find((p) => p.pid === process.pid)?.pgid;
    expect(Number(first.stdout.trim().split('\n').pop())).toBe(ownGroup);
    const second = await job.run('echo "$X|$M|$GITHUB_ACTION|$RUNNER_TRACKING_ID"');
    expect(second.stdout.trim()).toBe(`1|two|__run_2|${job.trackingId}`);
    expect((await job.run('echo "$GITHUB_ACTION"', { id: 'tests' })).stdout.trim()).toBe('tests');
  });

  it('ends a step when its process exits, even if a background child holds stdout', async () => {
    const job = new SimJob();
    jobs.push(job);
    const file = `${job.root}/bg.pid`;
    const step = await job.run(`sleep 30 &\necho $! > ${file}`);
    leakers.track(Number(fs.readFileSync(file, 'utf8'))); // ended in afterEach, by pid
    expect(step.code).toBe(0);
  });

  it('fails a step with a non-zero exit, as bash -e does', async () => {
    const job = new SimJob();
    jobs.push(job);
    expect((await job.run('false\necho not reached')).code).toBe(1);
    expect(job.failed).toBe(true);
  });
});
