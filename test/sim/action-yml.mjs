/**
 * Just enough of action.yml for the simulator: each input's default and the
 * runs: section. Not a YAML parser; it reads the shape this repository's
 * action.yml has (two-space indents, one `key: value` per line), and fails
 * loudly on anything it does not understand rather than guessing.
 */
import fs from 'node:fs';

export function readActionYml(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const inputs = {};
  const runs = {};
  let section;
  let input;
  for (const raw of lines) {
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    const m = /^([\w-]+):\s*(.*)$/.exec(raw.trim());
    if (indent === 0) {
      section = m?.[1];
      continue;
    }
    if (!m) continue; // block-scalar continuation lines (descriptions)
    const [, key, value] = m;
    if (section === 'inputs' && indent === 2) inputs[(input = key)] = { default: undefined };
    else if (section === 'inputs' && indent === 4 && key === 'default' && input) inputs[input].default = scalar(value);
    else if (section === 'runs' && indent === 2) runs[key] = scalar(value);
  }
  for (const k of ['using', 'main']) if (!runs[k]) throw new Error(`${file}: runs.${k} not found`);
  return { inputs, runs };
}

function scalar(value) {
  const v = value.replace(/\s+#.*$/, '').trim();
  if (/^'.*'$/.test(v)) return v.slice(1, -1).replace(/''/g, "'");
  if (/^".*"$/.test(v)) return JSON.parse(v);
  return v;
}
