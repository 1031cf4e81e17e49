/**
 * Which boot of the machine this is. proc(5): /proc/sys/kernel/random/boot_id
 * is "a random UUID generated once per boot". After a reboot mid-job (one of
 * the ways a post step never runs) pids and start ticks start again from zero,
 * so an old owner identity could by chance match a new process; a changed boot
 * id says the owner is gone without that risk.
 */
import fs from 'node:fs';

export function readBootId(procRoot = '/proc'): string | undefined {
  try {
    const id = fs.readFileSync(`${procRoot}/sys/kernel/random/boot_id`, 'utf8').trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined; // not Linux, or hidden: fall back to pid + start alone
  }
}
