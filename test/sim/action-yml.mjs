/**
 * action.yml as the runner reads it, for the simulator and the defaults test:
 * each input's default and the runs: section, parsed by a YAML parser (so a
 * folded description or a quoted default reads as the runner reads it).
 */
import fs from 'node:fs';
import { parse } from 'yaml';

export function readActionYml(file) {
  const doc = parse(fs.readFileSync(file, 'utf8'));
  const inputs = {};
  for (const [name, spec] of Object.entries(doc?.inputs ?? {})) {
    inputs[name] = { default: spec?.default === undefined ? undefined : String(spec.default) };
  }
  const runs = doc?.runs ?? {};
  for (const k of ['using', 'main']) if (!runs[k]) throw new Error(`${file}: runs.${k} not found`);
  return { inputs, runs };
}
