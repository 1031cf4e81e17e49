/**
 * Which boot of the machine this is. proc(5): /proc/sys/kernel/random/boot_id
 * is "a random UUID generated once per boot". After a reboot mid-job (one of
 * the ways a post step never runs) pids and start ticks start again from zero,
 * so an old owner identity could by chance match a new process; a changed boot
 * id says the owner is gone without that risk.
 */
import fs from 'node:fs';
import { procShowsOwnPidNamespace } from '../proc/index.js';

/**
 * Which PID namespace this process sees pids in ("pid:[4026531836]",
 * namespaces(7)). A record's owner pid means something only there: a job
 * recorded inside a container or `unshare --pid` that shares the state folder
 * with the host names pids the host gives to other processes. The pids strays
 * reads come from the /proc mount: only where that shows this process's own
 * namespace is the answer the namespace of those pids; elsewhere undefined.
 */
export function readPidNamespace(procRoot = '/proc'): string | undefined {
  try {
    return procShowsOwnPidNamespace(procRoot) ? fs.readlinkSync(`${procRoot}/self/ns/pid`) : undefined;
  } catch {
    return undefined; // not Linux, or hidden: fall back to pid + start alone
  }
}

export function readBootId(procRoot = '/proc'): string | undefined {
  try {
    const id = fs.readFileSync(`${procRoot}/sys/kernel/random/boot_id`, 'utf8').trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined; // not Linux, or hidden: fall back to pid + start alone
  }
}
