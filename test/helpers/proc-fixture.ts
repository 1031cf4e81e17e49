/**
 * Turns a recorded /proc table (scripts/record-proc-fixture.mjs) back into a
 * directory tree the real Linux reader can read, so pure tests exercise the
 * same parsing code as production.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RecordedProcess {
  readonly stat: string;
  readonly cmdline: string;
  readonly environ: string | null;
  readonly cgroup: string;
  readonly cwd: string | null;
  readonly uid: number;
}

export interface RecordedTable {
  readonly uptime: string;
  readonly btime: string;
  readonly processes: Readonly<Record<string, RecordedProcess>>;
}

export function loadRecording<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'proc', name), 'utf8')) as T;
}

/** Writes the table under a fresh temp dir and returns it (caller removes it). */
export function materialize(table: RecordedTable): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-proc-'));
  fs.writeFileSync(path.join(root, 'uptime'), table.uptime);
  fs.writeFileSync(path.join(root, 'stat'), `cpu  0 0 0 0\n${table.btime}\n`);
  for (const [pid, p] of Object.entries(table.processes)) {
    const dir = path.join(root, pid);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'stat'), p.stat, 'latin1');
    fs.writeFileSync(path.join(dir, 'cmdline'), p.cmdline, 'latin1');
    fs.writeFileSync(path.join(dir, 'cgroup'), p.cgroup);
    if (p.environ !== null) fs.writeFileSync(path.join(dir, 'environ'), p.environ, 'latin1');
    if (p.cwd !== null) fs.symlinkSync(p.cwd, path.join(dir, 'cwd'));
    // The reader takes the owner from the directory, as /proc/PID is owned by the process's uid.
    if (process.getuid?.() === 0) fs.chownSync(dir, p.uid, p.uid);
  }
  return root;
}
