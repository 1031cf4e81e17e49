import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../src/engine/index.js';
import { parseAllowlist } from '../src/engine/allowlist.js';
import { SESSION_VAR } from '../src/engine/session.js';
import fs from 'node:fs';
import { Leakers, waitFor } from './helpers/leakers.js';
import { startTestJob } from './helpers/job.js';

let leakers: Leakers;
afterEach(async () => leakers.cleanup());

describe('detection against live processes', () => {
  it('finds a setsid daemon carrying the marker, and not one from before the job', async () => {
    leakers = new Leakers();
    const before = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' &`);
    const job = startTestJob();
    const leak = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 301' &`, { env: job.env });
    const { detection } = await check(job.baseline);
    const pids = detection.findings.map((f) => f.process.pid);
    expect(pids).toContain(leak);
    expect(pids).not.toContain(before);
    const finding = detection.findings.find((f) => f.process.pid === leak);
    expect(finding?.attribution).toBe('marker');
    expect(finding?.process.sid).toBe(leak);
  });

  it('spares another job, the allowlist, and the checker with its ancestors', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const other = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 302' &`, {
      env: { ...job.env, [SESSION_VAR]: 'strays-00000000000000ff' },
    });
    const allowed = await leakers.daemon(`sh -c 'echo $$ > "$PIDFILE"; exec sleep 303' &`, { env: job.env });
    // Another job's session proves nothing by itself; the host state says it is a live job's.
    const { detection } = await check(job.baseline, {
      allow: parseAllowlist(['sleep 303']),
      otherSessions: ['strays-00000000000000ff'],
    });
    const pids = detection.findings.map((f) => f.process.pid);
    expect(pids).not.toContain(other);
    expect(pids).not.toContain(allowed);
    expect(pids).not.toContain(process.pid);
    expect(pids).not.toContain(process.ppid);
    expect(detection.spared.find((s) => s.process.pid === other)?.reason).toMatch(/of another live job/);
    expect(detection.spared.find((s) => s.process.pid === allowed)?.reason).toMatch(/allowed by "sleep 303"/);
  });

  it('finds an env -i child by lineage while its parent lives', async () => {
    leakers = new Leakers();
    const job = startTestJob();
    const childFile = leakers.file('child');
    const parent = await leakers.daemon(
      `sh -c 'echo $$ > "$PIDFILE"; env -i sh -c "echo \\$\\$ > ${childFile}; exec sleep 304" & wait' &`,
      { env: job.env },
    );
    const childPid = await waitFor(
      () => Number(fs.existsSync(childFile) && fs.readFileSync(childFile, 'utf8')) || undefined,
      'child pid',
    );
    leakers.track(childPid);
    const { detection } = await check(job.baseline);
    const child = detection.findings.find((f) => f.process.pid === childPid);
    expect(child?.attribution).toBe('lineage');
    expect(child?.reasons[0]).toMatch(new RegExp(`descends from pid ${parent}`));
  });
});
