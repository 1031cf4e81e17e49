/**
 * What a test needs from the machine, and the one place that says why a test
 * did not run.
 *
 * Each probe returns `undefined` when the machine has what is needed, else a
 * one-line reason. `describeIf`/`itIf` skip with that reason recorded in the
 * test's meta (`skipReason`), and test/helpers/skip-summary.ts prints every
 * reason and its count at the end of the run, so a green run that skipped half
 * the suite says so. Probes never install anything: `npm test` runs
 * scripts/setup-test.mjs first, which installs what is missing where it runs
 * as root and prints the command elsewhere.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'vitest';
import { probeCgroup } from '../../src/cgroup/index.js';
import { mountNamespaceRefusal } from '../sim/hosted-user.mjs';

declare module 'vitest' {
  interface TaskMeta {
    /** Why this test (or its describe) was skipped; read by test/helpers/skip-summary.ts. */
    skipReason?: string;
  }
}

type Missing = string | undefined;

/** `describe`, skipped with `missing` as its reason when that is defined (hooks inside do not run then). */
export function describeIf(missing: Missing, name: string, body: () => void): void {
  describe(name, { skip: missing !== undefined, meta: missing === undefined ? {} : { skipReason: missing } }, body);
}

/** `it`, skipped with `missing` as its reason when that is defined. */
export function itIf(missing: Missing, name: string, body: () => Promise<void> | void, timeout?: number): void {
  it(
    name,
    {
      skip: missing !== undefined,
      meta: missing === undefined ? {} : { skipReason: missing },
      ...(timeout ? { timeout } : {}),
    },
    body,
  );
}

/** The first reason of several, or undefined when nothing is missing. */
export const firstMissing = (...reasons: Missing[]): Missing => reasons.find((r) => r !== undefined);

/** Root: only root can start processes as uid 65534 (spawn's uid option is setuid(2)) or write any cgroup. */
export const needsRoot = (what: string): Missing =>
  process.getuid?.() === 0 ? undefined : `needs root (${what}); this run is uid ${process.getuid?.()}`;

/**
 * Root, and a node binary that uid 65534 can run: tests start the engine as that user with
 * process.execPath, which may live under a private home (nvm in /root, mode 0700).
 */
export function needsRootAndSharedNode(what: string): Missing {
  const root = needsRoot(what);
  if (root !== undefined) return root;
  for (let p = process.execPath; ; p = path.dirname(p)) {
    const mode = fs.statSync(p).mode;
    if ((mode & 0o001) === 0)
      return `needs ${process.execPath} to be executable by other users (${p} is mode ${(mode & 0o777).toString(8)})`;
    if (p === path.dirname(p)) return undefined;
  }
}

/** A command on PATH, with the Debian package that brings it. */
export function needsCommand(command: string, debianPackage: string): Missing {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;
  return found ? undefined : `needs ${command} (Debian package ${debianPackage})`;
}

/**
 * cgroup v2 writable by this process itself. The engine's own probe also
 * counts a privilege helper (sudo -n) that is merely installed as usable;
 * tests that mkdir under the cgroup tree need the direct write, so the helper
 * is ruled out here (`prefix: false`).
 */
export function needsWritableCgroup(): Missing {
  const probe = probeCgroup({ pid: process.pid, privilege: { prefix: false } });
  return probe.usable ? undefined : `needs a writable cgroup v2 (${probe.reason})`;
}

/** The IPv6 loopback: containers often run with IPv6 disabled, and then ::1 cannot be bound (EADDRNOTAVAIL). */
export function needsIPv6Loopback(): Promise<Missing> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(`needs the IPv6 loopback ::1 (binding it failed: ${error.code ?? error.message})`),
    );
    server.listen(0, '::1', () => server.close(() => resolve(undefined)));
  });
}

/** A private mount namespace (`unshare --mount`): a container's root may lack CAP_SYS_ADMIN for it. */
export function needsMountNamespace(): Missing {
  const refused = mountNamespaceRefusal();
  return refused === undefined ? undefined : `needs a private mount namespace (unshare --mount: ${refused})`;
}
