/**
 * The checker's pipeline partners: processes at the other end of a pipe that
 * is the checker's stdin, stdout or stderr. In `strays check | tee log`, tee
 * is a process of the job started after the baseline; ending it would cut the
 * check's own output (and the shell then reports the pipeline as killed).
 *
 * The other END, not merely the same pipe: a leak started with `sleep 300 &`
 * in the same script writes to the same stdout pipe as a later `strays check`
 * and must stay a finding. So the access mode of each descriptor is read from
 * /proc/PID/fdinfo/N (proc(5): "flags: the file access mode and status
 * flags", octal; O_ACCMODE is the low two bits): the checker writes its
 * stdout/stderr, so a partner holds that pipe readable; the checker reads its
 * stdin, so a partner holds that pipe writable. Links are `pipe:[inode]`.
 */
import fs from 'node:fs';

type Access = 'read' | 'write' | 'both';

interface StdPipe {
  readonly fd: 0 | 1 | 2;
  readonly inode: string;
}

const PIPE = /^pipe:\[(\d+)\]$/;
const FD_NAMES = ['stdin', 'stdout', 'stderr'] as const;

function pipeInode(procRoot: string, pid: number, fd: string): string | undefined {
  try {
    return PIPE.exec(fs.readlinkSync(`${procRoot}/${pid}/fd/${fd}`))?.[1];
  } catch {
    return undefined; // closed, gone, or not ours to read: no proof of a partner
  }
}

function accessOf(procRoot: string, pid: number, fd: string): Access | undefined {
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(fs.readFileSync(`${procRoot}/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
    if (flags === undefined) return undefined;
    const mode = Number.parseInt(flags, 8) & 3;
    return mode === 0 ? 'read' : mode === 1 ? 'write' : 'both';
  } catch {
    return undefined;
  }
}

/** The checker's stdio descriptors that are pipes. */
export function stdPipes(checker: number, procRoot = '/proc'): StdPipe[] {
  const out: StdPipe[] = [];
  for (const fd of [0, 1, 2] as const) {
    const inode = pipeInode(procRoot, checker, String(fd));
    if (inode !== undefined) out.push({ fd, inode });
  }
  return out;
}

/**
 * Among `candidates`, the processes holding the other end of one of the
 * checker's stdio pipes: pid → reason ("is the checker's pipeline partner:
 * reads its stdout (pipe:[123])"). Linux only; empty elsewhere or when the
 * checker's stdio holds no pipe.
 */
export function pipelinePartners(
  checker: number,
  candidates: Iterable<number>,
  procRoot = '/proc',
): Map<number, string> {
  const out = new Map<number, string>();
  const mine = stdPipes(checker, procRoot);
  if (mine.length === 0) return out;
  const byInode = new Map<string, StdPipe>();
  for (const p of mine) if (!byInode.has(p.inode)) byInode.set(p.inode, p); // `2>&1`: name it by the lower fd
  for (const pid of candidates) {
    if (pid === checker) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`${procRoot}/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const inode = pipeInode(procRoot, pid, fd);
      const ours = inode === undefined ? undefined : byInode.get(inode);
      if (!ours) continue;
      const access = accessOf(procRoot, pid, fd);
      // The checker reads fd 0, so the other end writes; it writes fds 1 and 2, so the other end reads.
      const otherEnd = ours.fd === 0 ? access === 'write' || access === 'both' : access === 'read' || access === 'both';
      if (!otherEnd) continue;
      const verb = ours.fd === 0 ? 'writes to' : 'reads';
      out.set(pid, `is the checker's pipeline partner: ${verb} its ${FD_NAMES[ours.fd]} (pipe:[${ours.inode}])`);
      break;
    }
  }
  return out;
}
