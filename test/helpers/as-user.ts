/**
 * Runs the real engine as another user (the unprivileged runner user), from a
 * plain-JS copy of src/ made with TypeScript's transpileModule.
 *
 * vitest workers run as root, and root reads every /proc/PID/environ: a test
 * that only pretended to be unprivileged would never meet the unreadable
 * environments of ssh-agent and gpg-agent. So the check itself runs in a
 * `node` process with the job's uid, against the live /proc.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const repo = path.resolve(__dirname, '..', '..');

const PROBE = `
import fs from 'node:fs';
const [mode, file, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? '{}');
const engine = await import('./src/engine/index.js');
let out;
if (mode === 'snapshot') {
  engine.saveBaseline(file, await engine.snapshot({}));
  out = { pid: process.pid };
} else if (mode === 'read') {
  const baseline = engine.loadBaseline(file);
  out = { pid: process.pid, ...(await engine.readCurrent(baseline, { privileged: false, ...options })) };
} else {
  const baseline = engine.loadBaseline(file);
  const { table, detection, notes } = await engine.check(baseline, options);
  let termination;
  if (mode === 'finish' && detection.findings.length > 0) {
    const { terminate } = await import('./src/terminate/index.js');
    termination = await terminate(detection.findings, { graceMs: 2000, kill: true });
  }
  out = { pid: process.pid, table, detection, notes, termination };
}
process.stdout.write(JSON.stringify(out));
`;

/**
 * Transpiles src/ into a world-readable temp dir (caller removes it), with
 * copies of the packages it imports: the checkout itself may sit in a
 * directory the other user cannot enter (a 0700 mktemp dir, a 0750 home), so
 * nothing in the copy may point back into it.
 */
export function buildForUsers(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-as-user-'));
  fs.chmodSync(dir, 0o755);
  const packages = new Set<string>();
  const walk = (from: string): void => {
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      if (entry.isDirectory()) walk(source);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const target = path.join(dir, path.relative(repo, source)).replace(/\.ts$/, '.js');
        fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
        const js = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        }).outputText;
        for (const name of bareImports(js)) packages.add(name);
        fs.writeFileSync(target, js, { mode: 0o644 });
      }
    }
  };
  walk(path.join(repo, 'src'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n', { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'probe.mjs'), PROBE, { mode: 0o644 });
  copyPackages(packages, path.join(dir, 'node_modules'));
  openToAll(dir);
  return dir;
}

/** Package names a module imports (`ps-list`, `@actions/core`), builtins left out. */
function bareImports(js: string): string[] {
  const names: string[] = [];
  for (const m of js.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"./][^'"]*)['"]/g)) {
    const spec = m[1] as string;
    if (spec.startsWith('node:')) continue;
    names.push(
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/'),
    );
  }
  return names;
}

/** Copies each package and its dependencies (npm's flat layout) from the checkout, readable by everyone. */
function copyPackages(names: Iterable<string>, target: string): void {
  const queue = [...names];
  const done = new Set<string>();
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (done.has(name)) continue;
    done.add(name);
    const from = path.join(repo, 'node_modules', name);
    if (!fs.existsSync(from)) continue; // an optional or platform-only import: the probe never loads it here
    const to = path.join(target, name);
    fs.cpSync(from, to, { recursive: true, dereference: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    queue.push(...Object.keys(manifest.dependencies ?? {}));
  }
}

/** Adds read (and for directories, search) permission for everyone, whatever the umask took away. */
function openToAll(p: string): void {
  const stat = fs.lstatSync(p);
  if (stat.isSymbolicLink()) return;
  fs.chmodSync(p, stat.mode | (stat.isDirectory() ? 0o555 : 0o444));
  if (stat.isDirectory()) for (const entry of fs.readdirSync(p)) openToAll(path.join(p, entry));
}

/**
 * A PATH for the job's user on a runner without sudo, whether or not this
 * machine has one: an empty directory. The probe needs no command (it reads
 * /proc, and node is started by its absolute path); the engine looks sudo up
 * on PATH, finds none, and says so.
 */
export function pathWithoutSudo(build: string): string {
  const dir = path.join(build, 'bin-without-sudo');
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Runs probe.mjs as `uid` (PATH without sudo) and returns its JSON answer. */
export function runProbeAs<T>(build: string, uid: number, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(build, 'probe.mjs'), ...args], {
      uid,
      gid: uid,
      cwd: build,
      env: { PATH: pathWithoutSudo(build), HOME: build },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`probe ${args[0]} as uid ${uid} exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}

let cliCopy: string | undefined;
/**
 * The one-file CLI (dist/cli/index.js and its package.json) copied where every
 * user can read it, once per test file: the checkout may sit where uid 65534
 * cannot enter. A few hundred KB in the temp dir, left for the OS to clean.
 */
export function cliForUsers(): string {
  if (cliCopy) return cliCopy;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-cli-'));
  for (const f of ['index.js', 'package.json']) fs.copyFileSync(path.join(repo, 'dist', 'cli', f), path.join(dir, f));
  openToAll(dir);
  cliCopy = path.join(dir, 'index.js');
  return cliCopy;
}
