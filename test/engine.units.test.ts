import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllowlist, allowedBy, parseAllowEntry } from '../src/engine/allowlist.js';
import { snapshotFrom } from '../src/engine/baseline.js';
import { loadBaseline, saveBaseline, serializeBaseline } from '../src/engine/baseline-file.js';
import { parseDuration } from '../src/config/duration.js';
import { parseGuardOptions } from '../src/config/options.js';
import { parseStatBytes } from '../src/proc/stat.js';
import { readLinuxTable } from '../src/proc/linux.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-units-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('baseline file', () => {
  it('never hangs on a FIFO or a device, and checks a digest kept elsewhere', () => {
    const fifo = path.join(dir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    expect(() => loadBaseline(fifo)).toThrow(/not a regular file|cannot be read/);
    expect(() => loadBaseline('/dev/zero')).toThrow(/cannot be read/);
    const f = path.join(dir, 'signed.json');
    const digest = saveBaseline(f, snapshotFrom({ table: readLinuxTable() }));
    expect(loadBaseline(f, { sha256: digest }).session).toMatch(/^strays-/);
    fs.appendFileSync(f, ' ');
    expect(() => loadBaseline(f, { sha256: digest })).toThrow(/was changed after job start/);
  });

  const baseline = snapshotFrom({ table: readLinuxTable() });
  const file = path.join(dir, 'baseline.json');

  it('round-trips, atomically and private', () => {
    saveBaseline(file, baseline);
    expect(loadBaseline(file)).toEqual({ ...baseline, owner: undefined, cgroup: undefined });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(baseline.ancestors.map((a) => a.pid)).toContain(process.ppid);
  });

  it.each([
    ['missing', null, /does not exist/],
    ['truncated', serializeBaseline(baseline).slice(0, 50), /not valid JSON \(truncated/],
    ['not ours', '{"hello":1}', /not a strays baseline/],
    [
      'another version',
      serializeBaseline(baseline).replace('"version":1', '"version":7'),
      /has version 7; this strays reads version 1/,
    ],
    [
      'malformed fields',
      JSON.stringify({ kind: 'strays-baseline', version: 1, session: 3 }),
      /malformed fields: session, reader/,
    ],
    ['null ancestor', serializeBaseline({ ...baseline, ancestors: [null as never] }), /malformed fields: ancestors/],
    [
      'string argv',
      serializeBaseline({ ...baseline, ancestors: [{ pid: 1, start: 1, comm: 'x', argv: 'sh' as never }] }),
      /malformed fields: ancestors/,
    ],
    [
      'root cgroup',
      serializeBaseline({ ...baseline, cgroup: { mount: '/sys/fs/cgroup', path: '/', origin: '/', moved: [] } }),
      /malformed fields: cgroup/,
    ],
    [
      'foreign cgroup',
      serializeBaseline({
        ...baseline,
        cgroup: { mount: '/sys/fs/cgroup', path: '/system.slice', origin: '/', moved: [] },
      }),
      /malformed fields: cgroup/,
    ],
    ['zero start', serializeBaseline({ ...baseline, start: 0 }), /malformed fields: start/],
    ['empty processes', serializeBaseline({ ...baseline, processes: [] }), /malformed fields: processes/],
    [
      'string pid',
      serializeBaseline({ ...baseline, processes: [{ pid: '1' as never, start: 1 }] }),
      /malformed fields: processes/,
    ],
    ['start before its snapshotter', serializeBaseline({ ...baseline, start: 1 }), /inconsistent/],
  ])('refuses a %s file, naming it', (_name, text, message) => {
    const f = path.join(dir, `bad-${_name}.json`);
    if (text !== null) fs.writeFileSync(f, text);
    expect(() => loadBaseline(f)).toThrow(message);
    expect(() => loadBaseline(f)).toThrow(f);
  });
});

describe('allowlist', () => {
  const proc = (comm: string, argv: string[]) => ({
    pid: 1,
    ppid: 0,
    pgid: 1,
    sid: 1,
    state: 'S',
    uid: 0,
    start: 1,
    startedAt: 1,
    comm,
    argv,
  });
  it('matches globs on the whole command line, and name: on comm or argv[0] basename', () => {
    const list = parseAllowlist(['sleep 60*\nname:postgres*', 'name:git-daemon']);
    expect(allowedBy(list, proc('sleep', ['sleep', '600']))?.source).toBe('sleep 60*');
    expect(allowedBy(list, proc('sleep', ['sleep', '1']))).toBeUndefined();
    expect(allowedBy(list, proc('postgres', ['/usr/lib/postgresql/bin/postgres', '-D', 'x']))?.source).toBe(
      'name:postgres*',
    );
    expect(allowedBy(list, proc('git-daemon', ['/usr/lib/git-core/git-daemon', '--detach']))?.source).toBe(
      'name:git-daemon',
    );
    expect(allowedBy(parseAllowlist(['a[bc]d ?']), proc('x', ['acd', 'z']))).toBeDefined();
    expect(allowedBy(parseAllowlist(['(x)|y']), proc('x', ['(x)|y']))).toBeDefined();
  });
  it.each([
    ['name:', /glob is empty/],
    ['foo [bar', /"\[" at position 5 is never closed/],
  ])('rejects %j, naming it', (entry, message) => {
    expect(() => parseAllowEntry(entry)).toThrow(message);
    expect(() => parseAllowEntry(entry)).toThrow(`"${entry}"`);
  });
});

describe('durations and options', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1m', 60000],
    ['5', 5000],
    ['0.5', 500],
    [' 2h ', 7200000],
  ])('parses %j', (v, ms) => {
    expect(parseDuration(v)).toBe(ms);
  });
  it.each(['5 sec', '-1s', 'soon', '1e3'])('rejects %j naming value and forms', (v) => {
    expect(() => parseDuration(v, 'grace-period')).toThrow(`Invalid grace-period "${v}": expected "500ms", "5s", "1m"`);
  });
  const names = {
    kill: 'kill',
    failOnLeak: 'fail-on-leak',
    grace: 'grace-period',
    allow: 'allow',
    isolation: 'isolation',
    unattributed: 'unattributed',
  };
  it('builds a frozen config with defaults', () => {
    const o = parseGuardOptions({}, names);
    expect(o).toMatchObject({
      kill: true,
      failOnLeak: false,
      graceMs: 5000,
      allow: [],
      isolation: 'auto',
      unattributed: 'report',
    });
    expect(Object.isFrozen(o)).toBe(true);
  });
  it('names the input, value and accepted forms on bad values', () => {
    expect(() => parseGuardOptions({ kill: 'yes' }, names)).toThrow('Invalid kill "yes": expected true or false.');
    expect(() => parseGuardOptions({ isolation: 'docker' }, names)).toThrow(
      'Invalid isolation "docker": expected one of auto, marker, cgroup.',
    );
    expect(() => parseGuardOptions({ allow: ['name:'] }, names)).toThrow(/Invalid allow: Invalid allow entry "name:"/);
  });
});

describe('stat parser', () => {
  const parseStat = (text: string) => parseStatBytes(Buffer.from(text), Buffer.byteLength(text));
  it('splits at the last ")" so names may contain ") "', () => {
    const s = parseStat('42 (a) b) c) S 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0');
    expect(s).toMatchObject({ pid: 42, comm: 'a) b) c', state: 'S', ppid: 1, pgid: 42, sid: 42, startTicks: 777 });
  });
  it('returns undefined for garbage', () => {
    expect(parseStat('nonsense')).toBeUndefined();
  });
});

describe('never-touch without a table', () => {
  it('agrees with never-touch on a real table: PID 1, the live lineage, and recorded processes only while their start matches', async () => {
    const { neverTouchLineage, neverTouchPids } = await import('../src/engine/never-touch.js');
    const { buildTree } = await import('../src/engine/tree.js');
    const { linuxLineage, readStat } = await import('../src/proc/linux.js');
    const table = readLinuxTable();
    const me = table.processes.find((p) => p.pid === process.pid);
    expect(me).toBeDefined();
    const parent = table.processes.find((p) => p.pid === process.ppid);
    // The parent as recorded (same start) and a recorded pid whose start no longer matches (reused).
    const recorded = [
      { pid: process.ppid, start: parent?.start ?? -1 },
      { pid: process.pid, start: (me?.start ?? 0) + 1 },
    ];
    const startOf = (pid: number) => readStat(pid)?.startTicks;
    const cheap = neverTouchLineage(linuxLineage(process.pid), recorded, startOf);
    const full = neverTouchPids({ tree: buildTree(table.processes), checker: process.pid, recorded });
    expect([...cheap].sort((a, b) => a - b)).toEqual([...full].sort((a, b) => a - b));
    expect(cheap.has(1)).toBe(true);
  });
});
