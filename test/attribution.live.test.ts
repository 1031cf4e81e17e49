/**
 * The attribution rule against real processes, each story in a private PID
 * namespace of its own (`unshare --pid --fork --mount-proc --kill-child`)
 * whose PID 1 is a small bash init standing in for a host agent: it starts
 * commands of its own while a job runs, as the job's user, with a readable
 * environment and no marker. Everything in the namespace ends with it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { ensureBuilt } from './cli-support.js';
import { cliForUsers } from './helpers/as-user.js';
import { describeIf, firstMissing, needsCommand, needsRoot } from './helpers/requires.js';

const missing = firstMissing(
  needsRoot('runs commands as root and as uid 65534'),
  needsCommand('setpriv', 'util-linux'),
);
// A copy every user can read: commands run as uid 65534, and the checkout may be closed to it.
let NODE_CLI = '';
let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  NODE_CLI = `${process.execPath} ${cliForUsers()}`;
}, 120_000);
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-attr-'));
  fs.chmodSync(dir, 0o777);
  return dir;
}

/**
 * Runs `script` as PID 1 of a fresh PID namespace (or, with `belowInit`, as its child: `strays start` needs an
 * ancestor below PID 1 to own the job); resolves with its output once the namespace is gone.
 */
function inNamespace(
  script: string,
  options: { belowInit?: boolean } = {},
): Promise<{ status: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {};
  const init = options.belowInit
    ? ['bash', '-c', 'bash -c "$1"; exit 0', 'init', `${script}\nexit 0`]
    : ['bash', '-c', `${script}\nexit 0`];
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...init], {
      env: { ...process.env, NO_COLOR: '1', STRAYS_SESSION: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (status) => resolve({ status, out }));
  });
}

const field = (out: string, name: string): string | undefined => new RegExp(`^${name}=(.*)$`, 'm').exec(out)?.[1];

interface JsonReport {
  leaks: Array<{ pid: number; outcome: string }>;
  unattributed: Array<{ pid: number }>;
}

/** `as` runs a command as root or as uid 65534 (setpriv, no sudo on this machine). */
const AS = (uid: number): string =>
  uid === 0 ? 'as() { "$@"; }' : 'as() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }';

/** Waits (in the script) until FILE holds a pid. */
const WAIT = 'await() { for i in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }';

describeIf(missing, 'a stand-in PID 1 starts commands during the job', () => {
  for (const [uid, isolation] of [
    [0, 'marker'],
    [0, 'cgroup'],
    [65534, 'marker'],
    [65534, 'auto'],
  ] as const) {
    it(`its same-uid, marker-less command survives and does not fail the job (uid ${uid}, isolation ${isolation})`, async () => {
      const d = tempDir();
      const json = path.join(d, 'report.json');
      const script = `${AS(uid)}; ${WAIT}; cd ${d}
        unset STRAYS_SESSION
        # the job: leaks a marked setsid daemon, waits for PID 1's command to have started, then ends
        as ${NODE_CLI} run --isolation ${isolation} --grace 1s --fail-on-leak --json ${json} -- sh -c '
          setsid sh -c "echo \\$\\$ > ${d}/leak; exec sleep 400" & touch ${d}/started
          for i in $(seq 200); do [ -s ${d}/host ] && break; sleep 0.05; done' > ${d}/run.log 2>&1 &
        JOB=$!
        for i in $(seq 400); do [ -e ${d}/started ] && break; sleep 0.05; done
        # PID 1's own command, as the job's user, started during the job: readable environment, no marker
        as env -u STRAYS_SESSION sh -c 'echo $$ > "$0"; exec sleep 401' ${d}/host &
        await ${d}/host
        wait $JOB; echo "run=$?"
        H=$(cat ${d}/host); L=$(cat ${d}/leak)
        echo "host=$H"; echo "leak=$L"
        [ "$(ps -o stat= -p $H | cut -c1)" = S ] && echo host-alive=yes
        ps -o stat= -p $L | grep -qv Z && echo leak-alive=yes
        cat ${d}/run.log`;
      const { out } = await inNamespace(script);
      expect(out, out).toMatch(/^host-alive=yes$/m);
      expect(out, out).not.toMatch(/^leak-alive=yes$/m);
      expect(field(out, 'run'), out).toBe('3'); // failed for its own leak only
      const report = JSON.parse(fs.readFileSync(json, 'utf8')) as JsonReport;
      expect(report.leaks.map((l) => l.pid)).toEqual([Number(field(out, 'leak'))]);
      expect(report.unattributed).toEqual([]);
    });
  }
});

describeIf(missing, 'two concurrent jobs on one host', () => {
  for (const isolation of ['cgroup', 'marker'] as const) {
    it(`each ends exactly its own leaks, names only its own, fails only for its own (isolation ${isolation})`, async () => {
      const d = tempDir();
      const job = (name: string, other: string, port: number): string => `
        ${NODE_CLI} run --isolation ${isolation} --grace 1s --fail-on-leak --json ${d}/${name}.json -- sh -c '
          setsid sh -c "echo \\$\\$ > ${d}/${name}.marked; exec sleep ${port}" &
          env -i setsid sh -c "echo \\$\\$ > ${d}/${name}.envi; exec sleep ${port + 1}" &
          touch ${d}/${name}.started
          for i in $(seq 400); do [ -e ${d}/${other}.started ] && break; sleep 0.05; done
          sleep 0.5' > ${d}/${name}.log 2>&1; echo "${name}=$?" >> ${d}/status`;
      const script = `cd ${d}; unset STRAYS_SESSION
        (${job('a', 'b', 440)}) &
        (${job('b', 'a', 450)}) &
        wait
        cat ${d}/status
        for f in a.marked a.envi b.marked b.envi; do P=$(cat ${d}/$f); ps -o stat= -p $P | grep -qv Z && echo "$f-alive=yes"; echo "$f=$P"; done
        cat ${d}/a.log ${d}/b.log`;
      const { out } = await inNamespace(script);
      for (const name of ['a', 'b']) {
        const report = JSON.parse(fs.readFileSync(path.join(d, `${name}.json`), 'utf8')) as JsonReport;
        const own = [
          Number(field(out, `${name}.marked`)),
          ...(isolation === 'cgroup' ? [Number(field(out, `${name}.envi`))] : []),
        ];
        expect(report.leaks.map((l) => l.pid).sort(), out).toEqual(own.sort());
        expect(report.unattributed, out).toEqual([]);
        expect(field(out, name), out).toBe('3');
        expect(out).not.toMatch(new RegExp(`^${name}\\.marked-alive=yes$`, 'm'));
      }
      // Without a job cgroup an env -i daemon carries no proof: it is left alone, by both jobs.
      if (isolation === 'marker')
        for (const name of ['a', 'b']) expect(out, out).toMatch(new RegExp(`^${name}\\.envi-alive=yes$`, 'm'));
      else for (const name of ['a', 'b']) expect(out, out).not.toMatch(new RegExp(`^${name}\\.envi-alive=yes$`, 'm'));
    });
  }
});

describeIf(missing, "allow and the checker's pipeline", () => {
  it('an allowed supervisor -> worker -> task tree survives; the other leak does not', async () => {
    const d = tempDir();
    for (const name of ['supervisor', 'worker']) fs.symlinkSync('/bin/sh', path.join(d, name));
    const script = `cd ${d}; unset STRAYS_SESSION
      ${NODE_CLI} run --grace 1s --allow name:supervisor --json ${d}/r.json -- sh -c '
        setsid ${d}/supervisor -c "${d}/worker -c \\"sleep 460 & echo \\\\\\$! > ${d}/task; wait\\" & echo \\$! > ${d}/worker.pid; wait" &
        echo $! > ${d}/supervisor.pid
        setsid sh -c "echo \\$\\$ > ${d}/leak; exec sleep 461" &
        for i in $(seq 200); do [ -s ${d}/task ] && break; sleep 0.05; done' > ${d}/run.log 2>&1
      for f in supervisor.pid worker.pid task leak; do P=$(cat ${d}/$f); ps -o stat= -p $P | grep -qv Z && echo "$f-alive=yes"; done
      cat ${d}/run.log`;
    const { out } = await inNamespace(script);
    for (const f of ['supervisor.pid', 'worker.pid', 'task'])
      expect(out, out).toMatch(new RegExp(`^${f}-alive=yes$`, 'm'));
    expect(out, out).not.toMatch(/^leak-alive=yes$/m);
  });

  it('`strays check | tee log` completes with its full output, and the leak is still ended', async () => {
    const d = tempDir();
    const script = `cd ${d}; unset STRAYS_SESSION
      eval "$(${NODE_CLI} start --state ${d}/state.json --quiet)"
      setsid sh -c 'echo $$ > ${d}/leak; exec sleep 470' &
      for i in $(seq 200); do [ -s ${d}/leak ] && break; sleep 0.05; done
      ${NODE_CLI} check --state ${d}/state.json --grace 1s 2>&1 | tee ${d}/log > /dev/null
      echo "pipe=\${PIPESTATUS[0]},\${PIPESTATUS[1]}"
      ps -o stat= -p $(cat ${d}/leak) | grep -qv Z && echo leak-alive=yes
      echo "leak=$(cat ${d}/leak)"`;
    const { out } = await inNamespace(script, { belowInit: true });
    expect(field(out, 'pipe'), out).toBe('0,0');
    expect(out, out).not.toMatch(/^leak-alive=yes$/m);
    const log = fs.readFileSync(path.join(d, 'log'), 'utf8');
    expect(log).toContain(field(out, 'leak'));
    expect(log).toMatch(/strays: 1 leaked process/);
    expect(log).not.toMatch(/\btee\b/);
  });

  it('a step that appends its leak to the --state file is caught by the digest `strays start` exported', async () => {
    const d = tempDir();
    const script = `cd ${d}; unset STRAYS_SESSION
      eval "$(${NODE_CLI} start --state ${d}/state.json --quiet)"
      setsid sh -c 'echo $$ > ${d}/leak; exec sleep 480' &
      for i in $(seq 200); do [ -s ${d}/leak ] && break; sleep 0.05; done
      # the step: hides its leak by adding it to the baseline
      ${process.execPath} -e 'const fs = require("fs"); const f = process.argv[1]; const b = JSON.parse(fs.readFileSync(f, "utf8"));
        const pid = Number(fs.readFileSync(process.argv[2], "utf8")); const st = fs.readFileSync("/proc/" + pid + "/stat", "utf8");
        b.processes.push([pid, Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[19])]); fs.writeFileSync(f, JSON.stringify(b));' ${d}/state.json ${d}/leak
      ${NODE_CLI} check --state ${d}/state.json --grace 1s; echo "check=$?"`;
    const { out } = await inNamespace(script, { belowInit: true });
    expect(field(out, 'check'), out).toBe('2');
    expect(out).toMatch(/was changed after job start/);
  });
});
