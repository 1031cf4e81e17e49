/**
 * A step that leaks the way real test suites do (README "What it is for"): a
 * `git daemon --detach` on a loopback port (the git-kv case: it double-forks
 * to PID 1 and outlives the step), a server started under `setsid` (its own
 * session and group, so a group kill of the step misses it), and a plain
 * `sleep &` (same group as the runner: the step's exit leaves it behind).
 *
 * Each leaker's pid lands in a file under `dir` so tests and the demo can
 * check on, and clean up, exactly those processes and nothing else.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const LEAKERS = ['git-daemon', 'server', 'sleep'];

/** A free loopback TCP port (bound and released; a tiny race, fine for tests). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The bash body of the leaking step; `dir` must exist. */
export function leakyStep(dir, port) {
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `
d=${q(dir)}
mkdir -p "$d/repos"
# 1. git daemon --detach: forks, the parent exits, the daemon lives on under PID 1.
git daemon --detach --reuseaddr --listen=127.0.0.1 --port=${port} --base-path="$d/repos" --pid-file="$d/git-daemon.pid" "$d/repos"
# 2. A server in its own session (setsid), as test harnesses start fixtures.
setsid sh -c 'echo $$ > "$0/server.pid"; exec python3 -m http.server --bind 127.0.0.1 0' "$d" > /dev/null 2>&1 < /dev/null &
# 3. A plain background job, still in the runner's process group.
sleep 300 > /dev/null 2>&1 < /dev/null &
echo $! > "$d/sleep.pid"
# Wait until every leaker has written its pid (git daemon writes its file after detaching).
for f in ${LEAKERS.join(' ')}; do
  for i in $(seq 200); do [ -s "$d/$f.pid" ] && break; sleep 0.05; done
done
echo "step: started $(cat "$d/git-daemon.pid") (git daemon), $(cat "$d/server.pid") (setsid server), $(cat "$d/sleep.pid") (sleep)"
`;
}

/** The leakers' pids, by name, from the files the step wrote (missing files are skipped). */
export function leakedPids(dir) {
  const out = {};
  for (const name of LEAKERS) {
    const file = path.join(dir, `${name}.pid`);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    if (/^\d+$/.test(text)) out[name] = Number(text);
  }
  return out;
}

/** What /proc says about a pid: 'running' (state letter), 'zombie', or 'gone'. */
export function procState(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 'gone';
  }
  // comm may contain spaces and parentheses: the state follows the LAST ")".
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X' ? 'zombie' : `running (${state})`;
}
