/**
 * The few cgroupfs operations strays needs, with errors that say what was
 * attempted, where, and what the kernel answered (cgroup-v2.rst, "Core
 * Interface Files"). Everything here is synchronous and tiny: one write moves
 * a whole process (all its threads) between cgroups.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCgroupV2 } from '../proc/index.js';
import type { Cgroup2Mount } from './mount.js';

export class CgroupError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CgroupError';
  }
}

/** The errno name of a failed system call (`ENOENT` …). */
export const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Why an errno matters here, in words (cgroup-v2.rst "Migration and Delegation"/"No Internal Process Constraint"). */
export function explain(code: string | undefined): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (needs root, sudo, or a delegated subtree that contains both cgroups)';
    case 'EROFS':
      return 'the cgroup filesystem is mounted read-only (a container without cgroup write access)';
    case 'EBUSY':
      return 'refused by the "no internal processes" rule: the target has controllers enabled for its children';
    case 'EOPNOTSUPP':
      return 'the target is a threaded or otherwise unsupported cgroup';
    case 'ENOENT':
      return 'no such cgroup';
    case 'ENOTDIR':
      return 'not a cgroup directory';
    case 'ESRCH':
      return 'no such process';
    default:
      return code ?? 'unknown error';
  }
}

/** strerror(3) texts (C locale, glibc and musl alike) as the phase scripts print them → the errno. */
const ERRNO_OF_TEXT: Readonly<Record<string, string>> = {
  'Permission denied': 'EACCES',
  'Operation not permitted': 'EPERM',
  'Read-only file system': 'EROFS',
  'Device or resource busy': 'EBUSY',
  'Operation not supported': 'EOPNOTSUPP',
  'Not supported': 'EOPNOTSUPP',
  'No such file or directory': 'ENOENT',
  'Not a directory': 'ENOTDIR',
  'No such process': 'ESRCH',
  'File exists': 'EEXIST',
};

/** A strerror(3) text (the scripts), or an errno name as the in-process phases print it (./direct.ts) → the errno. */
export function codeOfText(text: string): string | undefined {
  const trimmed = text.trim();
  return ERRNO_OF_TEXT[trimmed] ?? (/^E[A-Z0-9]+$/.test(trimmed) ? trimmed : undefined);
}

/** `mountPoint` + a path relative to the mount; the path must stay inside the mount. */
export function dirOf(mountPoint: string, relative: string): string {
  const dir = path.join(mountPoint, relative);
  if (dir !== mountPoint && !dir.startsWith(`${mountPoint.replace(/\/$/, '')}/`)) {
    throw new CgroupError(`cgroup path "${relative}" leaves the mount ${mountPoint}.`);
  }
  return dir;
}

/**
 * A hierarchy path as /proc/PID/cgroup shows it → the same cgroup relative to
 * the mount; `undefined` when the mount does not show it (a subtree mount, or
 * a path outside our cgroup namespace, shown as "/../…" per cgroup_namespaces(7)).
 */
export function relativeToMount(mount: Cgroup2Mount, hierarchyPath: string): string | undefined {
  if (hierarchyPath.startsWith('/..')) return undefined;
  if (mount.root === '/') return hierarchyPath;
  if (hierarchyPath === mount.root) return '/';
  return hierarchyPath.startsWith(`${mount.root}/`) ? hierarchyPath.slice(mount.root.length) : undefined;
}

/** The inverse: a path relative to the mount → the hierarchy path /proc/PID/cgroup shows. */
export const hierarchyPathOf = (mountRoot: string | undefined, relative: string): string =>
  !mountRoot || mountRoot === '/' ? relative : relative === '/' ? mountRoot : `${mountRoot}${relative}`;

/** The cgroup v2 path of a process (as /proc/PID/cgroup shows it); `undefined` when it is gone. */
export function cgroupOfPid(pid: number, procRoot = '/proc'): string | undefined {
  try {
    return parseCgroupV2(fs.readFileSync(`${procRoot}/${pid}/cgroup`, 'utf8'));
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ESRCH') return undefined;
    throw error;
  }
}

/**
 * Pids listed in one cgroup's cgroup.procs. Processes outside our PID
 * namespace are listed as 0 (pid_nr_ns has no number for them): dropped.
 */
export function readProcs(dir: string): number[] {
  const text = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8');
  return text
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number)
    .filter((pid) => pid > 0);
}

/** Writes a control file (cgroup.freeze …) with a clear error. */
export function writeControl(dir: string, name: string, value: string): void {
  const file = path.join(dir, name);
  try {
    fs.writeFileSync(file, value);
  } catch (error) {
    const code = codeOf(error);
    throw new CgroupError(`Cannot write "${value.trim()}" to ${file}: ${explain(code)}.`, code);
  }
}

/** Key-value lines of a flat-keyed file such as cgroup.events ("populated 1\nfrozen 0"). */
export function readKeyed(dir: string, name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) {
    const [key, value] = line.split(' ');
    if (key && value !== undefined) out.set(key, value);
  }
  return out;
}

/**
 * cgroup.events `populated` (cgroup-v2.rst): whether any process is in the cgroup or below it; undefined
 * when the file has no such line. Throws when it cannot be read: what that means is the caller's.
 */
export function readPopulated(dir: string): boolean | undefined {
  const value = readKeyed(dir, 'cgroup.events').get('populated');
  return value === '1' ? true : value === '0' ? false : undefined;
}

/** Sub-cgroups of `dir`, depth first, deepest last (so reversing gives a safe rmdir order). */
export function subCgroups(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const sub = path.join(d, entry.name);
      out.push(sub);
      walk(sub);
    }
  };
  walk(dir);
  return out;
}
