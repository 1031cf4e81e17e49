/**
 * Choosing the isolation for a job: `cgroup` where the host allows it, else
 * `marker` (environment + lineage). Never fail the job for it: an impossible
 * `cgroup` falls back to `marker` with one clear log line (README "Isolation:
 * environment marker or per-job cgroup").
 */
import fs from 'node:fs';
import type { Isolation } from '../config/options.js';
import type { JobCgroupRecord } from '../engine/index.js';
import { helperName, helperUnavailable } from '../privilege/helper.js';
import { CgroupError, codeOf, dirOf, explain } from './files.js';
import { locateOrigin, openJobCgroup } from './lifecycle.js';
import type { Cgroup2Mount } from './mount.js';
import { type CgroupPrivilege, type CgroupVia, helperPrefix, isPermissionError } from './phases.js';

/** statfs(2) f_type of cgroup2 (linux/magic.h CGROUP2_SUPER_MAGIC). */
const CGROUP2_SUPER_MAGIC = 0x63677270;

export type CgroupProbe =
  | {
      readonly usable: true;
      readonly mount: Cgroup2Mount;
      readonly origin: string;
      /** `sudo`: direct writes are refused, the job cgroup will be made through the helper named `helper`. */
      readonly via?: CgroupVia;
      readonly helper?: string;
    }
  | { readonly usable: false; readonly reason: string };

export interface ProbeOptions {
  /** The process that would be moved (its cgroup is where the job cgroup goes). */
  readonly pid: number;
  /** The cgroup2 mount or its mount point; default: from /proc/self/mountinfo. */
  readonly mount?: Cgroup2Mount | string;
  /** Where direct writes are refused: the privileged helper (default `sudo -n` when not root). */
  readonly privilege?: CgroupPrivilege;
}

/**
 * Can a job cgroup be made for `pid`? Reads only; creates nothing, and does not
 * run the helper (that is one call per phase): a helper that is installed is
 * assumed to work, and a refusal at job start is a fallback like any other.
 */
export function probeCgroup(options: ProbeOptions): CgroupProbe {
  const no = (reason: string): CgroupProbe => ({ usable: false, reason });
  if (process.platform !== 'linux') return no(`cgroups are Linux-only (this is ${process.platform})`);
  const located = locateOrigin(options.pid, options.mount);
  if ('reason' in located) return no(located.reason);
  const { mount, origin } = located;
  if (mount.readOnly) return no(`the cgroup2 mount ${mount.mountPoint} is read-only`);
  try {
    if (fs.statfsSync(mount.mountPoint).type !== CGROUP2_SUPER_MAGIC)
      return no(`${mount.mountPoint} is not a cgroup2 filesystem`);
  } catch (error) {
    return no(`${mount.mountPoint}: ${explain(codeOf(error))}`);
  }
  const dir = dirOf(mount.mountPoint, origin);
  const helper = helperPrefix(options.privilege);
  const viaHelper = (): CgroupProbe | undefined => {
    if (helper === false) return undefined;
    const missing = helperUnavailable(helper);
    return missing === undefined ? { usable: true, mount, origin, via: 'sudo', helper: helperName(helper) } : undefined;
  };
  if (options.privilege?.mode === 'always' && helper !== false)
    return viaHelper() ?? no(`${helperUnavailable(helper)}`);
  for (const target of [dir, `${dir}/cgroup.procs`]) {
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (error) {
      const code = codeOf(error);
      const refused = `cannot write ${target}: ${explain(code)}`;
      if (!isPermissionError(code) || helper === false) return no(refused);
      return viaHelper() ?? no(`${refused}, and ${helperUnavailable(helper)}`);
    }
  }
  return { usable: true, mount, origin, via: 'direct' };
}

export interface IsolationChoice {
  readonly used: 'marker' | 'cgroup';
  /** One log line saying what is used and why. */
  readonly reason: string;
}

/** Pure: the requested isolation and what the host allows → what is used. */
export function resolveIsolation(requested: Isolation, probe: CgroupProbe): IsolationChoice {
  if (requested === 'marker')
    return { used: 'marker', reason: 'isolation: marker (as requested): environment marker and lineage only.' };
  if (probe.usable) {
    const via = probe.via === 'sudo' ? ` via ${probe.helper ?? 'sudo -n'}` : '';
    return {
      used: 'cgroup',
      reason: `isolation: cgroup (${requested === 'auto' ? 'auto' : 'as requested'}): a job cgroup under ${probe.mount.mountPoint}${probe.origin}${via}.`,
    };
  }
  return requested === 'auto'
    ? { used: 'marker', reason: `isolation: marker (auto): cgroups not usable here: ${probe.reason}.` }
    : {
        used: 'marker',
        reason: `isolation: cgroup was requested but is not possible here (${probe.reason}); falling back to marker.`,
      };
}

export interface StartIsolationOptions extends ProbeOptions {
  readonly requested: Isolation;
  readonly session: string;
}

export interface StartedIsolation extends IsolationChoice {
  /** Set when `used` is cgroup: store it in the baseline (`cgroup`). */
  readonly record?: JobCgroupRecord;
}

/**
 * Probe, choose, and create the job cgroup when chosen. A failure to create it
 * (a race, a refusal the probe could not foresee) is a fallback, not an error.
 */
export async function startIsolation(options: StartIsolationOptions): Promise<StartedIsolation> {
  const probe: CgroupProbe =
    options.requested === 'marker' ? { usable: false, reason: 'not probed' } : probeCgroup(options);
  const choice = resolveIsolation(options.requested, probe);
  if (choice.used === 'marker') return choice;
  // The probe saw direct writes refused: go to the helper at once rather than fail the same write again.
  const privilege: CgroupPrivilege | undefined =
    probe.usable && probe.via === 'sudo' ? { ...options.privilege, mode: 'always' } : options.privilege;
  try {
    const record = await openJobCgroup({
      session: options.session,
      movePid: options.pid,
      // The probe's: /proc/self/mountinfo is read once per job start.
      mount: probe.usable ? probe.mount : options.mount,
      privilege,
    });
    const helper = helperPrefix(privilege);
    const via = record.via === 'sudo' && helper !== false ? ` (via ${helperName(helper)})` : '';
    return {
      used: 'cgroup',
      reason: `isolation: cgroup (${options.requested}): job cgroup ${dirOf(record.mount, record.path)}${via}.`,
      record,
    };
  } catch (error) {
    if (!(error instanceof CgroupError)) throw error;
    return {
      used: 'marker',
      reason: `isolation: ${options.requested === 'auto' ? 'marker (auto)' : 'cgroup was requested but failed'}: ${error.message} Falling back to marker.`,
    };
  }
}
