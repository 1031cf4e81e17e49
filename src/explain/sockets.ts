/**
 * The machine's listening sockets by inode, read once per check: four files
 * for every finding together, not four per process.
 *
 * /proc/net/* is per network namespace (network_namespaces(7)); reading it
 * from the checker's namespace finds the job's sockets as long as the job
 * shares it, which is the case for runner steps (containers excepted).
 */
import { attempt, readProcFile } from '../proc/index.js';
import { type NetFile, type NetSocket, parseNetTable } from './net-table.js';

const FILES: readonly NetFile[] = ['tcp', 'tcp6', 'udp', 'udp6'];

export function readListeners(procRoot = '/proc'): Map<number, NetSocket> {
  const out = new Map<number, NetSocket>();
  for (const file of FILES) {
    // A kernel without IPv6 has no tcp6/udp6: nothing listens there.
    const text = attempt(() => readProcFile(`${procRoot}/net/${file}`));
    if (!text.ok) continue;
    for (const s of parseNetTable(text.value, file)) if (s.listening) out.set(s.inode, s);
  }
  return out;
}
