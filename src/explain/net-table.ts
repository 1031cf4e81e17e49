/**
 * The machine's listening sockets, from /proc/net/{tcp,tcp6,udp,udp6} (proc(5),
 * "/proc/net/tcp"): read once per check for every finding together. The files
 * are per network namespace (network_namespaces(7)): the checker's finds the
 * job's sockets as long as the job shares it (runner steps; not containers).
 *
 * Each row: `sl local_address rem_address st ... uid timeout inode ...`.
 * Addresses are `HEX:PORT`. The port is big-endian hex, but the address is the
 * kernel's in-memory `__be32`/`in6_addr` printed as host-order 32-bit words
 * (net/ipv4/tcp_ipv4.c `%08X`, net/ipv6/tcp_ipv6.c `%08X%08X%08X%08X`): on a
 * little-endian machine every 4-byte group comes out byte-reversed, so
 * 127.0.0.1 reads `0100007F` and ::1 reads `00000000000000000000000001000000`.
 */
import os from 'node:os';
import { attempt, readProcFile } from '../proc/index.js';

export type NetFile = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface NetSocket {
  readonly proto: 'tcp' | 'udp';
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** include/net/tcp_states.h: 0x0A TCP_LISTEN, 0x07 TCP_CLOSE (an unconnected, bound UDP socket). */
  readonly state: number;
  readonly uid: number;
  readonly inode: number;
  /** TCP in LISTEN, or UDP bound and not connected (nothing else serves a port). */
  readonly listening: boolean;
}

const TCP_LISTEN = 0x0a;
const TCP_CLOSE = 0x07;

/** Byte order of this machine; a parameter so recorded fixtures stay portable. */
export type Endianness = 'LE' | 'BE';

export function parseNetTable(text: string, file: NetFile, endianness: Endianness = os.endianness()): NetSocket[] {
  const proto = file.startsWith('tcp') ? 'tcp' : 'udp';
  const family = file.endsWith('6') ? 6 : 4;
  const out: NetSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // f[0] "sl:", f[1] local, f[2] remote, f[3] st, f[7] uid, f[9] inode; the header row fails the pattern.
    if (f.length < 10 || !/^\d+:$/.test(f[0] ?? '')) continue;
    const local = parseEndpoint(f[1] ?? '', endianness);
    const remote = parseEndpoint(f[2] ?? '', endianness);
    const state = Number.parseInt(f[3] ?? '', 16);
    const inode = Number(f[9]);
    if (!local || !remote || !Number.isFinite(state) || !Number.isInteger(inode)) continue;
    out.push({
      proto,
      family,
      address: local.address,
      port: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      state,
      uid: Number(f[7]),
      inode,
      listening: proto === 'tcp' ? state === TCP_LISTEN : state === TCP_CLOSE && remote.port === 0,
    });
  }
  return out;
}

export function parseEndpoint(
  text: string,
  endianness: Endianness = os.endianness(),
): { address: string; port: number } | undefined {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!m) return undefined;
  const hex = m[1] as string;
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const group = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(word + i, word + i + 2), 16));
    bytes.push(...(endianness === 'LE' ? group.reverse() : group));
  }
  return {
    address: bytes.length === 4 ? bytes.join('.') : formatIPv6(bytes),
    port: Number.parseInt(m[2] as string, 16),
  };
}

/** RFC 5952 text form: lower case, longest run (≥2) of zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
export function formatIPv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${bytes.slice(12).join('.')}`;
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** `127.0.0.1:9419`, `[::1]:9420`: how reports show an endpoint. */
export const formatEndpoint = (s: Pick<NetSocket, 'family' | 'address' | 'port'>): string =>
  s.family === 6 ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;

const FILES: readonly NetFile[] = ['tcp', 'tcp6', 'udp', 'udp6'];

/** Listening sockets by inode. */
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
