/**
 * Writing the report: an output path is a regular file or a new name in an
 * existing writable directory, never a device, FIFO or directory; checked
 * when given (CLI parse time, the action's pre) and again just before the
 * rename. And a JSON report that cannot be written costs only the file: the
 * console, summary, annotations and outputs are already out.
 *
 * These run as root (the suite does, in its own PID namespace), where
 * rename(2) over /dev/null would replace the device: every case checks the
 * device is still a character device afterwards.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Input, Output } from '../src/action/constants.js';
import { SESSION_VAR } from '../src/engine/index.js';
import { PathError } from '../src/config/paths.js';
import { outputPathProblem, writeOutputFile } from '../src/io/write-output.js';
import { CLI, cli, ensureBuilt } from './cli-support.js';
import { useActionStepEnv } from './helpers/action-step-env.js';
import type { FakeCore } from './helpers/fake-core.js';
import { isAlive, waitFor } from './helpers/leakers.js';
import { expectValidReport } from './helpers/report-schema.js';

const core = vi.hoisted(() => ({}) as FakeCore);
vi.mock('@actions/core', () => core);
const { runPre } = await import('../src/action/run-pre.js');
const { runPost } = await import('../src/action/run-post.js');

const step = useActionStepEnv('strays-write-', core);

/** Shell: the command ends only once its leak has written its pid (else strays may end the leak first). */
const WAIT = (file: string): string => `while [ ! -s ${file} ]; do sleep 0.05; done`;

const devicesIntact = (): void => {
  for (const dev of ['/dev/null', '/dev/full', '/dev/zero'])
    expect(fs.statSync(dev).isCharacterDevice(), dev).toBe(true);
};

describe('output paths', () => {
  it('refuses devices, FIFOs, directories, pseudo file systems, missing directories and overlong names', () => {
    const fifo = path.join(step.temp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const link = path.join(step.temp, 'link-to-null');
    fs.symlinkSync('/dev/null', link);
    const cases: Array<[string, RegExp]> = [
      ['/dev/null', /is a character device/],
      ['/dev/full', /is a character device/],
      [link, /is a symbolic link/],
      [fifo, /is a FIFO/],
      [step.temp, /is a directory/],
      [`${step.temp}/`, /names a directory/],
      ['/proc/self/report.json', /under \/proc/],
      [path.join(step.temp, 'missing', 'r.json'), /directory .*missing" does not exist/],
      [path.join(step.temp, `${'n'.repeat(400)}.json`), /longer than 255 bytes/],
      ['   ', /is empty/],
    ];
    for (const [file, problem] of cases) {
      expect(outputPathProblem(file), file).toMatch(problem);
      expect(() => writeOutputFile(file, '{}'), file).toThrow(PathError);
    }
    devicesIntact();
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    // A new name, and an existing regular file, are fine; the file is replaced atomically, mode 0600.
    const file = path.join(step.temp, 'r.json');
    expect(outputPathProblem(file)).toBeUndefined();
    writeOutputFile(file, 'one');
    writeOutputFile(file, 'two');
    expect(fs.readFileSync(file, 'utf8')).toBe('two');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(step.temp).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('the CLI refuses them at parse time with status 2, before anything is signalled', async () => {
    await ensureBuilt();
    // A bundle older than this check would replace /dev/null (rename(2) as root): make sure it has the check.
    expect(fs.readFileSync(CLI, 'utf8')).toContain('show-secrets');
    const state = path.join(step.temp, 'state.json');
    const started = await cli(['start', '--state', state]);
    expect(started.status).toBe(0);
    for (const [args, message] of [
      [['check', '--state', state, '--json', '/dev/null'], /--json "\/dev\/null" is a character device/],
      [['check', '--state', state, '--json', step.temp], /is a directory/],
      [['run', '--json', '/dev/full', '--', 'true'], /--json "\/dev\/full" is a character device/],
      [['ps', '--json', '/dev/zero'], /--json "\/dev\/zero" is a character device/],
      [
        ['sweep', '--dry-run', '--state-dir', step.temp, '--json', '/dev/null'],
        /--json "\/dev\/null" is a character device/,
      ],
      [
        ['sweep', '--dry-run', '--state-dir', step.temp, '--metrics', '/dev/full'],
        /--metrics "\/dev\/full" is a character device/,
      ],
    ] as const) {
      const result = await cli([...args]);
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toMatch(message);
    }
    devicesIntact();
  });

  it('the action refuses report-path=/dev/null in pre, before the job runs', async () => {
    core.inputs[Input.ReportPath] = '/dev/null';
    await runPre();
    expect(core.setFailed).toHaveBeenCalledWith(
      expect.stringMatching(/Invalid input report-path: "\/dev\/null" is a character device/),
    );
    expect(core.exportVariable).not.toHaveBeenCalled();
    devicesIntact();
  });
});

describe('a JSON report that cannot be written', () => {
  it('post still writes the whole summary, the annotations and the leak count, then warns', async () => {
    const reportPath = path.join(step.temp, 'report.json');
    core.inputs[Input.ReportPath] = reportPath;
    core.inputs[Input.GracePeriod] = '1s';
    await runPre();
    const session = String(vi.mocked(core.exportVariable).mock.calls.find(([n]) => n === SESSION_VAR)?.[1]);
    const pid = await step.leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 331' &`, {
      env: { [SESSION_VAR]: session, GITHUB_ACTION: 'serve' },
    });
    // A step of the job puts a FIFO where the report goes: rename(2) would replace it; strays must not.
    execFileSync('mkfifo', [reportPath]);
    await runPost();
    await waitFor(() => !isAlive(pid), `pid ${pid} ended`);
    expect(fs.statSync(reportPath).isFIFO()).toBe(true);
    expect(core.summary.text).toMatch(/^### strays: 1 leaked process/);
    expect(core.summary.text).toContain('sleep 331');
    expect(core.summary.text).toContain(`pids: ${pid}`);
    expect(core.error).toHaveBeenCalledTimes(2);
    expect(core.setOutput).toHaveBeenCalledWith(Output.LeakedCount, '1');
    expect(core.setOutput).not.toHaveBeenCalledWith(Output.ReportPath, expect.anything());
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringMatching(
        /JSON report was not written to .*report\.json: .*is a FIFO.*The job summary has every process/,
      ),
    );
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/1 leaked process .*see the job summary\.$/));
  });

  it('the CLI prints the whole console report, then names the failure and exits 1', async () => {
    await ensureBuilt();
    const dir = path.join(step.temp, 'out');
    fs.mkdirSync(dir);
    const json = path.join(dir, 'report.json');
    const pidFile = path.join(step.temp, 'pid');
    // The command itself makes the report path a directory: valid at parse time, unwritable at the end.
    const result = await cli([
      'run',
      '--grace',
      '1s',
      '--json',
      json,
      '--',
      'sh',
      '-c',
      `mkdir ${json}; setsid sh -c 'echo $$ > ${pidFile}; exec sleep 332' & ${WAIT(pidFile)}`,
    ]);
    expect(result.status).toBe(1);
    // (Other test files run beside this one: the time window may attribute one of theirs too.)
    expect(result.stderr).toMatch(/leaked:\s+\d+ process/);
    expect(result.stderr).toContain(fs.readFileSync(pidFile, 'utf8').trim());
    expect(result.stderr).toMatch(/strays: \d+ leaked process(es)? \(\d+ (exited|zombie|gone|killed).*\)\./);
    expect(result.stderr).toMatch(/cannot write the JSON report .*report\.json: .*is a directory/);
    expect(fs.statSync(json).isDirectory()).toBe(true);
  });

  it('--json - writes the report to stdout, valid against the schema', async () => {
    await ensureBuilt();
    const pidFile = path.join(step.temp, 'pid');
    const result = await cli(
      [
        'run',
        '--grace',
        '1s',
        '--json',
        '-',
        '--',
        'sh',
        '-c',
        `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 333' & ${WAIT(pidFile)}`,
      ],
      { cwd: step.temp },
    );
    expect(result.status).toBe(0);
    const report = expectValidReport(JSON.parse(result.stdout));
    expect(report.leaks.map((l: { pid: number }) => l.pid)).toContain(Number(fs.readFileSync(pidFile, 'utf8')));
    expect(fs.existsSync(path.join(step.temp, '-'))).toBe(false);
  });
});
