/**
 * A process's open files, from the links in /proc/PID/fd (proc(5)).
 *
 * Bounded: a leaked server can hold tens of thousands of fds, so at most `cap`
 * links are read per process and the result says when it stopped early.
 * Reading another user's fd directory needs ptrace access (EACCES as a plain
 * user): that is reported as "unreadable", never thrown.
 */
import fs from 'node:fs';
import { attempt } from '../proc/index.js';

export const DEFAULT_FD_CAP = 256;

export type FdScan =
  | {
      readonly status: 'read';
      /** Inodes of `socket:[N]` links. */
      readonly sockets: readonly number[];
      /** Absolute paths of regular files and directories (not pipes, sockets, anon inodes). */
      readonly paths: readonly string[];
      /** Number of fds the process has; `read` of them were looked at. */
      readonly total: number;
      readonly read: number;
      readonly capped: boolean;
    }
  | { readonly status: 'unreadable' | 'gone'; readonly reason: string };

const SOCKET = /^socket:\[(\d+)\]$/;

export function scanFds(pid: number, cap = DEFAULT_FD_CAP, procRoot = '/proc'): FdScan {
  const dir = `${procRoot}/${pid}/fd`;
  const listing = attempt(() => fs.readdirSync(dir));
  if (!listing.ok) return { status: listing.gone ? 'gone' : 'unreadable', reason: listing.reason };
  const names = listing.value;
  // Numeric order, so a capped scan reads the low fds (where servers open their listeners first).
  names.sort((a, b) => Number(a) - Number(b));
  const take = names.slice(0, cap);
  const links: string[] = [];
  for (const name of take) {
    try {
      links.push(fs.readlinkSync(`${dir}/${name}`));
    } catch {
      // closed while we looked, or denied for this one link
    }
  }
  return scanOfLinks(links, names.length, take.length);
}

/** The scan of links read elsewhere (e.g. through the privileged helper, src/terminate/privileged-signal.ts). */
export function scanOfLinks(links: readonly string[], total: number, read = links.length): FdScan {
  const sockets: number[] = [];
  const paths: string[] = [];
  for (const target of links) {
    const socket = SOCKET.exec(target);
    if (socket) sockets.push(Number(socket[1]));
    else if (target.startsWith('/'))
      paths.push(target.endsWith(' (deleted)') ? target.slice(0, -' (deleted)'.length) : target);
  }
  return { status: 'read', sockets, paths, total, read, capped: total > read };
}
