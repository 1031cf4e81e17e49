/**
 * How the bench starts every process it times: which Node, and with which
 * environment.
 *
 * Variables that change how Node itself starts are left out, as a runner
 * step's environment has none of them. NODE_EXTRA_CA_CERTS is the one that
 * mattered: on the machines this bench was written on it names the system CA
 * bundle, which Node 20 parses at every start (~35 ms, node -e 0 went from
 * 26 to 60 ms), in the yardstick as much as in the bundles, so every ratio
 * looked nearer 1 than a runner would see it. NODE_OPTIONS may preload code,
 * and NODE_COMPILE_CACHE (Node 22+) would start the bundles from a warm cache.
 *
 * --node runs the timed processes with another Node: action.yml's runtime
 * (`using: node24`) rather than the one running the bench.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { messageOf } from '../src/text/error-message.js';

export interface Runtime {
  /** The Node binary for every timed process. */
  readonly node: string;
  /** Its `process.version`. */
  readonly version: string;
  /** The variables of the bench's own environment left out of every timed process's. */
  readonly removed: readonly string[];
}

/** Whatever changes Node's own start-up: its options, certificates, caches, coverage, preloads. */
const STARTS_NODE = /^NODE_/;

/** The Node to time with (--node PATH; default the bench's own), checked by running it once. */
export function runtime(node: string = process.execPath): Runtime {
  if (!fs.existsSync(node)) throw new Error(`--node "${node}": no such file; expected the path of a node binary`);
  let version: string;
  try {
    version = execFileSync(node, ['-p', 'process.version'], { env: timedEnv(process.env), encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(`--node "${node}": cannot run it (${messageOf(error).split('\n')[0]})`);
  }
  return {
    node,
    version,
    removed: Object.keys(process.env)
      .filter((k) => STARTS_NODE.test(k))
      .sort(),
  };
}

/** `env` without what changes how Node starts: the environment of every timed process. */
export function timedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !STARTS_NODE.test(k)));
}
