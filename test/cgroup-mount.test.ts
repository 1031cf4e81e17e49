import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  asMount,
  cgroupName,
  cgroupRule,
  findCgroup2Mount,
  hierarchyPathOf,
  inJobCgroup,
  parseCgroup2Line,
  readCgroup2Mount,
  relativeToMount,
  resolveIsolation,
} from '../src/cgroup/index.js';
import type { JobCgroupRecord } from '../src/engine/baseline.js';
import type { ProcessInfo } from '../src/proc/types.js';

// Recorded mountinfo lines (proc(5)): a pure-v2 systemd host, a hybrid host (this CI machine and
// systemd "hybrid" mode), a Docker container with a read-only cgroupfs, and a v1-only host.
const PURE_V2 = [
  '22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw',
  '35 22 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot',
].join('\n');
const HYBRID_THIS_HOST = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const HYBRID_SYSTEMD =
  '30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate';
const DOCKER_RO = '1190 1180 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate';
const SUBTREE =
  '612 600 0:27 /docker/4f1c /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime master:9 - cgroup2 cgroup2 rw';
const V1_ONLY = [
  '25 20 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755',
  '26 25 0:23 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,memory',
].join('\n');

describe('finding the cgroup2 mount', () => {
  it('reads pure v2, hybrid, read-only, subtree and v1-only tables', () => {
    expect(findCgroup2Mount(PURE_V2)).toEqual({ mountPoint: '/sys/fs/cgroup', root: '/', readOnly: false });
    expect(findCgroup2Mount(HYBRID_THIS_HOST)).toEqual({
      mountPoint: '/sys/fs/cgroup/unified',
      root: '/',
      readOnly: false,
    });
    expect(findCgroup2Mount(HYBRID_SYSTEMD)?.mountPoint).toBe('/sys/fs/cgroup/unified');
    expect(findCgroup2Mount(DOCKER_RO)).toEqual({ mountPoint: '/sys/fs/cgroup', root: '/', readOnly: true });
    expect(findCgroup2Mount(SUBTREE)).toEqual({ mountPoint: '/sys/fs/cgroup', root: '/docker/4f1c', readOnly: false });
    expect(findCgroup2Mount(V1_ONLY)).toBeUndefined();
    expect(findCgroup2Mount('')).toBeUndefined();
  });

  it('unescapes octal escapes and prefers the whole hierarchy over a subtree', () => {
    expect(parseCgroup2Line('50 1 0:38 / /mnt/cg\\040two rw - cgroup2 none rw')?.mountPoint).toBe('/mnt/cg two');
    expect(findCgroup2Mount(`${SUBTREE}\n${HYBRID_SYSTEMD}`)?.root).toBe('/');
  });

  it('finds the mount of this machine from its own mountinfo', () => {
    const text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    const lines = text.split('\n').filter((l) => / - cgroup2 /.test(l));
    const found = readCgroup2Mount();
    if (lines.length === 0) return expect(found).toBeUndefined();
    expect(found).toBeDefined();
    expect(lines.some((l) => l.split(' ')[4] === found?.mountPoint)).toBe(true);
    expect(fs.statfsSync(found!.mountPoint).type).toBe(0x63677270); // CGROUP2_SUPER_MAGIC
    expect(fs.existsSync(`${found!.mountPoint}/cgroup.procs`)).toBe(true);
  });
});

describe('cgroup paths', () => {
  const sub = findCgroup2Mount(SUBTREE)!;
  it('maps /proc/PID/cgroup paths to mount-relative paths and back', () => {
    expect(relativeToMount(asMount('/sys/fs/cgroup/unified')!, '/a/b')).toBe('/a/b');
    expect(relativeToMount(sub, '/docker/4f1c/job')).toBe('/job');
    expect(relativeToMount(sub, '/docker/4f1c')).toBe('/');
    expect(relativeToMount(sub, '/docker/other')).toBeUndefined();
    expect(relativeToMount(asMount('/x')!, '/../../outside')).toBeUndefined();
    expect(hierarchyPathOf('/docker/4f1c', '/job')).toBe('/docker/4f1c/job');
    expect(hierarchyPathOf(undefined, '/job')).toBe('/job');
  });

  it('names the cgroup after the session and refuses paths', () => {
    expect(cgroupName('strays-00000000000000ff')).toBe('strays-00000000000000ff');
    expect(cgroupName('abc')).toBe('strays-abc');
    expect(() => cgroupName('../etc')).toThrow(/cannot name a cgroup/);
    expect(() => cgroupName('a/b')).toThrow(/cannot name a cgroup/);
  });
});

describe('the cgroup membership rule', () => {
  const record: JobCgroupRecord = {
    mount: '/sys/fs/cgroup',
    mountRoot: '/docker/4f1c',
    path: '/runner/strays-1',
    origin: '/runner',
    moved: [],
  };
  const proc = (pid: number, cgroup: string | undefined): ProcessInfo => ({
    pid,
    ppid: 1,
    pgid: pid,
    sid: pid,
    state: 'S',
    uid: 0,
    start: 1,
    startedAt: undefined,
    comm: 'sleep',
    argv: ['sleep'],
    cgroup,
  });
  it('matches the job cgroup and its sub-cgroups, not a sibling with a common prefix', () => {
    const rule = cgroupRule(record, { members: new Set([7]) });
    expect(rule.attribution).toBe('cgroup');
    expect(rule.test(proc(1, '/docker/4f1c/runner/strays-1'))).toBe(
      "lives in the job's cgroup /docker/4f1c/runner/strays-1",
    );
    expect(rule.test(proc(2, '/docker/4f1c/runner/strays-1/nested'))).toMatch(
      /in \/docker\/4f1c\/runner\/strays-1\/nested/,
    );
    expect(rule.test(proc(3, '/docker/4f1c/runner/strays-10'))).toBeUndefined();
    expect(rule.test(proc(4, '/docker/4f1c/runner'))).toBeUndefined();
    expect(rule.test(proc(7, undefined))).toMatch(/lives in the job's cgroup/);
    expect(rule.test(proc(8, undefined))).toBeUndefined();
    expect(inJobCgroup(record, undefined)).toBe(false);
  });
});

describe('resolving the isolation', () => {
  const usable = { usable: true as const, mount: asMount('/sys/fs/cgroup/unified')!, origin: '/' };
  const refused = { usable: false as const, reason: 'cgroup v2 is not mounted' };
  it('uses cgroup where permitted, else marker with a reason; marker is always honoured', () => {
    expect(resolveIsolation('auto', usable).used).toBe('cgroup');
    expect(resolveIsolation('cgroup', usable).used).toBe('cgroup');
    expect(resolveIsolation('marker', usable)).toEqual({
      used: 'marker',
      reason: expect.stringMatching(/as requested/),
    });
    expect(resolveIsolation('auto', refused)).toEqual({
      used: 'marker',
      reason: 'isolation: marker (auto): cgroups not usable here: cgroup v2 is not mounted.',
    });
    expect(resolveIsolation('cgroup', refused).reason).toMatch(
      /cgroup was requested but is not possible here \(cgroup v2 is not mounted\); falling back to marker/,
    );
  });
});
