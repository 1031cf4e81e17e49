/**
 * Where the cgroup v2 (unified) hierarchy is mounted, from /proc/self/mountinfo.
 *
 * Never assume /sys/fs/cgroup: hybrid hosts (systemd "hybrid" mode, older
 * distributions, these CI machines) mount cgroup2 at /sys/fs/cgroup/unified
 * and cgroup v1 controllers beside it; containers may mount only a subtree.
 * Format: proc(5) "/proc/[pid]/mountinfo".
 */
import fs from 'node:fs';

export interface Cgroup2Mount {
  /** Mount point, e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified. */
  readonly mountPoint: string;
  /** The hierarchy path shown at the mount point (field 4): "/" unless a subtree is bind-mounted. */
  readonly root: string;
  /** Mounted read-only (per-mount or superblock "ro"): nothing can be created or moved. */
  readonly readOnly: boolean;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
const unescapeOctal = (field: string): string =>
  field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** Parses one mountinfo line; `undefined` when it is not a cgroup2 mount (or not a mountinfo line). */
export function parseCgroup2Line(line: string): Cgroup2Mount | undefined {
  const fields = line.trim().split(' ');
  // Optional fields (shared:N, master:N …) sit between field 6 and the "-" separator.
  const dash = fields.indexOf('-', 6);
  if (dash < 0 || fields[dash + 1] !== 'cgroup2') return undefined;
  const root = fields[3];
  const mountPoint = fields[4];
  if (root === undefined || mountPoint === undefined) return undefined;
  const options = [...(fields[5] ?? '').split(','), ...(fields[dash + 3] ?? '').split(',')];
  return { mountPoint: unescapeOctal(mountPoint), root: unescapeOctal(root), readOnly: options.includes('ro') };
}

/**
 * The cgroup2 mount to use: the first whose root is "/" (the whole hierarchy
 * as this cgroup namespace sees it), else the first at all.
 */
export function findCgroup2Mount(mountinfo: string): Cgroup2Mount | undefined {
  const mounts = mountinfo
    .split('\n')
    .map(parseCgroup2Line)
    .filter((m): m is Cgroup2Mount => m !== undefined);
  return mounts.find((m) => m.root === '/') ?? mounts[0];
}

/** Reads this process's mountinfo; `undefined` when cgroup2 is not mounted (or /proc is unreadable). */
export function readCgroup2Mount(mountinfoPath = '/proc/self/mountinfo'): Cgroup2Mount | undefined {
  let text: string;
  try {
    text = fs.readFileSync(mountinfoPath, 'utf8');
  } catch {
    return undefined;
  }
  return findCgroup2Mount(text);
}
