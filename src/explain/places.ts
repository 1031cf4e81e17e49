/**
 * Where a path lies relative to the job: its workspace or the runner's temp
 * directory. Files held open there are what make `rm -rf` of the workspace
 * and unmounts of job volumes fail with EBUSY on the next job.
 */
import path from 'node:path';

export type Place = 'workspace' | 'runner-temp';

export interface Places {
  readonly workspace?: string | undefined;
  readonly runnerTemp?: string | undefined;
}

const inside = (root: string | undefined, p: string): boolean => {
  if (!root) return false;
  const r = path.resolve(root);
  return p === r || p.startsWith(r.endsWith('/') ? r : `${r}/`);
};

/** The place `p` lies in; the workspace wins when RUNNER_TEMP is inside it (or the reverse, the deeper one). */
export function placeOf(p: string, places: Places): Place | undefined {
  const inWorkspace = inside(places.workspace, p);
  const inTemp = inside(places.runnerTemp, p);
  if (inWorkspace && inTemp)
    return (places.runnerTemp?.length ?? 0) > (places.workspace?.length ?? 0) ? 'runner-temp' : 'workspace';
  return inWorkspace ? 'workspace' : inTemp ? 'runner-temp' : undefined;
}

/** `workspace/repo`, `runner-temp/cache.db`, or the absolute path outside both. */
export function shortPath(p: string, places: Places): string {
  const place = placeOf(p, places);
  const root = place === 'workspace' ? places.workspace : place === 'runner-temp' ? places.runnerTemp : undefined;
  if (!place || !root) return p;
  const rest = path.relative(path.resolve(root), p);
  return rest === '' ? place : `${place}/${rest}`;
}
