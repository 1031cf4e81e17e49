/** Parent/child relations of a process table. */
import type { ProcessInfo } from '../proc/index.js';

export interface Tree {
  readonly byPid: ReadonlyMap<number, ProcessInfo>;
  readonly children: ReadonlyMap<number, readonly number[]>;
}

export function buildTree(processes: readonly ProcessInfo[]): Tree {
  const byPid = new Map<number, ProcessInfo>();
  const children = new Map<number, number[]>();
  for (const p of processes) byPid.set(p.pid, p);
  for (const p of processes) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  return { byPid, children };
}

/** Pids of the ancestors of `pid`, parent first, as far as the table knows them. Cycle-safe. */
export function ancestorsOf(tree: Tree, pid: number): number[] {
  const chain: number[] = [];
  const seen = new Set<number>([pid]);
  let current = tree.byPid.get(pid);
  while (current && current.ppid > 0 && !seen.has(current.ppid)) {
    chain.push(current.ppid);
    seen.add(current.ppid);
    current = tree.byPid.get(current.ppid);
  }
  return chain;
}

/** All descendants of `pid` in the table (breadth first). */
export function descendantsOf(tree: Tree, pid: number): number[] {
  const out: number[] = [];
  const queue = [...(tree.children.get(pid) ?? [])];
  const seen = new Set<number>([pid]);
  while (queue.length > 0) {
    const next = queue.shift() as number;
    if (seen.has(next)) continue;
    seen.add(next);
    out.push(next);
    queue.push(...(tree.children.get(next) ?? []));
  }
  return out;
}
