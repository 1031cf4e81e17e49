/**
 * The runner's file commands, parsed as actions/runner does
 * (src/Runner.Worker/FileCommandManager.cs, SetEnvFileCommand): lines split on
 * "\n"; `NAME=value` when "=" comes before any "<<"; otherwise `NAME<<DELIM`
 * followed by value lines up to a line exactly equal to DELIM (the newline
 * before the delimiter is not part of the value). Empty lines are skipped.
 * GITHUB_OUTPUT and GITHUB_STATE use the same format (@actions/core writes
 * `name<<ghadelimiter_<uuid>` to all three).
 */
import fs from 'node:fs';

/** Parses a file-command file into name → value, in order (later wins). Throws on malformed lines, as the runner fails the step. */
export function parseFileCommands(text) {
  const out = {};
  let index = 0;
  const readLine = () => {
    if (index >= text.length) return undefined;
    const lf = text.indexOf('\n', index);
    const start = index;
    if (lf < 0) {
      index = text.length;
      return { line: text.slice(start), newline: '' };
    }
    index = lf + 1;
    return { line: text.slice(start, lf), newline: '\n' };
  };
  for (let next = readLine(); next !== undefined; next = readLine()) {
    const { line } = next;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq);
      if (name === '') throw new Error(`Invalid format '${line}': name must not be empty`);
      out[name] = line.slice(eq + 1);
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === '' || delimiter === '')
        throw new Error(`Invalid format '${line}': name and delimiter must not be empty`);
      const start = index;
      let end = index;
      for (;;) {
        const value = readLine();
        if (value === undefined) throw new Error(`Matching delimiter not found '${delimiter}'`);
        if (value.line === delimiter) break;
        end = index - value.newline.length;
      }
      out[name] = end > start ? text.slice(start, end) : '';
    } else {
      throw new Error(`Invalid format '${line}'`);
    }
  }
  return out;
}

export const readFileCommands = (file) => (fs.existsSync(file) ? parseFileCommands(fs.readFileSync(file, 'utf8')) : {});

/**
 * Workflow commands a step printed on stdout (`::error title=T::message`),
 * as the runner turns them into annotations. Only the ones tests look at.
 */
export function parseWorkflowCommands(stdout) {
  const out = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice|debug)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const i = pair.indexOf('=');
      if (i > 0) props[pair.slice(0, i)] = unescapeProperty(pair.slice(i + 1));
    }
    out.push({ level: m[1], title: props.title, message: unescapeData(m[3]) });
  }
  return out;
}

// The escapes @actions/core applies (toCommandValue/escapeData/escapeProperty), undone.
const unescapeData = (s) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s) => unescapeData(s.replace(/%3A/g, ':').replace(/%2C/g, ','));
