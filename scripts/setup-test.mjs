#!/usr/bin/env node
// Set-up for `npm test` (run as its `pretest`): the tools the tests start for
// real. As root on Debian or Ubuntu it installs what is missing with apt-get,
// as .ci/run's set-up did; anywhere else it prints the one command that would,
// and the tests that need a missing tool are skipped, each with its reason
// (README "Development").
import { spawnSync } from 'node:child_process';

/** What the tests run, how to tell it is there, and the Debian package that brings it. */
const NEEDS = [
  { what: 'git (git daemon)', pkg: 'git', present: () => has('git') },
  { what: 'gpg-agent, gpg-connect-agent', pkg: 'gnupg', present: () => has('gpg-agent') && has('gpg-connect-agent') },
  { what: 'ssh-agent', pkg: 'openssh-client', present: () => has('ssh-agent') },
  {
    what: 'setsid, setpriv, unshare',
    pkg: 'util-linux',
    present: () => has('setsid') && has('setpriv') && has('unshare'),
  },
  { what: 'ps (checks the readers)', pkg: 'procps', present: () => has('ps') },
  // A hosted runner's passwordless sudo, for real: the test grants it in a mount namespace of its own.
  { what: 'sudo (the job cgroup through sudo)', pkg: 'sudo', present: () => has('sudo') },
  { what: 'python3 (http.server leaks)', pkg: 'python3', present: () => has('python3') },
  // The metrics test's independent parser of the Prometheus text format: the client library's own, from the
  // system python (python3 on PATH may be a pyenv one without Debian's packages).
  {
    what: '/usr/bin/python3 with prometheus_client',
    pkg: 'python3-prometheus-client',
    present: () => run('/usr/bin/python3', ['-c', 'import prometheus_client']),
  },
];

function run(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function has(command) {
  return run('sh', ['-c', 'command -v "$1"', 'sh', command]);
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20)
  console.warn(`setup-test: Node.js ${process.versions.node} is older than 20, which package.json's engines require.`);

if (process.platform !== 'linux') {
  console.warn(`setup-test: the suite targets Linux; on ${process.platform} the Linux-only tests are skipped.`);
  process.exit(0);
}

const missing = () => NEEDS.filter((n) => !n.present());
let lacking = missing();
if (lacking.length === 0) process.exit(0);

const packages = lacking.map((n) => n.pkg);
const aptGet = has('apt-get');
const install = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
console.log(`setup-test: missing ${lacking.map((n) => `${n.what} (${n.pkg})`).join(', ')}`);

if (aptGet && process.getuid?.() === 0) {
  console.log(`setup-test: installing: ${install}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ok =
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env }).status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    }).status === 0;
  lacking = missing();
  if (ok && lacking.length === 0) process.exit(0);
  console.warn(
    `setup-test: apt-get ${ok ? 'ran, but these are still missing' : 'failed'}: ${lacking.map((n) => n.pkg).join(' ')}`,
  );
} else if (aptGet) {
  console.log(`setup-test: to install them: sudo sh -c '${install}'`);
} else {
  console.log(`setup-test: no apt-get here; install these (Debian package names): ${packages.join(' ')}`);
}
console.log('setup-test: the tests that need them are skipped; the run ends with the list.');
