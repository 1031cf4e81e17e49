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
  out = { pid: process.pid, ...(await engine.readCurrentWithNotes(baseline, { privileged: false, ...options })) };
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

/** Transpiles src/ into a world-readable temp dir (caller removes it). */
export function buildForUsers(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-as-user-'));
  fs.chmodSync(dir, 0o755);
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
        fs.writeFileSync(target, js, { mode: 0o644 });
      }
    }
  };
  walk(path.join(repo, 'src'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n', { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'probe.mjs'), PROBE, { mode: 0o644 });
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Runs probe.mjs as `uid` and returns its JSON answer. */
export function runProbeAs<T>(build: string, uid: number, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(build, 'probe.mjs'), ...args], {
      uid,
      gid: uid,
      cwd: build,
      env: { PATH: process.env.PATH, HOME: build },
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
