#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ // The require scope
/******/ var __nccwpck_require__ = {};
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
var external_node_fs_default = /*#__PURE__*/__nccwpck_require__.n(external_node_fs_namespaceObject);
;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
;// CONCATENATED MODULE: ./src/config/duration.ts
/**
 * Durations as users write them: `500ms`, `5s`, `1m`, or a bare number of seconds.
 * Anything else is an error naming the setting, the value and the accepted forms.
 */
const DURATION_FORMS = '"500ms", "5s", "1m", "2h" or a bare number of seconds such as "5" or "0.5"';
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
function parseDuration(value, setting = 'duration') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
    if (!match)
        throw new Error(`Invalid ${setting} "${value}": expected ${DURATION_FORMS}.`);
    const ms = Number(match[1]) * UNIT_MS[match[2] ?? 's'];
    if (!Number.isFinite(ms))
        throw new Error(`Invalid ${setting} "${value}": too large. Expected ${DURATION_FORMS}.`);
    return Math.round(ms);
}
function formatDuration(ms) {
    if (ms < 1000)
        return `${Math.round(ms)}ms`;
    const s = ms / 1000;
    if (s < 60)
        return `${Number(s.toFixed(1))}s`;
    const m = Math.floor(s / 60);
    if (m < 60)
        return `${m}m${Math.round(s % 60) ? ` ${Math.round(s % 60)}s` : ''}`;
    const h = Math.floor(m / 60);
    if (h < 48)
        return `${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
    return `${Math.floor(h / 24)}d ${h % 24}h`;
}

;// CONCATENATED MODULE: ./src/cli/exit.ts
/**
 * Exit statuses of the CLI. `strays run` passes the command's own status
 * through; these are the statuses strays adds. Documented in the README (Exit statuses).
 */
const EXIT = {
    ok: 0,
    /** strays itself failed after starting work (cannot read /proc, cannot write --json …). */
    failure: 1,
    /** Bad input: unknown option, missing command, bad value, unusable state file. Nothing was signalled. */
    usage: 2,
    /** Something leaked and --fail-on-leak was given (for `run`: only when the command itself succeeded). */
    leaked: 3,
    /** The command exists but cannot be executed (EACCES …), as in a POSIX shell. */
    cannotExecute: 126,
    /** The command was not found (ENOENT), as in a POSIX shell. */
    notFound: 127,
};
/** Bad input: the message names what is wrong and the accepted forms; the CLI exits with EXIT.usage. */
class UsageError extends Error {
    command;
    constructor(message, 
    /** The command whose usage to point at (`strays run --help`). */
    command) {
        super(message);
        this.command = command;
        this.name = 'UsageError';
    }
}

;// CONCATENATED MODULE: ./src/cli/args.ts
/**
 * Argument parsing for every command: node:util parseArgs in strict mode,
 * with its errors rewritten to name the option and the accepted forms.
 * Parsing only; values are validated by parseGuardOptions (src/config).
 */



/** Options of every command that guards a job (run, check, start, ps). */
const GUARD_OPTIONS = {
    grace: { type: 'string', value: 'DURATION', help: `time between SIGTERM and SIGKILL (default 5s; ${DURATION_FORMS})` },
    allow: { type: 'string', multiple: true, value: 'GLOB', help: 'spare processes whose command line matches (repeatable)' },
    'no-kill': { type: 'boolean', help: 'report what leaked, signal nothing' },
    'fail-on-leak': { type: 'boolean', help: 'exit with status 3 when something leaked' },
    json: { type: 'string', value: 'FILE', help: 'also write the report as JSON (same schema as the action)' },
    quiet: { type: 'boolean', short: 'q', help: 'print nothing unless something leaked' },
    isolation: { type: 'string', value: 'MODE', help: 'auto, marker or cgroup (default auto)' },
    unattributed: { type: 'string', value: 'POLICY', help: 'report or kill processes that may be the job\'s (default report)' },
};
const HELP_OPTION = { help: { type: 'boolean', short: 'h', help: 'show this help' } };
const optionLabel = (name, spec) => `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
const accepted = (specs) => Object.entries(specs).map(([n, s]) => optionLabel(n, s)).join(', ');
function parseCommandArgs(command, argv, specs) {
    const all = { ...specs, ...HELP_OPTION };
    let parsed;
    try {
        parsed = (0,external_node_util_namespaceObject.parseArgs)({ args: [...argv], options: all, strict: true, allowPositionals: true, tokens: true });
    }
    catch (error) {
        throw new UsageError(explainParseError(command, error, all), command);
    }
    const tokens = parsed.tokens ?? [];
    const seen = new Set();
    for (const t of tokens) {
        if (t.kind !== 'option')
            continue;
        const spec = all[t.name];
        if (spec && !spec.multiple && seen.has(t.name))
            throw new UsageError(`strays ${command}: ${t.rawName} was given twice; give it once.`, command);
        seen.add(t.name);
        if (spec?.type === 'string' && (t.value === undefined || t.value === '')) {
            throw new UsageError(`strays ${command}: ${t.rawName} needs a value: ${optionLabel(t.name, spec)}.`, command);
        }
    }
    const terminator = tokens.find((t) => t.kind === 'option-terminator');
    const rest = terminator ? argv.slice(terminator.index + 1) : undefined;
    const positionals = tokens.filter((t) => t.kind === 'positional' && (!terminator || t.index < terminator.index)).map((t) => t.value);
    return { values: parsed.values, positionals, rest };
}
function explainParseError(command, error, specs) {
    const quoted = /'([^']+)'/.exec(error.message)?.[1];
    const option = quoted?.split(' ')[0] ?? 'an option';
    switch (error.code) {
        case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
            return `strays ${command}: unknown option ${option}. Accepted: ${accepted(specs)}.`;
        case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
            const spec = specs[option.replace(/^-+/, '')];
            if (spec?.type === 'boolean')
                return `strays ${command}: ${option} takes no value (it is a switch; leave it out to turn it off).`;
            return `strays ${command}: ${option} needs a value: ${spec ? optionLabel(option.replace(/^-+/, ''), spec) : option}.`;
        }
        default:
            return `strays ${command}: ${error.message}`;
    }
}
const stringValue = (values, name) => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
};
const flag = (values, name) => values[name] === true;
function usageText(command, synopsis, summary, specs) {
    const all = { ...specs, ...HELP_OPTION };
    const labels = Object.entries(all).map(([n, s]) => [`${s.short ? `-${s.short}, ` : '    '}${optionLabel(n, s)}`, s.help]);
    const width = Math.max(...labels.map(([l]) => l.length));
    return [`Usage: ${synopsis}`, '', summary, '', 'Options:', ...labels.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`), '', `Exit statuses: see \`strays --help\`.`].join('\n');
}

;// CONCATENATED MODULE: ./src/cli/command.ts
/** The shape of one CLI command: the registry (commands/index.ts) is a list of these. */


/**
 * The start of every command that takes only options: parse strictly, answer
 * `--help`, refuse stray arguments. Resolves to the values, or to `undefined`
 * when help was printed (the command then exits 0).
 */
function optionsOnly(command, argv, specs, io) {
    const { values, positionals, rest } = parseCommandArgs(command.name, argv, specs);
    if (flag(values, 'help')) {
        io.out(command.help());
        return undefined;
    }
    if (positionals.length > 0 || rest !== undefined) {
        throw new UsageError(`strays ${command.name}: unexpected argument "${positionals[0] ?? '--'}"; ${command.name} takes only options.`, command.name);
    }
    return values;
}

;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_namespaceObject);
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_namespaceObject);
;// CONCATENATED MODULE: ./src/engine/allowlist.ts
const ALLOW_FORMS = 'a glob on the command line (e.g. "sleep 60*") or name:GLOB on the process name (e.g. "name:postgres*")';
function parseAllowEntry(entry) {
    const source = entry.trim();
    const isName = source.startsWith('name:');
    const glob = isName ? source.slice('name:'.length).trim() : source;
    if (glob.length === 0)
        throw new Error(`Invalid allow entry "${entry}": the glob is empty. Use ${ALLOW_FORMS}.`);
    return { source, target: isName ? 'name' : 'command', pattern: globToRegExp(glob, entry) };
}
/** Splits a newline- or comma-separated list (the action input form) and parses each entry. */
function parseAllowlist(entries) {
    return entries
        .flatMap((e) => e.split(/[\n,]/))
        .map((e) => e.trim())
        .filter((e) => e.length > 0)
        .map(parseAllowEntry);
}
function globToRegExp(glob, entry = glob) {
    let out = '';
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '*')
            out += '.*';
        else if (c === '?')
            out += '.';
        else if (c === '[') {
            const end = glob.indexOf(']', i + 2);
            if (end < 0)
                throw new Error(`Invalid allow entry "${entry}": "[" at position ${i + 1} is never closed. Use ${ALLOW_FORMS}.`);
            const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
            out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
            i = end;
        }
        else
            out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
    }
    return new RegExp(`^${out}$`, 's');
}
/** The rule that allows `p`, if any. */
function allowedBy(list, p) {
    const command = p.argv.join(' ');
    const base = p.argv[0]?.split('/').pop() ?? '';
    return list.find((rule) => rule.target === 'command' ? rule.pattern.test(command) : rule.pattern.test(p.comm) || rule.pattern.test(base));
}

;// CONCATENATED MODULE: ./src/config/options.ts
/**
 * The options every adapter shares, parsed once into a frozen object.
 * A bad value throws an error naming the setting, the value and the accepted
 * forms; nothing falls back silently.
 */


const DEFAULT_GRACE = '5s';
function parseBoolean(value, setting) {
    if (typeof value === 'boolean')
        return value;
    // The YAML 1.2 core schema booleans, as @actions/core getBooleanInput accepts them.
    if (['true', 'True', 'TRUE'].includes(value.trim()))
        return true;
    if (['false', 'False', 'FALSE'].includes(value.trim()))
        return false;
    throw new Error(`Invalid ${setting} "${value}": expected true or false.`);
}
function parseChoice(value, setting, choices) {
    const v = value.trim();
    if (choices.includes(v))
        return v;
    throw new Error(`Invalid ${setting} "${value}": expected one of ${choices.join(', ')}.`);
}
const given = (v) => v !== undefined && v.trim() !== '';
function parseGuardOptions(raw, names) {
    const allowEntries = raw.allow ?? [];
    let allow;
    try {
        allow = parseAllowlist(allowEntries);
    }
    catch (error) {
        throw new Error(`Invalid ${names.allow}: ${error.message}`);
    }
    return Object.freeze({
        kill: raw.kill === undefined || raw.kill === '' ? true : parseBoolean(raw.kill, names.kill),
        failOnLeak: raw.failOnLeak === undefined || raw.failOnLeak === '' ? false : parseBoolean(raw.failOnLeak, names.failOnLeak),
        graceMs: parseDuration(given(raw.grace) ? raw.grace : DEFAULT_GRACE, names.grace),
        allow,
        reportPath: given(raw.reportPath) ? raw.reportPath : undefined,
        isolation: given(raw.isolation) ? parseChoice(raw.isolation, names.isolation, ['auto', 'marker', 'cgroup']) : 'auto',
        unattributed: given(raw.unattributed)
            ? parseChoice(raw.unattributed, names.unattributed, ['report', 'kill'])
            : 'report',
    });
}

;// CONCATENATED MODULE: ./src/cli/guard.ts
/**
 * From parsed flags to the frozen GuardOptions every layer shares, plus the
 * report context of a CLI job. Bad values become UsageError (status 2)
 * before anything is read or signalled.
 */






const CLI_SETTING_NAMES = {
    kill: '--no-kill',
    failOnLeak: '--fail-on-leak',
    grace: '--grace',
    allow: '--allow',
    isolation: '--isolation',
    unattributed: '--unattributed',
};
function guardOptionsFrom(command, values) {
    let options;
    try {
        options = parseGuardOptions({
            kill: !flag(values, 'no-kill'),
            failOnLeak: flag(values, 'fail-on-leak'),
            grace: stringValue(values, 'grace'),
            allow: values.allow ?? [],
            reportPath: stringValue(values, 'json'),
            isolation: stringValue(values, 'isolation'),
            unattributed: stringValue(values, 'unattributed'),
        }, CLI_SETTING_NAMES);
    }
    catch (error) {
        throw new UsageError(`strays ${command}: ${error.message}`, command);
    }
    if (options.reportPath !== undefined)
        checkWritableDir(command, '--json', options.reportPath);
    return options;
}
/** Fails early (status 2) when a file could never be written: its directory is missing or not a directory. */
function checkWritableDir(command, option, file) {
    const dir = external_node_path_default().dirname(external_node_path_default().resolve(file));
    let ok = false;
    try {
        ok = external_node_fs_default().statSync(dir).isDirectory();
    }
    catch {
        ok = false;
    }
    if (!ok)
        throw new UsageError(`strays ${command}: ${option} ${file}: directory ${dir} does not exist. Give a path in an existing directory.`, command);
}
function cliContext(baseline) {
    return {
        host: external_node_os_default().hostname(),
        workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
        runnerTemp: process.env.RUNNER_TEMP || undefined,
        isolation: baseline.cgroup ? 'cgroup' : 'marker',
    };
}

;// CONCATENATED MODULE: ./src/proc/procfs.ts
/**
 * Small synchronous readers for /proc files.
 *
 * A process can exit between readdir and open: ENOENT/ESRCH then mean "gone",
 * which is a fact about the process, not an error of ours (so `undefined`).
 * One shared buffer and open/read/close avoids the extra fstat that
 * `readFileSync` makes per file: this runs thousands of times per snapshot.
 */

let buffer = Buffer.allocUnsafe(64 * 1024);
/** Errors that mean the process (or the file) went away while we looked. */
const isGone = (error) => {
    const code = error?.code;
    return code === 'ENOENT' || code === 'ESRCH';
};
const isDenied = (error) => {
    const code = error?.code;
    return code === 'EACCES' || code === 'EPERM';
};
/** Reads a whole file as latin1-safe UTF-8; throws what fs throws. */
function readProcFile(path) {
    const fd = external_node_fs_default().openSync(path, 'r');
    try {
        let length = 0;
        for (;;) {
            if (length === buffer.length) {
                const bigger = Buffer.allocUnsafe(buffer.length * 2);
                buffer.copy(bigger, 0, 0, length);
                buffer = bigger;
            }
            const n = external_node_fs_default().readSync(fd, buffer, length, buffer.length - length, null);
            if (n === 0)
                break;
            length += n;
        }
        return buffer.toString('utf8', 0, length);
    }
    finally {
        external_node_fs_default().closeSync(fd);
    }
}
/** Like `readProcFile`, but `undefined` when the process is gone. */
function readIfPresent(path) {
    try {
        return readProcFile(path);
    }
    catch (error) {
        if (isGone(error))
            return undefined;
        throw error;
    }
}
/** Reads a file and reports a failure instead of throwing (for optional details). */
function attempt(read) {
    try {
        return { ok: true, value: read() };
    }
    catch (error) {
        const e = error;
        const reason = isDenied(e) ? 'permission denied' : isGone(e) ? 'process gone' : (e.code ?? e.message);
        return { ok: false, gone: isGone(e), reason };
    }
}

;// CONCATENATED MODULE: ./src/proc/clock.ts
/**
 * Linux clocks used to date processes.
 *
 * proc(5): stat field 22 `starttime` is "the time the process started after
 * system boot ... expressed in clock ticks (divide by sysconf(_SC_CLK_TCK))".
 * _SC_CLK_TCK is USER_HZ, which the kernel fixes at 100 for user space on every
 * architecture Node.js runs on (include/asm-generic/param.h), so we need not
 * spawn `getconf CLK_TCK` to learn it. /proc/uptime and starttime both count
 * from boot on the same clock (boot time, including suspend).
 */

const CLOCK_TICKS_PER_SECOND = 100;
/** Seconds since boot, from /proc/uptime, as clock ticks. */
function uptimeTicks(procRoot = '/proc') {
    const seconds = Number(readProcFile(`${procRoot}/uptime`).split(' ')[0]);
    return Math.floor(seconds * CLOCK_TICKS_PER_SECOND);
}
/** Boot time in ms since the epoch: `btime` from /proc/stat. */
function bootTimeMs(procRoot = '/proc') {
    const match = /^btime (\d+)$/m.exec(readProcFile(`${procRoot}/stat`));
    return match ? Number(match[1]) * 1000 : undefined;
}
const ticksToMs = (ticks) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;

;// CONCATENATED MODULE: ./src/proc/environ.ts
/**
 * Picks named variables out of a NUL-separated /proc/PID/environ buffer.
 *
 * Environments hold secrets (tokens, keys), so this never returns a whole
 * environment: only the variables the caller names are kept.
 */
function pickEnv(raw, wanted) {
    const out = {};
    let found = 0;
    for (const entry of raw.split('\0')) {
        const eq = entry.indexOf('=');
        if (eq <= 0)
            continue;
        const name = entry.slice(0, eq);
        if (wanted.has(name) && !(name in out)) {
            out[name] = entry.slice(eq + 1);
            if (++found === wanted.size)
                break;
        }
    }
    return out;
}
/** argv from /proc/PID/cmdline: NUL-separated, usually with a trailing NUL. */
function parseCmdline(raw) {
    if (raw.length === 0)
        return [];
    const parts = raw.split('\0');
    if (parts[parts.length - 1] === '')
        parts.pop();
    return parts;
}

;// CONCATENATED MODULE: ./src/proc/stat.ts
/** include/linux/sched.h: `#define PF_KTHREAD 0x00200000` (I am a kernel thread). */
const PF_KTHREAD = 0x00200000;
function parseStat(text) {
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    if (open < 0 || close < open)
        return undefined;
    const pid = Number(text.slice(0, open).trim());
    const comm = text.slice(open + 1, close);
    // After ") ": field 3 (state) is rest[0], so field N is rest[N - 3]. Only fields up to 22 are
    // needed: scanning for them, rather than splitting all ~52, matters at thousands of processes a read.
    const rest = [];
    for (let at = close + 2; rest.length < 20;) {
        const end = text.indexOf(' ', at);
        if (end < 0) {
            rest.push(text.slice(at));
            break;
        }
        rest.push(text.slice(at, end));
        at = end + 1;
    }
    const field = (n) => Number(rest[n - 3]);
    const state = rest[0];
    const startTicks = field(22);
    if (!Number.isInteger(pid) || state === undefined || !Number.isFinite(startTicks))
        return undefined;
    return {
        pid,
        comm,
        state,
        ppid: field(4),
        pgid: field(5),
        sid: field(6),
        flags: field(9),
        startTicks,
    };
}
const isKernelThread = (s) => (s.flags & PF_KTHREAD) !== 0;

;// CONCATENATED MODULE: ./src/proc/linux.ts
/**
 * Process table reader for Linux, straight from /proc.
 *
 * `readLinuxTable` reads what every process needs (stat, cmdline, owner);
 * `readLinuxDetails` reads the costly or sensitive parts (environment, cwd,
 * cgroup) only for the processes detection asks about.
 *
 * Cost is per process and per file: each /proc/PID/* open is a path walk in
 * the kernel. `fullFor` lets the engine skip cmdline and the owner stat(2)
 * for processes it only needs the identity of (those in the baseline), which
 * is most of a snapshot's time on a busy host (README, Benchmark).
 */





function readLinuxTable(options = {}) {
    const root = options.procRoot ?? '/proc';
    const full = options.fullFor;
    const takenAt = Date.now();
    const now = uptimeTicks(root);
    const boot = bootTimeMs(root);
    const processes = [];
    for (const name of external_node_fs_default().readdirSync(root)) {
        const first = name.charCodeAt(0);
        if (first < 48 || first > 57)
            continue; // not a pid directory
        const info = readOne(root, name, boot, full);
        if (info)
            processes.push(info);
    }
    return { reader: 'linux-proc', takenAt, now, processes };
}
function readOne(root, pid, boot, full) {
    const statText = readIfPresent(`${root}/${pid}/stat`);
    if (statText === undefined)
        return undefined;
    const stat = parseStat(statText);
    if (!stat || isKernelThread(stat))
        return undefined;
    let argv = [];
    let uid;
    if (full === undefined || full(stat.pid, stat.startTicks)) {
        const cmdline = readIfPresent(`${root}/${pid}/cmdline`);
        if (cmdline === undefined)
            return undefined;
        const owner = external_node_fs_default().statSync(`${root}/${pid}`, { throwIfNoEntry: false });
        if (!owner)
            return undefined;
        argv = parseCmdline(cmdline);
        uid = owner.uid;
    }
    return {
        pid: stat.pid,
        ppid: stat.ppid,
        pgid: stat.pgid,
        sid: stat.sid,
        state: stat.state,
        uid,
        start: stat.startTicks,
        startedAt: boot === undefined ? undefined : boot + ticksToMs(stat.startTicks),
        comm: stat.comm,
        argv,
    };
}
/** `pid` and its ancestors, from a few stat reads: the processes a snapshot needs in full before it reads the rest. */
function linux_linuxLineage(pid, procRoot = '/proc') {
    const line = new Set();
    for (let current = pid; current > 0 && !line.has(current);) {
        line.add(current);
        const text = readIfPresent(`${procRoot}/${current}/stat`);
        const stat = text === undefined ? undefined : parseStat(text);
        if (!stat)
            break;
        current = stat.ppid;
    }
    return line;
}
/** Reads environment (only `wanted` variables), cwd and cgroup for one process. */
function readLinuxDetails(p, wanted, options = {}) {
    const dir = `${options.procRoot ?? '/proc'}/${p.pid}`;
    const environ = attempt(() => external_node_fs_default().readFileSync(`${dir}/environ`, 'utf8'));
    const env = environ.ok
        ? { readable: true, vars: pickEnv(environ.value, wanted) }
        : { readable: false, reason: environ.reason };
    const cwd = attempt(() => external_node_fs_default().readlinkSync(`${dir}/cwd`));
    const cgroup = attempt(() => external_node_fs_default().readFileSync(`${dir}/cgroup`, 'utf8'));
    return {
        ...p,
        env,
        cwd: cwd.ok ? cwd.value : undefined,
        cgroup: cgroup.ok ? parseCgroupV2(cgroup.value) : undefined,
    };
}
/** The unified-hierarchy line of /proc/PID/cgroup is `0::/path` (cgroups(7)). */
function parseCgroupV2(text) {
    const line = text.split('\n').find((l) => l.startsWith('0::'));
    return line?.slice(3);
}
/** Re-reads one process's start stamp: the check made right before each signal. */
function readStartTicks(pid, procRoot = '/proc') {
    const text = readIfPresent(`${procRoot}/${pid}/stat`);
    const stat = text === undefined ? undefined : parseStat(text);
    return stat ? { state: stat.state, start: stat.startTicks } : undefined;
}

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: external "node:process"
const external_node_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");
;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
;// CONCATENATED MODULE: ./node_modules/ps-list/index.js







const ps_list_dirname = external_node_path_namespaceObject.dirname((0,external_node_url_namespaceObject.fileURLToPath)(import.meta.url));

const DEFAULT_MAX_BUFFER = 64_000_000; // 64 MB
const MAXIMUM_PATH_COMBINATION_ATTEMPTS = 6; // Limit path parsing attempts for performance

const execFile = (0,external_node_util_namespaceObject.promisify)(external_node_child_process_namespaceObject.execFile);

// Process list field names (used in ps command output)
const PROCESS_FIELDS = {
	CPU_PERCENT: '%cpu',
	MEMORY_PERCENT: '%mem',
	PROCESS_ID: 'pid',
	PARENT_PROCESS_ID: 'ppid',
	USER_ID: 'uid',
	START_TIME: 'lstart',
	COMMAND_NAME: 'comm',
	ARGUMENTS: 'args',
};

// Helper to build ps command flags consistently
const buildProcessCommandFlags = includeAllUsersProcesses => (includeAllUsersProcesses === false ? '' : 'a') + 'wwxo';

// Safe Date parsing with validation
const makeStartTime = startTimeString => {
	if (!startTimeString) {
		return undefined;
	}

	const parsedDate = new Date(startTimeString);
	return Number.isNaN(parsedDate.getTime()) ? undefined : parsedDate;
};

// Extract executable path from command line using filesystem validation only
const extractExecutablePath = commandLine => {
	if (!commandLine) {
		return '';
	}

	// Skip non-path commands (no filesystem validation possible)
	if (!commandLine.startsWith('/') && !commandLine.startsWith('"')) {
		return '';
	}

	// Handle quoted paths first: "/path with spaces/executable"
	if (commandLine.startsWith('"')) {
		const quotedPathMatch = commandLine.match(/^"([^"]+)"/);
		if (quotedPathMatch && external_node_fs_namespaceObject.existsSync(quotedPathMatch[1])) {
			return quotedPathMatch[1];
		}

		return '';
	}

	// For unquoted absolute paths, try different strategies
	const commandParts = commandLine.split(' ');

	// Strategy 1: Simple first token (most common case)
	const firstCommandToken = commandParts[0];
	if (external_node_fs_namespaceObject.existsSync(firstCommandToken)) {
		return firstCommandToken;
	}

	// Strategy 2: Progressive combination for paths with spaces
	// Limit to reasonable number of attempts for performance
	const maximumCombinationAttempts = Math.min(commandParts.length, MAXIMUM_PATH_COMBINATION_ATTEMPTS);
	for (let tokenCount = 2; tokenCount <= maximumCombinationAttempts; tokenCount++) {
		const candidateExecutablePath = commandParts.slice(0, tokenCount).join(' ');
		if (external_node_fs_namespaceObject.existsSync(candidateExecutablePath)) {
			return candidateExecutablePath;
		}
	}

	return '';
};

// Resolve executable path - simple approach
const resolveExecutablePath = (operatingSystemPlatform, processId, commandLine) => {
	// On Linux, try /proc/{pid}/exe first for accurate path
	if (operatingSystemPlatform === 'linux' && processId) {
		try {
			const symbolicLink = external_node_fs_namespaceObject.readlinkSync(`/proc/${processId}/exe`);
			return symbolicLink.replace(/\s+\(deleted\)$/, '');
		} catch {
			// Continue to other methods
		}
	}

	// Extract path from command line
	return extractExecutablePath(commandLine);
};

// Parse and validate numeric field with fallback
const parseNumericField = (fieldValue, parserFunction = Number.parseInt, defaultValue = 0) => {
	if (!fieldValue) {
		return defaultValue;
	}

	const parsedValue = parserFunction(fieldValue, 10);
	return Number.isNaN(parsedValue) ? defaultValue : parsedValue;
};

// Parse integer or return undefined - used for uid to avoid conflating unknown with root (0)
const parseIntegerOrUndefined = fieldValue => {
	if (fieldValue === undefined || fieldValue === '') {
		return undefined;
	}

	const parsedValue = Number.parseInt(fieldValue, 10);
	return Number.isNaN(parsedValue) ? undefined : parsedValue;
};

// Unified field parser
const parseProcessFields = ({processId, parentProcessId, userId, cpuUsage, memoryUsage, commandName, startTimeString, command}) => {
	// Parse numeric fields with proper defaults
	const parsedProcessId = parseNumericField(processId);
	const parsedParentProcessId = parseNumericField(parentProcessId);
	const parsedUserId = parseIntegerOrUndefined(userId);
	const parsedCpuUsagePercentage = parseNumericField(cpuUsage, Number.parseFloat);
	const parsedMemoryUsagePercentage = parseNumericField(memoryUsage, Number.parseFloat);

	// Resolve executable path from command line
	const resolvedExecutablePath = resolveExecutablePath(external_node_process_namespaceObject.platform, parsedProcessId, command);

	// Derive process name: prefer basename of path, fallback to command name
	const derivedProcessName = resolvedExecutablePath ? external_node_path_namespaceObject.basename(resolvedExecutablePath) : (commandName || '');

	return {
		pid: parsedProcessId,
		ppid: parsedParentProcessId,
		uid: parsedUserId, // Undefined when uid can't be parsed (avoid conflating with root)
		cpu: parsedCpuUsagePercentage,
		memory: parsedMemoryUsagePercentage,
		name: derivedProcessName,
		path: resolvedExecutablePath,
		startTime: makeStartTime(startTimeString),
		cmd: command || '',
	};
};

const windows = async () => {
	// Source: https://github.com/MarkTiedemann/fastlist
	let binary;
	switch (external_node_process_namespaceObject.arch) {
		case 'x64': {
			binary = 'fastlist-0.3.0-x64.exe';
			break;
		}

		case 'ia32': {
			binary = 'fastlist-0.3.0-x86.exe';
			break;
		}

		case 'arm64': {
			throw new Error('Windows ARM64 is not supported yet.');
		}

		default: {
			throw new Error(`Unsupported architecture: ${external_node_process_namespaceObject.arch}`);
		}
	}

	const binaryPath = external_node_path_namespaceObject.join(ps_list_dirname, 'vendor', binary);
	const {stdout} = await execFile(binaryPath, {
		maxBuffer: DEFAULT_MAX_BUFFER,
		windowsHide: true,
		encoding: 'utf8',
	});

	return stdout
		.trim()
		.split(/\r?\n/)
		.map(line => line.split('\t'))
		.map(([processId, parentProcessId, processName]) => ({
			pid: Number.parseInt(processId, 10),
			ppid: Number.parseInt(parentProcessId, 10),
			name: processName,
		}));
};

// Fallback implementation with multiple ps calls
const nonWindowsFallbackMultipleCalls = async (options = {}) => {
	const processDataByProcessId = {};
	const processCommandFlags = buildProcessCommandFlags(options.all);

	const fields = [
		PROCESS_FIELDS.COMMAND_NAME,
		PROCESS_FIELDS.ARGUMENTS,
		PROCESS_FIELDS.PARENT_PROCESS_ID,
		PROCESS_FIELDS.USER_ID,
		PROCESS_FIELDS.CPU_PERCENT,
		PROCESS_FIELDS.MEMORY_PERCENT,
		PROCESS_FIELDS.START_TIME,
	];

	await Promise.all(fields.map(async fieldName => {
		// Use headerless output with = syntax
		const {stdout} = await execFile('ps', [processCommandFlags, `${PROCESS_FIELDS.PROCESS_ID}=,${fieldName}=`], {
			maxBuffer: DEFAULT_MAX_BUFFER,
			encoding: 'utf8',
			env: {
				...external_node_process_namespaceObject.env,
				LC_ALL: 'C',
				LANG: 'C',
			},
		});

		for (const line of stdout.trim().split('\n')) {
			const trimmedLine = line.trim();
			const spaceIndex = trimmedLine.indexOf(' ');
			if (spaceIndex === -1) {
				// No space found - treat entire line as processId with empty field value
				const processId = trimmedLine;
				const fieldValue = '';
				processDataByProcessId[processId] ??= {};
				processDataByProcessId[processId][fieldName] = fieldValue;
				continue;
			}

			const processId = trimmedLine.slice(0, spaceIndex);
			const fieldValue = trimmedLine.slice(spaceIndex + 1).trim();

			processDataByProcessId[processId] ??= {};
			processDataByProcessId[processId][fieldName] = fieldValue;
		}
	}));

	// Filter out incomplete entries and convert to process objects
	return Object.entries(processDataByProcessId)
		.filter(([, data]) => data[PROCESS_FIELDS.COMMAND_NAME] && data[PROCESS_FIELDS.PARENT_PROCESS_ID] !== undefined)
		.map(([processId, data]) => parseProcessFields({
			processId,
			parentProcessId: data[PROCESS_FIELDS.PARENT_PROCESS_ID],
			userId: data[PROCESS_FIELDS.USER_ID],
			cpuUsage: data[PROCESS_FIELDS.CPU_PERCENT],
			memoryUsage: data[PROCESS_FIELDS.MEMORY_PERCENT],
			commandName: data[PROCESS_FIELDS.COMMAND_NAME],
			startTimeString: data[PROCESS_FIELDS.START_TIME],
			command: data[PROCESS_FIELDS.ARGUMENTS] ?? '',
		}));
};

// Main implementation with headerless output and simpler parsing
const nonWindowsCall = async (options = {}) => {
	const processCommandFlags = buildProcessCommandFlags(options.all);

	// Common execFile options to avoid duplication
	const executeFileOptions = {
		maxBuffer: DEFAULT_MAX_BUFFER,
		encoding: 'utf8',
		env: {
			...external_node_process_namespaceObject.env,
			LC_ALL: 'C',
			LANG: 'C',
		},
	};

	// Build field lists for ps commands
	const processFieldCommaSeparatedList = [
		PROCESS_FIELDS.PROCESS_ID,
		PROCESS_FIELDS.PARENT_PROCESS_ID,
		PROCESS_FIELDS.USER_ID,
		PROCESS_FIELDS.CPU_PERCENT,
		PROCESS_FIELDS.MEMORY_PERCENT,
		PROCESS_FIELDS.START_TIME,
		PROCESS_FIELDS.COMMAND_NAME,
	].map(fieldName => `${fieldName}=`).join(',');

	const commandFieldCommaSeparatedList = [
		PROCESS_FIELDS.PROCESS_ID,
		PROCESS_FIELDS.ARGUMENTS,
	].map(fieldName => `${fieldName}=`).join(',');

	// Use headerless output with = syntax for consistent parsing
	const processListingPromises = [
		execFile('ps', [processCommandFlags, processFieldCommaSeparatedList], executeFileOptions),
		execFile('ps', [processCommandFlags, commandFieldCommaSeparatedList], executeFileOptions),
	];

	const [processOutput, commandOutput] = await Promise.all(processListingPromises);
	const processLines = processOutput.stdout.trim().split('\n');
	const commandLines = commandOutput.stdout.trim().split('\n');

	// Build command lookup map
	const commandLinesByProcessId = {};
	for (const line of commandLines) {
		const trimmedLine = line.trim();
		const spaceIndex = trimmedLine.indexOf(' ');
		if (spaceIndex === -1) {
			// No space found - treat entire line as processId with empty command
			const processId = trimmedLine;
			commandLinesByProcessId[processId] = '';
			continue;
		}

		const processId = trimmedLine.slice(0, spaceIndex);
		const command = trimmedLine.slice(spaceIndex + 1).trim();
		commandLinesByProcessId[processId] = command;
	}

	// Parse process lines - format: pid ppid uid cpu mem lstart comm
	const processes = [];
	for (const line of processLines) {
		const trimmedLine = line.trim();
		if (!trimmedLine) {
			continue;
		}

		// Parse fixed-width fields more carefully
		// Format: "pid ppid uid cpu mem Day Mon DD HH:MM:SS YYYY comm"
		// First 5 fields should be numeric values (pid, ppid, uid are integers; cpu, memory are floats)
		// Regex breakdown: ^(\d+) = pid, \s+(\d+) = ppid, \s+(\d+) = uid, \s+([\d.]+) = cpu%, \s+([\d.]+) = mem%, \s+(.+) = rest
		const processLineRegexMatch = trimmedLine.match(/^(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(.+)/);
		if (!processLineRegexMatch) {
			continue;
		}

		const [, processId, parentProcessId, userId, cpuUsage, memoryUsage, dateAndCommandPortion] = processLineRegexMatch;

		// Parse lstart from dateAndCommandPortion - it's always: "Day Mon DD HH:MM:SS YYYY"
		// This regex handles both single and double digit days
		// Regex breakdown: ((?:\w{3}\s+){2} = "Day Mon ", \d{1,2} = day, \s+(?:\d{2}:){2}\d{2} = "HH:MM:SS", \s+\d{4}) = " YYYY"
		const startTimeRegexMatch = dateAndCommandPortion.match(/^((?:\w{3}\s+){2}\d{1,2}\s+(?:\d{2}:){2}\d{2}\s+\d{4})\s+(.*)$/);

		let startTimeString = '';
		let processCommandName = dateAndCommandPortion; // Fallback if start time parsing fails

		if (startTimeRegexMatch) {
			startTimeString = startTimeRegexMatch[1];
			processCommandName = startTimeRegexMatch[2] || '';
		}

		processes.push(parseProcessFields({
			processId,
			parentProcessId,
			userId,
			cpuUsage,
			memoryUsage,
			commandName: processCommandName,
			startTimeString,
			command: commandLinesByProcessId[processId] ?? '',
		}));
	}

	return processes;
};

const nonWindows = async (options = {}) => {
	try {
		return await nonWindowsCall(options);
	} catch {
		// Fallback to multiple calls if main approach fails
		return nonWindowsFallbackMultipleCalls(options);
	}
};

const psList = external_node_process_namespaceObject.platform === 'win32' ? windows : nonWindows;

/* harmony default export */ const ps_list = (psList);

;// CONCATENATED MODULE: ./src/proc/portable.ts
/**
 * Portable process table reader for macOS and other Unixes, built on `ps-list`
 * for names and command lines plus one `ps` call for the fields ps-list does
 * not give (process group, session, state, start time).
 *
 * `lstart` has one-second resolution, so identities from this reader are
 * (pid, start second): coarser than Linux ticks, still enough to tell a reused
 * pid from the original in all but same-second reuse.
 */



const run = (0,external_node_util_namespaceObject.promisify)(external_node_child_process_namespaceObject.execFile);
const PS_FIELDS = ['pid=', 'ppid=', 'pgid=', 'sess=', 'stat=', 'uid=', 'lstart='];
/** Parses `ps -A -o pid=,ppid=,pgid=,sess=,stat=,uid=,lstart=` output. */
function parsePsRows(text) {
    const rows = new Map();
    for (const line of text.split('\n')) {
        const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
        if (!m)
            continue;
        const num = (s) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
        const started = Date.parse(m[7] ?? '');
        rows.set(Number(m[1]), {
            pid: Number(m[1]),
            ppid: Number(m[2]),
            pgid: Number(m[3]),
            sid: num(m[4]),
            state: (m[5] ?? '?').charAt(0),
            uid: num(m[6]),
            startedAt: Number.isNaN(started) ? undefined : started,
        });
    }
    return rows;
}
async function readPortableTable() {
    const takenAt = Date.now();
    const now = Math.floor(takenAt / 1000);
    const [listed, ps] = await Promise.all([
        ps_list({ all: true }),
        run('ps', ['-A', '-o', PS_FIELDS.join(',')], { env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' }, maxBuffer: 64 << 20 }),
    ]);
    const rows = parsePsRows(ps.stdout);
    const processes = [];
    for (const item of listed) {
        const row = rows.get(item.pid);
        if (!row || row.startedAt === undefined)
            continue; // exited between the two reads
        processes.push({
            pid: item.pid,
            ppid: row.ppid,
            pgid: row.pgid,
            sid: row.sid,
            state: row.state,
            uid: row.uid ?? item.uid,
            start: Math.floor(row.startedAt / 1000),
            startedAt: row.startedAt,
            comm: item.name,
            argv: item.cmd ? splitArgs(item.cmd) : [],
        });
    }
    return { reader: 'ps', takenAt, now, processes };
}
/** ps prints argv joined by spaces; the split is lossy for arguments with spaces. */
const splitArgs = (cmd) => cmd.split(' ').filter((s) => s.length > 0);
/**
 * Environment via `ps eww` (BSD/macOS and procps print it after the command).
 * Only names in `wanted` are kept. `ps` prints nothing for processes whose
 * environment the caller may not read, which we report as unreadable.
 */
async function readPortableEnv(pids, wanted) {
    const out = new Map();
    if (pids.length === 0)
        return out;
    const { stdout } = await run('ps', ['eww', '-o', 'pid=,command=', '-p', pids.join(',')], { maxBuffer: 64 << 20 }).catch((error) => ({ stdout: error.stdout ?? '' }));
    for (const line of stdout.split('\n')) {
        const m = /^\s*(\d+)\s(.*)$/.exec(line);
        if (!m)
            continue;
        const vars = {};
        for (const token of (m[2] ?? '').split(' ')) {
            const eq = token.indexOf('=');
            if (eq > 0 && wanted.has(token.slice(0, eq)))
                vars[token.slice(0, eq)] = token.slice(eq + 1);
        }
        out.set(Number(m[1]), { readable: true, vars });
    }
    for (const pid of pids)
        if (!out.has(pid))
            out.set(pid, { readable: false, reason: 'not shown by ps' });
    return out;
}

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./src/proc/privileged.ts
/**
 * Reading environments the checker may not read, through ONE privileged helper
 * invocation for all of them (issue 10).
 *
 * A non-root checker cannot read /proc/PID/environ of a process that is not
 * dumpable: ssh-agent is setgid (execve(2) clears the dumpable flag) and
 * gpg-agent calls prctl(PR_SET_DUMPABLE, 0); proc(5) then owns the file by
 * root and ptrace access mode checks refuse it even to the same user. Where
 * passwordless `sudo -n` works (GitHub-hosted runners), root can read them.
 *
 * One `sudo -n sh -c …` for every pid, not one per process: sudo logs each
 * call and costs a fork/exec and a PAM session. The helper prints, per pid, a
 * header entry `<token>=<pid>` followed by the raw environ; the token is
 * random per call, so no process can forge a header through its own
 * environment and make us read its variables as another pid's. The output is
 * filtered to the wanted variables as it is parsed and the raw text dropped:
 * whole environments (secrets) are never kept.
 */



const SUDO_PREFIX = ['sudo', '-n'];
const isRoot = () => process.getuid?.() === 0;
/** What to use when the caller chose nothing: `sudo -n` when not root; none (false) for root, who needs no helper. */
const defaultPrivilegePrefix = () => (isRoot() ? false : SUDO_PREFIX);
// `printf '\0'` before each header ends an environ whose last entry lacks its NUL.
const SCRIPT = 'root=$1; token=$2; shift 2; for p; do printf "\\0%s=%s\\0" "$token" "$p"; ' +
    'cat "$root/$p/environ" 2>/dev/null || printf "\\0%s-failed=%s\\0" "$token" "$p"; done';
/** The argv of the one helper invocation (exported for tests and for the report's wording). */
function privilegedArgv(prefix, pids, token, procRoot = '/proc') {
    return [...prefix, 'sh', '-c', SCRIPT, 'sh', procRoot, token, ...pids.map(String)];
}
/** Parses the helper's output into per-pid views holding only `wanted` variables. */
function parsePrivilegedOutput(raw, token, pids, wanted) {
    const out = new Map();
    const header = `${token}=`;
    const failed = `${token}-failed=`;
    // Split into per-pid sections on the header entries; each section is a NUL-separated environ.
    const parts = raw.split(`\0${header}`);
    for (const part of parts.slice(1)) {
        const end = part.indexOf('\0');
        const pid = Number(end < 0 ? part : part.slice(0, end));
        if (!Number.isInteger(pid))
            continue;
        const body = end < 0 ? '' : part.slice(end + 1);
        if (body.includes(`\0${failed}${pid}\0`) || body.startsWith(`${failed}${pid}\0`)) {
            out.set(pid, { readable: false, reason: 'unreadable even to root (process gone?)' });
        }
        else {
            out.set(pid, { readable: true, vars: pickEnv(body, wanted), via: 'privileged' });
        }
    }
    for (const pid of pids)
        if (!out.has(pid))
            out.set(pid, { readable: false, reason: 'not printed by the privileged helper' });
    return out;
}
/** Helpers found unusable in this process (no sudo, password required): tried once, then one reason. */
const refused = new Map();
async function readEnvironsPrivileged(pids, wanted, options) {
    const command = options.prefix.length > 0 ? options.prefix.join(' ') : '(direct)';
    const known = refused.get(command);
    if (known !== undefined)
        return { ok: false, reason: known, command };
    if (pids.length === 0)
        return { ok: true, envs: new Map(), command };
    const token = `strays-${(0,external_node_crypto_namespaceObject.randomBytes)(12).toString('hex')}`;
    const [file, ...args] = privilegedArgv(options.prefix, pids, token, options.procRoot);
    const result = await new Promise((resolve) => {
        (0,external_node_child_process_namespaceObject.execFile)(file, args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: options.timeoutMs ?? 10_000, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => resolve({ stdout, stderr, error }));
    });
    if (result.error) {
        const e = result.error;
        const reason = e.code === 'ENOENT'
            ? `${options.prefix[0] ?? 'sh'} is not installed`
            : // execvp reports EACCES when a PATH directory is unreadable and the program was found nowhere else.
                e.code === 'EACCES' && e.syscall?.startsWith('spawn')
                    ? `${options.prefix[0] ?? 'sh'} is not installed (or not executable by this user)`
                    : `${command} refused: ${result.stderr.trim().split('\n')[0] || e.message}`;
        // A helper that printed our headers did run as root (e.g. it timed out late): keep what it read.
        if (!result.stdout.includes(token)) {
            refused.set(command, reason);
            return { ok: false, reason, command };
        }
    }
    return { ok: true, envs: parsePrivilegedOutput(result.stdout, token, pids, wanted), command };
}
/** Forgets refusals (tests). */
const resetPrivilegedRefusals = () => refused.clear();

;// CONCATENATED MODULE: ./src/proc/types.ts
/**
 * What a process-table reader reports about one process.
 *
 * Unknown values are `undefined`, never `0`: pid 0, uid 0 (root) and tick 0 are
 * all real values, and a guard that kills processes must not confuse "unknown"
 * with "root" or "the swapper".
 */
const types_identityKey = (p) => `${p.pid}@${p.start}`;
const sameIdentity = (a, b) => a.pid === b.pid && a.start === b.start;
const isZombie = (p) => p.state === 'Z' || p.state === 'X';
const commandLine = (p) => p.argv.length > 0 ? p.argv.join(' ') : `[${p.comm}]`;

;// CONCATENATED MODULE: ./src/proc/index.ts
/**
 * The process table of this machine, from the best reader for the platform.
 */





/** Environment variables detection and reports may use. Nothing else is read into memory. */
const WANTED_ENV = new Set([
    'STRAYS_SESSION',
    'RUNNER_TRACKING_ID',
    'GITHUB_ACTION',
    'STRAYS_STEP',
]);
const defaultReader = () => (process.platform === 'linux' ? 'linux-proc' : 'ps');
/** For callers that need only what stat gives (pid, ppid, pgid, sid, state, start, comm): about half the cost of a full read. */
const STAT_ONLY = Object.freeze({ fullFor: () => false });
async function proc_readTable(reader = defaultReader(), options = {}) {
    return reader === 'linux-proc' ? readLinuxTable({ fullFor: options.fullFor }) : readPortableTable();
}
/** Returns the table with environment, cwd and cgroup filled in for the chosen processes. */
async function readDetails(table, choose) {
    const chosen = new Set(table.processes.filter(choose).map((p) => p.pid));
    if (table.reader === 'linux-proc') {
        return { ...table, processes: table.processes.map((p) => (chosen.has(p.pid) ? readLinuxDetails(p, WANTED_ENV) : p)) };
    }
    const envs = await readPortableEnv([...chosen], WANTED_ENV);
    return { ...table, processes: table.processes.map((p) => (envs.has(p.pid) ? { ...p, env: envs.get(p.pid) } : p)) };
}
/**
 * Re-reads, through one privileged helper call (`prefix`, e.g. `sudo -n`), the
 * environments that readDetails found unreadable ("permission denied"), and
 * marks them `via: 'privileged'`. Linux only. `note` says why nothing was read
 * when the helper is unusable (no sudo, password required); an unusable helper
 * is tried once per process, later calls return the same note without running it.
 */
async function readUnreadableEnvs(table, prefix) {
    const denied = table.processes.filter((p) => p.env?.readable === false && p.env.reason === 'permission denied').map((p) => p.pid);
    if (table.reader !== 'linux-proc' || denied.length === 0)
        return { table, read: 0 };
    const result = await readEnvironsPrivileged(denied, WANTED_ENV, { prefix });
    if (!result.ok)
        return { table, read: 0, note: `Environments of ${denied.length} process(es) are unreadable and ${result.reason}: they are judged without them.` };
    let read = 0;
    const processes = table.processes.map((p) => {
        const env = result.envs.get(p.pid);
        if (!env?.readable)
            return p;
        read++;
        return { ...p, env };
    });
    return { table: { ...table, processes }, read };
}
/** `pid` and its ancestors as far as can be read now (Linux), else undefined: a snapshot reads these in full. */
const proc_lineageOf = (pid, reader = defaultReader()) => reader === 'linux-proc' ? linuxLineage(pid) : undefined;

;// CONCATENATED MODULE: ./src/engine/session.ts
/**
 * The job's marks: the variables that tie a process to one job.
 *
 * `STRAYS_SESSION` is ours: exported to every later step, inherited by every
 * child, and kept by a daemon that double-forks to PID 1 (fork does not clear
 * the environment). `RUNNER_TRACKING_ID` is the GitHub runner's own per-job
 * mark, which it uses for its orphan cleanup; we honour it too.
 */

const SESSION_VAR = 'STRAYS_SESSION';
const TRACKING_VAR = 'RUNNER_TRACKING_ID';
/** Set by the runner to the step's id (or `__run_2`, `__actions_checkout`) for every step. */
const STEP_VAR = 'GITHUB_ACTION';
/** Set by `strays run` to the guarded command, so findings outside GitHub still name their step. */
const CLI_STEP_VAR = 'STRAYS_STEP';
/** 16 random hex digits: unguessable enough that another job never collides with ours. */
const newSessionId = () => `strays-${(0,external_node_crypto_namespaceObject.randomBytes)(8).toString('hex')}`;
const SESSION_PATTERN = /^strays-[0-9a-f]{16}$/;
const isSessionId = (value) => SESSION_PATTERN.test(value);

;// CONCATENATED MODULE: ./src/engine/tree.ts
function buildTree(processes) {
    const byPid = new Map();
    const children = new Map();
    for (const p of processes)
        byPid.set(p.pid, p);
    for (const p of processes) {
        const list = children.get(p.ppid);
        if (list)
            list.push(p.pid);
        else
            children.set(p.ppid, [p.pid]);
    }
    return { byPid, children };
}
/** Pids of the ancestors of `pid`, parent first, as far as the table knows them. Cycle-safe. */
function ancestorsOf(tree, pid) {
    const chain = [];
    const seen = new Set([pid]);
    let current = tree.byPid.get(pid);
    while (current && current.ppid > 0 && !seen.has(current.ppid)) {
        chain.push(current.ppid);
        seen.add(current.ppid);
        current = tree.byPid.get(current.ppid);
    }
    return chain;
}
/** All descendants of `pid` in the table (breadth first). */
function descendantsOf(tree, pid) {
    const out = [];
    const queue = [...(tree.children.get(pid) ?? [])];
    const seen = new Set([pid]);
    while (queue.length > 0) {
        const next = queue.shift();
        if (seen.has(next))
            continue;
        seen.add(next);
        out.push(next);
        queue.push(...(tree.children.get(next) ?? []));
    }
    return out;
}

;// CONCATENATED MODULE: ./src/engine/baseline.ts


/** Builds the baseline from a table read at job start. Pure apart from the random session id. */
function baseline_snapshotFrom(input) {
    const self = input.self ?? process.pid;
    const tree = buildTree(input.table.processes);
    const me = tree.byPid.get(self);
    if (!me)
        throw new Error(`The process table has no entry for the snapshotting process (pid ${self}).`);
    const ancestors = ancestorsOf(tree, self)
        .map((pid) => tree.byPid.get(pid))
        .filter((p) => p !== undefined)
        .map((p) => ({ pid: p.pid, start: p.start, comm: p.comm, argv: p.argv }));
    const tracking = input.runnerTrackingId;
    return {
        session: input.session ?? newSessionId(),
        runnerTrackingId: tracking !== undefined && tracking !== '' ? tracking : undefined,
        reader: input.table.reader,
        takenAt: input.table.takenAt,
        start: input.table.now,
        snapshotter: { pid: me.pid, start: me.start },
        ancestors,
        uid: me.uid,
        processes: input.table.processes.map((p) => ({ pid: p.pid, start: p.start })),
    };
}

;// CONCATENATED MODULE: ./src/engine/activity.ts
/**
 * Was another job active on the host? The time-window rule (time-window.ts)
 * may only guess when the answer is a confident "no".
 *
 * Evidence, all from the table detection already has (pure):
 * - a live process carrying a different STRAYS_SESSION, or a RUNNER_TRACKING_ID
 *   other than this job's: another job's step, or its leak;
 * - a `Runner.Worker` that is not in our runner chain: the GitHub runner runs one
 *   worker per job, so a second worker is a second job (several runners side by side);
 * - another active strays session in the host state (`otherSessions`, supplied
 *   by the caller; detection does no I/O).
 * Only processes whose environment was read can show a marker: readCurrent
 * reads the environments of every process when a time-window candidate exists.
 * A process whose environment stays unreadable shows nothing; that is why a
 * second worker and the host state are checked too.
 */


/** comm of the GitHub runner's per-job process (actions/runner src/Runner.Worker). */
const RUNNER_WORKER_COMM = 'Runner.Worker';
const MAX_EVIDENCE = 5;
function hostActivity(input) {
    const { baseline } = input;
    const evidence = [];
    let total = 0;
    const note = (text) => {
        total++;
        if (evidence.length < MAX_EVIDENCE)
            evidence.push(text);
    };
    for (const session of input.otherSessions ?? []) {
        if (session !== baseline.session)
            note(`strays session ${session} is active on this host`);
    }
    for (const p of input.processes) {
        if (isZombie(p) || input.protectedPids.has(p.pid))
            continue;
        if (p.comm === RUNNER_WORKER_COMM) {
            note(`pid ${p.pid} is another runner's ${RUNNER_WORKER_COMM}`);
            continue;
        }
        const vars = p.env?.readable ? p.env.vars : undefined;
        if (!vars)
            continue;
        const session = vars[SESSION_VAR];
        const tracking = vars[TRACKING_VAR];
        if (session !== undefined && session !== '' && session !== baseline.session) {
            note(`pid ${p.pid} (${p.comm}) carries another job's ${SESSION_VAR}=${session}`);
        }
        else if (tracking !== undefined && tracking !== '' && tracking !== baseline.runnerTrackingId && session !== baseline.session) {
            // Our own steps carry our session; without ours (strays run outside GitHub) any tracking id is another job's.
            note(`pid ${p.pid} (${p.comm}) carries another job's ${TRACKING_VAR}=${tracking}`);
        }
    }
    if (total > evidence.length)
        evidence.push(`and ${total - evidence.length} more`);
    return { quiet: total === 0, evidence };
}

;// CONCATENATED MODULE: ./src/engine/membership.ts

function markerMembership(baseline, p) {
    const vars = p.env?.readable ? p.env.vars : undefined;
    if (!vars)
        return { kind: 'unknown' };
    const session = vars[SESSION_VAR];
    const tracking = vars[TRACKING_VAR];
    if (session !== undefined && session !== '' && session !== baseline.session) {
        return { kind: 'foreign', reason: `carries another job's ${SESSION_VAR}=${session}` };
    }
    const ours = baseline.runnerTrackingId;
    if (ours !== undefined && tracking !== undefined && tracking !== '' && tracking !== ours) {
        return { kind: 'foreign', reason: `carries another job's ${TRACKING_VAR}=${tracking}` };
    }
    // An environment the checker could not read itself, read as root (src/proc/privileged.ts): exact, but say how.
    const privileged = p.env?.readable === true && p.env.via === 'privileged';
    const how = privileged ? ' (environment read as root; unreadable to the job\'s user)' : '';
    if (session === baseline.session) {
        return { kind: 'member', attribution: privileged ? 'privileged-read' : 'marker', reason: `carries this job's ${SESSION_VAR}${how}` };
    }
    if (ours !== undefined && tracking === ours) {
        return { kind: 'member', attribution: privileged ? 'privileged-read' : 'tracking-id', reason: `carries this job's ${TRACKING_VAR}${how}` };
    }
    return { kind: 'unknown' };
}
function directMembership(baseline, p, rules) {
    const marker = markerMembership(baseline, p);
    if (marker.kind !== 'unknown')
        return marker;
    for (const rule of rules) {
        const reason = rule.test(p);
        if (reason !== undefined)
            return { kind: 'member', attribution: rule.attribution, reason };
    }
    return marker;
}

;// CONCATENATED MODULE: ./src/engine/time-window.ts
/**
 * The time window: the one heuristic, for processes that show no marker at all
 * (issue 10). ssh-agent and gpg-agent make their environment unreadable
 * (PR_SET_DUMPABLE 0), and `env -i` or `sudo` daemons start without one; all
 * of them double-fork and setsid, so no lineage is left either.
 *
 * Such a process is a candidate when every one of these holds:
 * - it runs as the job's user (baseline.uid);
 * - it is new: started at or after the baseline and not in it;
 * - it is orphaned: its parent is PID 1, or a known subreaper (below);
 * - it lives in the cgroup of the checker or the runner chain (or below it, or
 *   in the job's cgroup): fork(2) keeps the cgroup, so a daemon the job
 *   double-forked stays in the runner service's cgroup, while a service that
 *   systemd (PID 1, or systemd --user) starts during the job gets its own unit
 *   cgroup and is not the job's. Unknown cgroups (v1-only hosts) do not exclude;
 * - it shows no job marker: environment unreadable, not read, or read without
 *   STRAYS_SESSION / RUNNER_TRACKING_ID.
 * Detection then attributes it only when the host was otherwise quiet
 * (activity.ts); otherwise it is reported as unattributed.
 *
 * Subreapers (prctl(2) PR_SET_CHILD_SUBREAPER) adopt orphans instead of PID 1,
 * and Linux does not show the flag in /proc. We do NOT take "any parent older
 * than the job" as a subreaper: cron, sshd or a user's shell are older than the
 * job too, and what they start during the job is not the job's. Only a parent
 * that predates the job, is not our runner chain, and is one of the programs
 * below (which set the flag to adopt orphans: systemd --user, container inits)
 * counts. Anything else with a live, unrelated parent is left alone.
 */


/** comm of programs that make themselves child subreapers to adopt orphans. */
const SUBREAPERS = new Set(['systemd', 'tini', 'docker-init', 'dumb-init', 'catatonit']);
/** The cgroups of the checker and the live runner chain, and the job's own cgroup: where the job's processes live. */
function referenceCgroups(baseline, tree, protectedPids) {
    const out = new Set();
    for (const pid of protectedPids.keys()) {
        const cgroup = tree.byPid.get(pid)?.cgroup;
        if (cgroup !== undefined)
            out.add(cgroup);
    }
    const job = baseline.cgroup;
    if (job)
        out.add(`${job.mountRoot && job.mountRoot !== '/' ? job.mountRoot : ''}${job.path}`);
    return [...out];
}
const within = (cgroup, parent) => cgroup === parent || parent === '/' || cgroup.startsWith(`${parent}/`);
/** False when `p`'s cgroup is known and is none of (nor below) the job's reference cgroups. */
function inJobCgroups(ctx, p) {
    if (ctx.cgroups === undefined || ctx.cgroups.length === 0 || p.cgroup === undefined)
        return true;
    const cgroup = p.cgroup;
    return ctx.cgroups.some((ref) => within(cgroup, ref));
}
const isNewIn = (ctx, p) => p.start >= ctx.baseline.start && !ctx.baselineKeys.has(types_identityKey(p));
/** True when the process's readable environment carries any job marker (ours or another's). */
function hasMarker(p) {
    const vars = p.env?.readable ? p.env.vars : undefined;
    return Boolean(vars && (vars[SESSION_VAR] || vars[TRACKING_VAR]));
}
/** How `p` was orphaned, or undefined when it has a live parent that is not PID 1 or a known subreaper. */
function orphanedHow(ctx, p) {
    if (p.ppid === 1)
        return 'orphaned (parent is PID 1)';
    const parent = ctx.tree.byPid.get(p.ppid);
    if (!parent || isNewIn(ctx, parent) || ctx.protectedPids.has(parent.pid))
        return undefined;
    return SUBREAPERS.has(parent.comm) ? `orphaned (adopted by subreaper pid ${parent.pid} ${parent.comm})` : undefined;
}
function envWording(p) {
    if (p.env === undefined)
        return 'environment not read';
    if (!p.env.readable)
        return `environment unreadable (${p.env.reason})`;
    return p.env.via === 'privileged' ? 'environment (read as root) has no job marker' : 'environment has no job marker';
}
/**
 * The time-window reason for `p` ("started during the job by its user,
 * orphaned (parent is PID 1); environment unreadable (permission denied)"),
 * or undefined when `p` is not a candidate. Host activity is judged separately.
 */
function timeWindowReason(ctx, p) {
    const uid = ctx.baseline.uid;
    if (uid === undefined || p.uid !== uid)
        return undefined;
    if (ctx.protectedPids.has(p.pid) || !isNewIn(ctx, p) || hasMarker(p))
        return undefined;
    const orphaned = orphanedHow(ctx, p);
    if (orphaned === undefined || !inJobCgroups(ctx, p))
        return undefined;
    return `started during the job by its user, ${orphaned}; ${envWording(p)}`;
}

;// CONCATENATED MODULE: ./src/engine/detect.ts
/**
 * Detection: baseline + current table → what the job left behind.
 *
 * Pure: no I/O, no clock, no signals. A live process is a finding only when
 * it is new (not in the baseline by pid + start time, started at or after job
 * start), it is the job's (its own marker, or descent from a process that has
 * one), and it is not protected (the checker, the runner chain, another job's,
 * or allowed by the user). A new process with no marker at all may still be
 * the job's by the time window (time-window.ts): attributed when the host was
 * quiet, reported as unattributed when another job was active.
 */







function isNew(baseline, baselineKeys, p) {
    return p.start >= baseline.start && !baselineKeys.has(types_identityKey(p));
}
/** Processes detection needs environments for: only the new ones (cheap, and fewer secrets in memory). */
function newProcesses(baseline, table) {
    const keys = new Set(baseline.processes.map(identityKey));
    return table.processes.filter((p) => isNew(baseline, keys, p));
}
/** Pids that must never be touched: the checker, its ancestors, and the runner chain recorded at job start. */
function protectedPids(baseline, tree, checker) {
    const out = new Map([[checker, 'is the checking process']]);
    for (const pid of ancestorsOf(tree, checker))
        out.set(pid, 'is an ancestor of the checking process');
    for (const a of [baseline.snapshotter, ...baseline.ancestors]) {
        const live = tree.byPid.get(a.pid);
        if (live && live.start === a.start && !out.has(a.pid))
            out.set(a.pid, 'is the runner chain recorded at job start');
    }
    return out;
}
function detect(baseline, table, options = {}) {
    if (table.reader !== baseline.reader) {
        throw new Error(`The baseline was read with "${baseline.reader}" but this table with "${table.reader}": start stamps are not comparable.`);
    }
    const tree = buildTree(table.processes);
    const keys = new Set(baseline.processes.map(types_identityKey));
    const guarded = protectedPids(baseline, tree, options.checker ?? process.pid);
    const allow = options.allow ?? [];
    const rules = options.rules ?? [];
    const verdicts = new Map();
    const window = { baseline, tree, baselineKeys: keys, protectedPids: guarded, cgroups: referenceCgroups(baseline, tree, guarded) };
    let activity;
    const quietHost = () => (activity ??= hostActivity({
        baseline,
        processes: table.processes,
        protectedPids: new Set(guarded.keys()),
        otherSessions: options.otherSessions,
    }));
    const judge = (p, depth = 0) => {
        const known = verdicts.get(p.pid);
        if (known)
            return known;
        const verdict = decide(p, depth);
        verdicts.set(p.pid, verdict);
        return verdict;
    };
    const decide = (p, depth) => {
        const guard = guarded.get(p.pid);
        if (guard)
            return { kind: 'protected', reason: guard };
        if (!isNew(baseline, keys, p))
            return { kind: 'old' };
        const rule = allowedBy(allow, p);
        if (rule)
            return { kind: 'spared', reason: `allowed by "${rule.source}"` };
        const own = directMembership(baseline, p, rules);
        if (own.kind === 'foreign')
            return { kind: 'spared', reason: own.reason };
        const parent = tree.byPid.get(p.ppid);
        const inherited = parent && depth < 4096 ? judge(parent, depth + 1) : undefined;
        if (inherited?.kind === 'spared' && inherited.reason.startsWith('allowed')) {
            return { kind: 'spared', reason: `descends from pid ${p.ppid}, ${inherited.reason}` };
        }
        if (own.kind === 'member') {
            return { kind: 'member', finding: { process: p, attribution: own.attribution, reasons: [own.reason], step: stepOf(p) } };
        }
        if (inherited?.kind === 'member') {
            const from = inherited.finding;
            return {
                kind: 'member',
                finding: {
                    process: p,
                    attribution: 'lineage',
                    reasons: [`descends from pid ${p.ppid} (${from.process.comm}), which ${from.reasons[0] ?? 'is the job\'s'}`],
                    step: stepOf(p) ?? from.step,
                },
            };
        }
        if (own.kind !== 'unknown')
            return { kind: 'none' };
        if (inherited?.kind === 'unattributed') {
            const from = inherited.finding;
            const reasons = [`descends from pid ${p.ppid} (${from.process.comm}), which ${from.reasons[0] ?? 'may be the job\'s'}`, ...from.reasons.slice(1)];
            return { kind: 'unattributed', finding: { process: p, attribution: 'lineage', reasons, step: stepOf(p) ?? from.step } };
        }
        const why = options.timeWindow === false ? undefined : timeWindowReason(window, p);
        if (why === undefined)
            return { kind: 'none' };
        const host = quietHost();
        if (host.quiet)
            return { kind: 'member', finding: { process: p, attribution: 'time-window', reasons: [why], step: stepOf(p) } };
        const ambiguous = `not attributed: another job was active (${host.evidence.join('; ')})`;
        return { kind: 'unattributed', finding: { process: p, attribution: 'time-window', reasons: [why, ambiguous], step: stepOf(p) } };
    };
    const findings = [];
    const zombies = [];
    const spared = [];
    const unattributed = [];
    const full = (f, p) => ({
        ...f,
        ancestry: ancestorsOf(tree, p.pid),
        children: [...(tree.children.get(p.pid) ?? [])],
    });
    for (const p of table.processes) {
        const verdict = judge(p);
        if (verdict.kind === 'member') {
            if (isZombie(p))
                zombies.push({ process: p, reaper: p.ppid });
            else
                findings.push(full(verdict.finding, p));
        }
        else if (verdict.kind === 'unattributed') {
            if (!isZombie(p))
                unattributed.push(full(verdict.finding, p));
        }
        else if (verdict.kind === 'spared' && !isZombie(p))
            spared.push({ process: p, reason: verdict.reason });
    }
    return { findings, unattributed, zombies, spared };
}
function stepOf(p) {
    const vars = p.env?.readable ? p.env.vars : undefined;
    return vars?.[STEP_VAR] || vars?.[CLI_STEP_VAR] || undefined;
}

;// CONCATENATED MODULE: ./src/engine/baseline-file.ts
/**
 * The baseline on disk: a versioned JSON file passed from job start to job end.
 *
 * Loading refuses anything that is not exactly ours, naming the file and the
 * fault: a post step that guessed at a damaged baseline could kill processes
 * that predate the job.
 */


const BASELINE_KIND = 'strays-baseline';
const BASELINE_VERSION = 1;
class BaselineFileError extends Error {
    file;
    constructor(file, problem) {
        super(`Baseline file ${file} ${problem}`);
        this.file = file;
        this.name = 'BaselineFileError';
    }
}
function serializeBaseline(b) {
    const file = { kind: BASELINE_KIND, version: BASELINE_VERSION, ...b, processes: b.processes.map((p) => [p.pid, p.start]) };
    return JSON.stringify(file);
}
/** Writes atomically (temp file + rename), so a reader never sees half a baseline. */
function saveBaseline(file, b) {
    external_node_fs_default().mkdirSync(external_node_path_default().dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    external_node_fs_default().writeFileSync(temp, serializeBaseline(b), { mode: 0o600 });
    external_node_fs_default().renameSync(temp, file);
}
function loadBaseline(file) {
    let text;
    try {
        text = external_node_fs_default().readFileSync(file, 'utf8');
    }
    catch (error) {
        const code = error.code;
        throw new BaselineFileError(file, code === 'ENOENT' ? 'does not exist.' : `cannot be read (${code ?? String(error)}).`);
    }
    return parseBaseline(file, text);
}
function parseBaseline(file, text) {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch {
        throw new BaselineFileError(file, `is not valid JSON (truncated or damaged; ${text.length} bytes).`);
    }
    if (!isRecord(data) || data.kind !== BASELINE_KIND)
        throw new BaselineFileError(file, 'is not a strays baseline (no "kind": "strays-baseline").');
    if (data.version !== BASELINE_VERSION) {
        throw new BaselineFileError(file, `has version ${JSON.stringify(data.version)}; this strays reads version ${BASELINE_VERSION}. Start and check with the same strays version.`);
    }
    const f = data;
    const problems = [
        typeof f.session !== 'string' && 'session',
        (f.reader !== 'linux-proc' && f.reader !== 'ps') && 'reader',
        !Number.isFinite(f.start) && 'start',
        !Number.isFinite(f.takenAt) && 'takenAt',
        !isIdentity(f.snapshotter) && 'snapshotter',
        !Array.isArray(f.ancestors) && 'ancestors',
        !(Array.isArray(f.processes) && f.processes.every((p) => Array.isArray(p) && p.length === 2)) && 'processes',
    ].filter(Boolean);
    if (problems.length > 0)
        throw new BaselineFileError(file, `is missing or has malformed fields: ${problems.join(', ')}.`);
    return {
        session: f.session,
        runnerTrackingId: typeof f.runnerTrackingId === 'string' ? f.runnerTrackingId : undefined,
        reader: f.reader,
        takenAt: f.takenAt,
        start: f.start,
        snapshotter: f.snapshotter,
        ancestors: f.ancestors,
        uid: typeof f.uid === 'number' ? f.uid : undefined,
        processes: f.processes.map(([pid, start]) => ({ pid, start })),
        owner: isIdentity(f.owner) ? f.owner : undefined,
        cgroup: isRecord(f.cgroup) ? f.cgroup : undefined,
    };
}
const isRecord = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIdentity = (v) => isRecord(v) && Number.isInteger(v.pid) && Number.isFinite(v.start);

;// CONCATENATED MODULE: ./src/engine/index.ts
/**
 * The engine's front door: take a baseline at job start, check at job end.
 * GitHub-free: adapters (action, CLI) call these and decide what to do.
 */















async function snapshot(options = {}) {
    // The baseline keeps only identities, plus argv and uid of the snapshotter's chain: read just those in full.
    const line = lineageOf(options.self ?? process.pid);
    const table = await readTable(undefined, { fullFor: line && ((pid) => line.has(pid)) });
    return snapshotFrom({
        table,
        self: options.self,
        session: options.session,
        runnerTrackingId: options.runnerTrackingId ?? process.env.RUNNER_TRACKING_ID,
    });
}
/**
 * Reads the table now, with details for the processes that are new since the
 * baseline. When a marker-less orphan may be the job's by the time window, it
 * also reads every other process's environment (only the marker variables are
 * kept), so detection sees another job's processes that predate ours; the cost
 * is measured in the README (Unprivileged runners). Then one privileged call (sudo -n)
 * reads every environment that stayed unreadable.
 */
async function readCurrentWithNotes(baseline, options = {}) {
    // Processes from the baseline are never findings: their identity (stat) is all detection needs of them.
    const known = new Set(baseline.processes.map(types_identityKey));
    const plain = await proc_readTable(baseline.reader, { fullFor: (pid, start) => isNew(baseline, known, { pid, start }) });
    const fresh = new Set(plain.processes.filter((p) => isNew(baseline, known, p)).map((p) => p.pid));
    let table = await readDetails(plain, (p) => fresh.has(p.pid));
    if (options.timeWindow !== false && hasTimeWindowCandidate(baseline, known, table, options.checker ?? process.pid)) {
        table = await readDetails(table, (p) => !fresh.has(p.pid));
    }
    const prefix = options.privileged ?? defaultPrivilegePrefix();
    if (prefix === false)
        return { table, notes: [] };
    const privileged = await readUnreadableEnvs(table, prefix);
    return { table: privileged.table, notes: privileged.note === undefined ? [] : [privileged.note] };
}
/** Reads the table now, with details for the processes that are new since the baseline. */
async function readCurrent(baseline, options = {}) {
    return (await readCurrentWithNotes(baseline, options)).table;
}
function hasTimeWindowCandidate(baseline, baselineKeys, table, checker) {
    const tree = buildTree(table.processes);
    // No cgroup check here: the runner chain's cgroups are not read yet, and this must be a superset of detect's candidates.
    const ctx = { baseline, tree, baselineKeys, protectedPids: protectedPids(baseline, tree, checker) };
    return table.processes.some((p) => timeWindowReason(ctx, p) !== undefined);
}
async function check(baseline, options = {}) {
    const { table, notes } = await readCurrentWithNotes(baseline, options);
    return { table, detection: detect(baseline, table, options), notes };
}

;// CONCATENATED MODULE: ./src/explain/ancestry.ts
/**
 * How a leaked process got where it is: its chain of parents at check time
 * and the facts that chain implies. Pure: table in, facts out.
 *
 * A daemon that double-forks (or whose step shell exited) is reparented by
 * the kernel to the nearest subreaper, else PID 1 (prctl(2)
 * PR_SET_CHILD_SUBREAPER). We cannot see the original parent any more, so
 * "reparented" means: its parent is PID 1, or a process that is not one of
 * the job's (a subreaper, the runner) — a job process's real parent is always
 * a job process or the step's shell, and steps have ended by check time.
 */

function ancestryOf(tree, p, scope) {
    const chain = [];
    const seen = new Set([p.pid]);
    let endsAt = 'unknown';
    let current = p;
    for (;;) {
        const parent = tree.byPid.get(current.ppid);
        if (!parent || seen.has(parent.pid))
            break;
        chain.push({ pid: parent.pid, comm: parent.comm });
        seen.add(parent.pid);
        if (parent.pid === 1) {
            endsAt = 'init';
            break;
        }
        if (scope.runnerPids.has(parent.pid)) {
            endsAt = 'runner';
            break;
        }
        current = parent;
    }
    const zombieChildren = (tree.children.get(p.pid) ?? []).filter((c) => {
        const child = tree.byPid.get(c);
        return child !== undefined && isZombie(child);
    });
    return {
        chain,
        endsAt,
        reparented: p.ppid === 1 || !scope.jobPids.has(p.ppid),
        sessionLeader: p.sid === undefined ? undefined : p.pid === p.sid,
        groupLeader: p.pid === p.pgid,
        stopped: p.state === 'T' || p.state === 't',
        uninterruptible: p.state === 'D',
        zombieChildren,
    };
}

;// CONCATENATED MODULE: ./src/explain/fds.ts
/**
 * A process's open files, from the links in /proc/PID/fd (proc(5)).
 *
 * Bounded: a leaked server can hold tens of thousands of fds, so at most `cap`
 * links are read per process and the result says when it stopped early.
 * Reading another user's fd directory needs ptrace access (EACCES as a plain
 * user): that is reported as "unreadable", never thrown.
 */


const DEFAULT_FD_CAP = 256;
const SOCKET = /^socket:\[(\d+)\]$/;
function scanFds(pid, cap = DEFAULT_FD_CAP, procRoot = '/proc') {
    const dir = `${procRoot}/${pid}/fd`;
    let names;
    try {
        names = external_node_fs_default().readdirSync(dir);
    }
    catch (error) {
        if (isGone(error))
            return { status: 'gone', reason: 'process gone' };
        const code = error.code;
        return { status: 'unreadable', reason: isDenied(error) ? 'permission denied' : (code ?? String(error)) };
    }
    // Numeric order, so a capped scan reads the low fds (where servers open their listeners first).
    names.sort((a, b) => Number(a) - Number(b));
    const sockets = [];
    const paths = [];
    const take = names.slice(0, cap);
    for (const name of take) {
        let target;
        try {
            target = external_node_fs_default().readlinkSync(`${dir}/${name}`);
        }
        catch {
            continue; // closed while we looked, or denied for this one link
        }
        const socket = SOCKET.exec(target);
        if (socket)
            sockets.push(Number(socket[1]));
        else if (target.startsWith('/'))
            paths.push(target.endsWith(' (deleted)') ? target.slice(0, -' (deleted)'.length) : target);
    }
    return { status: 'read', sockets, paths, total: names.length, read: take.length, capped: names.length > cap };
}
/** /proc/PID/wchan: the kernel function a sleeping process waits in ("0" when running). */
function readWchan(pid, procRoot = '/proc') {
    try {
        const text = external_node_fs_default().readFileSync(`${procRoot}/${pid}/wchan`, 'utf8').trim();
        return text === '' || text === '0' ? undefined : text;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/explain/net-table.ts
/**
 * Parser for /proc/net/{tcp,tcp6,udp,udp6} (proc(5), "/proc/net/tcp").
 *
 * Each row: `sl local_address rem_address st ... uid timeout inode ...`.
 * Addresses are `HEX:PORT`. The port is big-endian hex, but the address is the
 * kernel's in-memory `__be32`/`in6_addr` printed as host-order 32-bit words
 * (net/ipv4/tcp_ipv4.c `%08X`, net/ipv6/tcp_ipv6.c `%08X%08X%08X%08X`): on a
 * little-endian machine every 4-byte group comes out byte-reversed, so
 * 127.0.0.1 reads `0100007F` and ::1 reads `00000000000000000000000001000000`.
 */

const TCP_LISTEN = 0x0a;
const TCP_CLOSE = 0x07;
function parseNetTable(text, file, endianness = external_node_os_default().endianness()) {
    const proto = file.startsWith('tcp') ? 'tcp' : 'udp';
    const family = file.endsWith('6') ? 6 : 4;
    const out = [];
    for (const line of text.split('\n')) {
        const f = line.trim().split(/\s+/);
        // f[0] "sl:", f[1] local, f[2] remote, f[3] st, f[7] uid, f[9] inode; the header row fails the pattern.
        if (f.length < 10 || !/^\d+:$/.test(f[0] ?? ''))
            continue;
        const local = parseEndpoint(f[1] ?? '', endianness);
        const remote = parseEndpoint(f[2] ?? '', endianness);
        const state = Number.parseInt(f[3] ?? '', 16);
        const inode = Number(f[9]);
        if (!local || !remote || !Number.isFinite(state) || !Number.isInteger(inode))
            continue;
        out.push({
            proto,
            family,
            address: local.address,
            port: local.port,
            remoteAddress: remote.address,
            remotePort: remote.port,
            state,
            uid: Number(f[7]),
            inode,
            listening: proto === 'tcp' ? state === TCP_LISTEN : state === TCP_CLOSE && remote.port === 0,
        });
    }
    return out;
}
function parseEndpoint(text, endianness = external_node_os_default().endianness()) {
    const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
    if (!m)
        return undefined;
    const hex = m[1];
    const bytes = [];
    for (let word = 0; word < hex.length; word += 8) {
        const group = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(word + i, word + i + 2), 16));
        bytes.push(...(endianness === 'LE' ? group.reverse() : group));
    }
    return { address: bytes.length === 4 ? bytes.join('.') : formatIPv6(bytes), port: Number.parseInt(m[2], 16) };
}
/** RFC 5952 text form: lower case, longest run (≥2) of zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
function formatIPv6(bytes) {
    const groups = [];
    for (let i = 0; i < 16; i += 2)
        groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
        return `::ffff:${bytes.slice(12).join('.')}`;
    let best = -1;
    let bestLength = 1;
    for (let i = 0; i < 8;) {
        if (groups[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && groups[j] === 0)
            j++;
        if (j - i > bestLength)
            [best, bestLength] = [i, j - i];
        i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (best < 0)
        return hex.join(':');
    return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}
/** `127.0.0.1:9419`, `[::1]:9420`: how reports show an endpoint. */
const formatEndpoint = (s) => s.family === 6 ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;

;// CONCATENATED MODULE: ./src/explain/places.ts
/**
 * Where a path lies relative to the job: its workspace or the runner's temp
 * directory. Files held open there are what make `rm -rf` of the workspace
 * and unmounts of job volumes fail with EBUSY on the next job.
 */

const inside = (root, p) => {
    if (!root)
        return false;
    const r = external_node_path_default().resolve(root);
    return p === r || p.startsWith(r.endsWith('/') ? r : `${r}/`);
};
/** The place `p` lies in; the workspace wins when RUNNER_TEMP is inside it (or the reverse, the deeper one). */
function placeOf(p, places) {
    const inWorkspace = inside(places.workspace, p);
    const inTemp = inside(places.runnerTemp, p);
    if (inWorkspace && inTemp)
        return (places.runnerTemp?.length ?? 0) > (places.workspace?.length ?? 0) ? 'runner-temp' : 'workspace';
    return inWorkspace ? 'workspace' : inTemp ? 'runner-temp' : undefined;
}
/** `workspace/repo`, `runner-temp/cache.db`, or the absolute path outside both. */
function shortPath(p, places) {
    const place = placeOf(p, places);
    const root = place === 'workspace' ? places.workspace : place === 'runner-temp' ? places.runnerTemp : undefined;
    if (!place || !root)
        return p;
    const rest = external_node_path_default().relative(external_node_path_default().resolve(root), p);
    return rest === '' ? place : `${place}/${rest}`;
}

;// CONCATENATED MODULE: ./src/explain/sockets.ts
/**
 * The machine's listening sockets by inode, read once per check: four files
 * for every finding together, not four per process.
 *
 * /proc/net/* is per network namespace (network_namespaces(7)); reading it
 * from the checker's namespace finds the job's sockets as long as the job
 * shares it, which is the case for runner steps (containers excepted).
 */



const FILES = ['tcp', 'tcp6', 'udp', 'udp6'];
function readListeners(procRoot = '/proc') {
    const out = new Map();
    for (const file of FILES) {
        // A kernel without IPv6 has no tcp6/udp6: nothing listens there.
        const text = attempt(() => readProcFile(`${procRoot}/net/${file}`));
        if (!text.ok)
            continue;
        for (const s of parseNetTable(text.value, file))
            if (s.listening)
                out.set(s.inode, s);
    }
    return out;
}

;// CONCATENATED MODULE: ./src/explain/passwd.ts
/**
 * uid → user name from /etc/passwd (passwd(5)), parsed once and cached.
 *
 * No NSS: users from LDAP/SSSD stay unnamed (`undefined`), which reports show
 * as the bare uid. Spawning `getent` per finding is not worth it.
 */

function parsePasswd(text) {
    const out = new Map();
    for (const line of text.split('\n')) {
        if (line.startsWith('#'))
            continue;
        const [name, , uid] = line.split(':');
        if (!name || uid === undefined || !/^\d+$/.test(uid))
            continue;
        if (!out.has(Number(uid)))
            out.set(Number(uid), name); // first entry wins, as getpwuid(3) does
    }
    return out;
}
const cache = new Map();
function userName(uid, file = '/etc/passwd') {
    if (uid === undefined)
        return undefined;
    let users = cache.get(file);
    if (!users) {
        let text = '';
        try {
            text = external_node_fs_default().readFileSync(file, 'utf8');
        }
        catch {
            // no passwd file (distroless images): every user stays unnamed
        }
        users = parsePasswd(text);
        cache.set(file, users);
    }
    return users.get(uid);
}

;// CONCATENATED MODULE: ./src/explain/explain.ts









function explainFindings(findings, table, context, options = {}) {
    const procRoot = options.procRoot ?? '/proc';
    const linux = table.reader === 'linux-proc';
    const tree = buildTree(table.processes);
    const jobPids = new Set(findings.map((f) => f.process.pid));
    const runnerPids = new Set();
    const checker = options.checker ?? process.pid;
    for (const pid of [checker, ...ancestorsOf(tree, checker)])
        runnerPids.add(pid);
    const b = options.baseline;
    if (b) {
        for (const a of [b.snapshotter, ...b.ancestors])
            if (tree.byPid.get(a.pid)?.start === a.start)
                runnerPids.add(a.pid);
    }
    const scans = new Map();
    for (const f of findings)
        if (linux)
            scans.set(f.process.pid, scanFds(f.process.pid, options.fdCap ?? DEFAULT_FD_CAP, procRoot));
    const anySocket = [...scans.values()].some((s) => s.status === 'read' && s.sockets.length > 0);
    const listeners = anySocket ? readListeners(procRoot) : new Map();
    const out = new Map();
    for (const f of findings) {
        const p = f.process;
        const scan = scans.get(p.pid) ?? { status: 'unreadable', reason: `not available from the ${table.reader} reader` };
        const cwd = p.cwd ?? (linux ? readLinuxDetails(p, new Set(), { procRoot }).cwd : undefined);
        const facts = ancestryOf(tree, p, { jobPids, runnerPids });
        out.set(p.pid, {
            ...facts,
            pid: p.pid,
            start: p.start,
            command: commandLine(p),
            uid: p.uid,
            user: userName(p.uid, options.passwdFile),
            startedAt: p.startedAt,
            ageMs: p.startedAt === undefined ? undefined : Math.max(0, table.takenAt - p.startedAt),
            state: p.state,
            wchan: facts.uninterruptible && linux ? readWchan(p.pid, procRoot) : undefined,
            holds: holdsOf(scan, cwd, listeners, context, tree.children.get(p.pid) ?? [], tree.byPid),
        });
    }
    return out;
}
function holdsOf(scan, cwd, listeners, places, children, byPid) {
    const read = scan.status === 'read' ? scan : undefined;
    const listening = (read?.sockets ?? [])
        .map((inode) => listeners.get(inode))
        .filter((s) => s !== undefined)
        .map((s) => ({ proto: s.proto, family: s.family, address: s.address, port: s.port, endpoint: formatEndpoint(s) }));
    const openFiles = [];
    for (const path of new Set(read?.paths ?? [])) {
        const place = placeOf(path, places);
        if (place)
            openFiles.push({ path, place });
    }
    const cwdPlace = cwd === undefined ? undefined : placeOf(cwd, places);
    return {
        listening: dedupe(listening),
        cwd,
        cwdPlace,
        cwdInWorkspace: cwd === undefined || !places.workspace ? undefined : cwdPlace === 'workspace',
        openFiles,
        fds: scan.status,
        fdsReason: read ? undefined : scan.status !== 'read' ? scan.reason : undefined,
        fdsRead: read?.read,
        fdsTotal: read?.total,
        fdsCapped: read?.capped ?? false,
        children: children.map((pid) => ({ pid, comm: byPid.get(pid)?.comm ?? '?', state: byPid.get(pid)?.state ?? '?' })),
    };
}
/** A socket shared by several fds (dup, fork) is listed once. */
const dedupe = (ls) => [...new Map(ls.map((l) => [`${l.proto} ${l.endpoint}`, l])).values()];

;// CONCATENATED MODULE: ./src/report/format.ts
/** Small text helpers shared by the renderers. */

/** `850ms`, `42s`, `3m 05s`, `2h 10m`, `4d 3h`; `?` when unknown. */
function format_formatAge(ms) {
    if (ms === undefined)
        return '?';
    if (ms < 1000)
        return `${Math.round(ms)}ms`;
    const s = Math.floor(ms / 1000);
    if (s < 60)
        return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60)
        return `${m}m ${String(s % 60).padStart(2, '0')}s`;
    const h = Math.floor(m / 60);
    if (h < 24)
        return `${h}h ${String(m % 60).padStart(2, '0')}m`;
    return `${Math.floor(h / 24)}d ${h % 24}h`;
}
/** Shortens to `max` characters (code points, so no emoji is cut in half), ending with …. */
function format_shorten(text, max) {
    const chars = [...text];
    return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
/** Newlines and other control characters shown as one visible character: a row stays one row. */
const format_oneLine = (text) => text.replace(/\r\n|[\r\n]/g, '↵').replace(/[\u0000-\u001f\u007f]/g, '�');
const format_stepLabel = (l) => l.step === undefined ? 'unknown' : l.stepName ? `${l.stepName} (${l.step})` : l.step;
const format_userLabel = (l) => l.user ?? (l.uid === undefined ? '?' : `uid ${l.uid}`);
/** What it holds: `tcp 127.0.0.1:9419`, `cwd workspace/repo`, `open workspace/db.sqlite`, `fds unreadable`. */
function format_holdsList(h, places) {
    const out = h.listening.map((l) => `${l.proto} ${l.endpoint}`);
    if (h.cwd !== undefined && h.cwdPlace !== undefined)
        out.push(`cwd ${shortPath(h.cwd, places)}`);
    for (const f of h.openFiles)
        out.push(`open ${shortPath(f.path, places)}`);
    if (h.fds === 'unreadable')
        out.push('fds unreadable');
    if (h.fdsCapped)
        out.push(`first ${h.fdsRead ?? '?'} of ${h.fdsTotal ?? '?'} fds read`);
    if (h.children.length > 0)
        out.push(`${h.children.length} ${h.children.length === 1 ? 'child' : 'children'}`);
    return out;
}
const format_plural = (n, one, many = `${one}es`) => `${n} ${n === 1 ? one : many}`;

;// CONCATENATED MODULE: ./src/report/annotations.ts
/**
 * One annotation per leaked process, for core.error / core.warning: the
 * adapter passes them on; this stays pure. `error` when the job fails on the
 * leak, `warning` when it only reports.
 */

/** `failing` defaults to the report's own verdict (fail-on-leak and something leaked). */
function annotations(report, failing = report.failed) {
    const places = { workspace: report.workspace, runnerTemp: report.runnerTemp };
    const one = (l, what) => {
        const holds = holdsList(l.holds, places);
        const facts = [
            `started by step ${stepLabel(l)}`,
            `running for ${formatAge(l.ageMs)}`,
            holds.length > 0 ? `holds ${holds.join(', ')}` : undefined,
            l.reparented ? `reparented to pid ${l.ppid}` : undefined,
            `outcome: ${l.outcome}${l.detail ? ` (${l.detail})` : ''}`,
        ].filter((s) => s !== undefined);
        return {
            level: failing ? 'error' : 'warning',
            title: shorten(oneLine(`strays: ${what} ${l.comm} (pid ${l.pid})`), 120),
            message: oneLine(`pid ${l.pid} ${shorten(l.command, 200)}: ${facts.join('; ')}.`),
        };
    };
    return [...report.leaks.map((l) => one(l, 'leaked process')), ...report.unattributed.map((l) => ({ ...one(l, 'possibly leaked process'), level: 'warning' }))];
}

;// CONCATENATED MODULE: ./src/report/types.ts
const REPORT_VERSION = 1;

;// CONCATENATED MODULE: ./src/report/build.ts



const iso = (ms) => (ms === undefined ? undefined : new Date(ms).toISOString());
const UNKNOWN_HOLDS = {
    listening: [],
    cwd: undefined,
    cwdInWorkspace: undefined,
    cwdPlace: undefined,
    openFiles: [],
    fds: 'unknown',
    fdsReason: 'not explained (found while terminating)',
    fdsRead: undefined,
    fdsTotal: undefined,
    fdsCapped: false,
    children: [],
};
function buildReport(input) {
    const { detection, context, options, baseline } = input;
    const results = new Map();
    for (const r of input.termination?.results ?? [])
        results.set(types_identityKey(r), r);
    const stepNames = context.stepNames ?? {};
    const entry = (f) => {
        const p = f.process;
        const x = input.explanations.get(p.pid);
        const e = x && x.start === p.start ? x : undefined; // an explanation of a reused pid is not this process's
        const r = results.get(types_identityKey(p));
        const startedAt = p.startedAt;
        return {
            pid: p.pid,
            start: p.start,
            command: commandLine(p),
            argv: p.argv,
            comm: p.comm,
            uid: p.uid,
            user: e?.user,
            startedAt: iso(startedAt),
            ageMs: e?.ageMs ?? (startedAt === undefined ? undefined : Math.max(0, context.checkedAt - startedAt)),
            step: f.step,
            stepName: f.step === undefined ? undefined : stepNames[f.step],
            attribution: f.attribution,
            reasons: f.reasons,
            ancestry: e?.chain ?? [],
            ancestryEndsAt: e?.endsAt,
            ppid: p.ppid,
            reparented: e?.reparented,
            sessionLeader: e?.sessionLeader ?? (p.sid === undefined ? undefined : p.sid === p.pid),
            groupLeader: p.pid === p.pgid,
            state: p.state,
            stopped: p.state === 'T' || p.state === 't',
            uninterruptible: p.state === 'D',
            wchan: e?.wchan,
            zombieChildren: e?.zombieChildren ?? [],
            holds: e?.holds ?? UNKNOWN_HOLDS,
            outcome: r?.outcome ?? 'reported',
            signals: r?.signals ?? [],
            via: r?.via ?? 'none',
            detail: r?.detail ?? (r?.reaper === undefined ? undefined : `pid ${r.reaper} must reap it`),
        };
    };
    const seen = new Set(detection.findings.map((f) => types_identityKey(f.process)));
    const added = (input.termination?.added ?? []).filter((f) => !seen.has(types_identityKey(f.process)));
    const leaks = [...detection.findings, ...added].map(entry);
    const unattributed = detection.unattributed.map(entry);
    const outcomes = {};
    for (const l of [...leaks, ...unattributed])
        outcomes[l.outcome] = (outcomes[l.outcome] ?? 0) + 1;
    return {
        version: REPORT_VERSION,
        tool: 'strays',
        session: baseline.session,
        runnerTrackingId: baseline.runnerTrackingId,
        host: context.host,
        workspace: context.workspace,
        runnerTemp: context.runnerTemp,
        isolation: context.isolation,
        times: {
            jobStartedAt: new Date(baseline.takenAt).toISOString(),
            checkedAt: new Date(context.checkedAt).toISOString(),
            terminationMs: input.termination?.durationMs,
        },
        mode: { kill: options.kill, graceMs: options.graceMs, failOnLeak: options.failOnLeak },
        failed: options.failOnLeak && leaks.length + unattributed.length > 0,
        counts: {
            leaked: leaks.length,
            unattributed: unattributed.length,
            zombies: detection.zombies.length,
            spared: detection.spared.length,
            outcomes,
        },
        leaks,
        unattributed,
        zombies: detection.zombies.map((z) => ({
            pid: z.process.pid,
            command: commandLine(z.process),
            // A zombie's environment is gone with its memory: its step is its parent's, when the parent is a leak.
            step: (z.process.env?.readable ? z.process.env.vars[STEP_VAR] : undefined) || leaks.find((l) => l.pid === z.reaper)?.step,
            reaper: z.reaper,
        })),
        spared: detection.spared.map((s) => ({ pid: s.process.pid, command: commandLine(s.process), reason: s.reason })),
    };
}

;// CONCATENATED MODULE: ./src/report/console.ts
/**
 * The console log: the summary's table in plain text, one line per process,
 * then one summary line. ANSI colours only when the caller asks (a TTY, or
 * the Actions log, which renders them); never decided here.
 */

const ANSI = { red: '\u001b[31m', yellow: '\u001b[33m', green: '\u001b[32m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' };
function renderConsole(report, options) {
    const paint = (code, text) => (options.color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
    const places = { workspace: report.workspace, runnerTemp: report.runnerTemp };
    const lines = [];
    const section = (title, entries) => {
        if (entries.length === 0)
            return;
        lines.push(paint('bold', title));
        const rows = entries.map((l) => [
            String(l.pid),
            format_shorten(format_oneLine(l.command), 60),
            format_shorten(format_oneLine(format_stepLabel(l)), 30),
            format_formatAge(l.ageMs),
            format_shorten(format_userLabel(l), 12),
            format_shorten(format_oneLine(format_holdsList(l.holds, places).join(', ') || '-'), 60),
            l.detail ? `${l.outcome} (${format_shorten(format_oneLine(l.detail), 40)})` : l.outcome,
        ]);
        lines.push(...columns(['PID', 'COMMAND', 'STEP', 'AGE', 'USER', 'HOLDS', 'OUTCOME'], rows));
    };
    section('Leaked processes:', report.leaks);
    section('Unattributed (may be this job\'s; reported, not ended):', report.unattributed);
    if (report.zombies.length > 0) {
        lines.push(paint('bold', 'Zombies (dead; their parent must reap them):'));
        lines.push(...columns(['PID', 'COMMAND', 'STEP', 'REAPER'], report.zombies.map((z) => [
            String(z.pid), format_shorten(format_oneLine(z.command), 60), format_shorten(format_oneLine(z.step ?? 'unknown'), 30), String(z.reaper),
        ])));
    }
    lines.push(summaryLine(report, paint));
    return lines.join('\n');
}
function summaryLine(report, paint) {
    const { counts } = report;
    if (counts.leaked + counts.unattributed + counts.zombies === 0)
        return paint('green', 'strays: no leaked processes.');
    const outcomes = Object.entries(counts.outcomes).map(([o, n]) => `${n} ${o}`);
    const parts = [
        paint(report.failed ? 'red' : 'yellow', `strays: ${format_plural(counts.leaked, 'leaked process')}`),
        outcomes.length > 0 ? `(${outcomes.join(', ')})` : '',
        counts.unattributed > 0 ? `, ${counts.unattributed} unattributed` : '',
        counts.zombies > 0 ? `, ${format_plural(counts.zombies, 'zombie', 'zombies')}` : '',
        counts.spared > 0 ? `, ${counts.spared} spared` : '',
    ];
    return parts.filter((p) => p !== '').join(' ').replace(/ ,/g, ',') + (report.failed ? paint('red', '; failing the job.') : '.');
}
/** Left-aligned columns separated by two spaces; the last column is not padded. */
function columns(head, rows) {
    const all = [head, ...rows];
    const widths = head.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
    return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))).join('  ').trimEnd());
}

;// CONCATENATED MODULE: ./src/report/json-file.ts
/** The JSON report on disk, written atomically: a reader never sees half a report. */


const serializeReport = (report) => `${JSON.stringify(report, null, 2)}\n`;
function writeJsonReport(file, report) {
    external_node_fs_default().mkdirSync(external_node_path_default().dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    try {
        external_node_fs_default().writeFileSync(temp, serializeReport(report));
        external_node_fs_default().renameSync(temp, file);
    }
    catch (error) {
        external_node_fs_default().rmSync(temp, { force: true });
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/report/markdown.ts
/**
 * Escaping for GitHub-flavoured Markdown table cells. Command lines are
 * attacker-shaped text (a test can name a process anything): a `|` would
 * split the row, a newline end the table, `<tag>` become HTML, backticks and
 * `*_[]` restyle the page. Every such character is escaped; the text is
 * shortened first so an escape is never cut in half.
 */

const HTML = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
function markdown_escapeCell(text, max = 80) {
    return shorten(oneLine(text), max)
        .replace(/[&<>]/g, (c) => HTML[c])
        .replace(/[\\`*_[\]|#~!()]/g, (c) => `\\${c}`);
}
const markdown_table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

;// CONCATENATED MODULE: ./src/report/summary.ts
/**
 * The GitHub job summary (Markdown, for core.summary / GITHUB_STEP_SUMMARY).
 *
 * At most MAX_ROWS rows in all (GitHub caps a step summary at 1 MiB, and a
 * wall of rows helps nobody); the JSON report has the rest. With many leaks
 * from several steps, rows are grouped under one heading per step.
 */


const MAX_ROWS = 50;
/** Group by step from this many leaks on (and only when there are two steps or more). */
const GROUP_FROM = 10;
const HEAD = (/* unused pure expression or super */ null && (['PID', 'Command', 'Step', 'Age', 'User', 'Holds', 'Outcome']));
function renderSummary(report) {
    const { leaks, unattributed, zombies } = report;
    if (leaks.length + unattributed.length + zombies.length === 0) {
        const spared = report.counts.spared > 0 ? ` (${plural(report.counts.spared, 'allowed process', 'allowed processes')} left alone)` : '';
        return `**strays:** no leaked processes, the job left nothing running${spared}.\n`;
    }
    const out = [`### strays: ${plural(leaks.length, 'leaked process')}`, ''];
    out.push(intro(report), '');
    let budget = MAX_ROWS;
    const take = (entries) => {
        const shown = entries.slice(0, Math.max(0, budget));
        budget -= shown.length;
        return shown;
    };
    const steps = groupByStep(leaks);
    if (leaks.length >= GROUP_FROM && steps.size > 1) {
        for (const [, group] of steps) {
            const shown = take(group);
            if (shown.length === 0)
                break;
            out.push(`#### Step ${escapeCell(stepLabel(group[0]))}: ${plural(group.length, 'process', 'processes')}`, '');
            out.push(rows(shown, report), '');
        }
    }
    else if (leaks.length > 0) {
        out.push(rows(take(leaks), report), '');
    }
    if (unattributed.length > 0 && budget > 0) {
        out.push(`#### Unattributed: ${plural(unattributed.length, 'process', 'processes')} that may be this job's (reported, not ended)`, '');
        out.push(rows(take(unattributed), report), '');
    }
    if (zombies.length > 0) {
        out.push(`#### Zombies: ${plural(zombies.length, 'process', 'processes')} already dead, waiting for their parent to reap them`, '');
        const shown = zombies.slice(0, Math.max(0, budget));
        budget -= shown.length;
        if (shown.length > 0) {
            out.push(table(['PID', 'Command', 'Step', 'Parent that must reap it'], shown.map((z) => [
                String(z.pid), escapeCell(z.command), escapeCell(z.step ?? 'unknown'), String(z.reaper),
            ])), '');
        }
    }
    const hidden = leaks.length + unattributed.length + zombies.length - MAX_ROWS;
    if (hidden > 0)
        out.push(`… and ${hidden} more not shown here: see the JSON report for every process.`, '');
    return `${out.join('\n').trimEnd()}\n`;
}
function intro(report) {
    const parts = [];
    const o = report.counts.outcomes;
    for (const [outcome, n] of Object.entries(o))
        parts.push(`${n} ${outcome}`);
    const mode = report.mode.kill ? `ended after a ${formatAge(report.mode.graceMs)} grace period` : 'reported only (kill: false)';
    const extra = [
        report.counts.unattributed > 0 && plural(report.counts.unattributed, 'unattributed process', 'unattributed processes'),
        report.counts.zombies > 0 && plural(report.counts.zombies, 'zombie', 'zombies'),
    ].filter(Boolean);
    return `Processes this job started and left running: ${mode}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}${extra.length > 0 ? `; also ${extra.join(', ')}` : ''}.`;
}
function rows(entries, report) {
    const places = { workspace: report.workspace, runnerTemp: report.runnerTemp };
    return table(HEAD, entries.map((l) => [
        String(l.pid),
        escapeCell(l.command),
        escapeCell(stepLabel(l), 40),
        formatAge(l.ageMs),
        escapeCell(userLabel(l), 20),
        escapeCell(holdsList(l.holds, places).join(', ') || '-', 80),
        outcomeLabel(l),
    ]));
}
const outcomeLabel = (l) => (l.detail ? `${l.outcome}: ${escapeCell(l.detail, 40)}` : l.outcome);
/** Steps in order of first appearance; unknown step last. */
function groupByStep(leaks) {
    const groups = new Map();
    for (const l of leaks) {
        const key = l.step ?? '\u0000unknown';
        const g = groups.get(key);
        if (g)
            g.push(l);
        else
            groups.set(key, [l]);
    }
    const unknown = groups.get('\u0000unknown');
    if (unknown) {
        groups.delete('\u0000unknown');
        groups.set('\u0000unknown', unknown);
    }
    return groups;
}

;// CONCATENATED MODULE: ./src/report/index.ts
/** Reports: one document (types.ts, the JSON schema) and its renderers. */










;// CONCATENATED MODULE: ./src/terminate/groups.ts
/**
 * Which process groups may be signalled whole (kill(-pgid)). Pure.
 *
 * A group kill reaches members forked after our last look, which per-pid
 * signals miss. But it reaches *every* member, so it is only safe when every
 * live member is a finding. The classic trap is the runner's own group: a
 * non-interactive shell has no job control, so `cmd &` in a step stays in the
 * process group of the step shell, which is the group of the runner that
 * spawned it (the runner does not setsid/setpgid its steps). The leak's pgid is
 * then the runner's; kill(-pgid) would kill the runner. The runner is alive and
 * not a finding, so rule 2 below already refuses; rules 3 and 4 hold even when
 * we are handed wrong findings.
 *
 * A group may be signalled whole only when:
 *  1. pgid > 1 (kill(-1) is "everything we may signal");
 *  2. every live member of the group in the latest table is a finding being
 *     terminated (zombies are dead and cannot be hurt);
 *  3. no member is the current process or one of its ancestors, nor is the
 *     pgid itself one of their pids;
 *  4. the group is not in the session of the current process or its
 *     ancestors: setpgid(2) lets any process of a session move into another
 *     group of the same session, so in our own session a group could gain a
 *     non-finding member between our read and the signal.
 */


/** The current process and its ancestors, as far as the table knows them. */
function groups_protectedPids(processes, self) {
    return new Set([self, ...ancestorsOf(buildTree(processes), self)]);
}
/**
 * Returns the groups that may be signalled whole, each with the pids of its
 * members that are targets. `targets` holds identity keys (pid@start).
 */
function safeGroups(processes, targets, guarded) {
    const members = new Map();
    for (const p of processes) {
        const list = members.get(p.pgid);
        if (list)
            list.push(p);
        else
            members.set(p.pgid, [p]);
    }
    const guardedSessions = new Set();
    for (const p of processes)
        if (guarded.has(p.pid) && p.sid !== undefined)
            guardedSessions.add(p.sid);
    const out = new Map();
    for (const [pgid, group] of members) {
        if (!Number.isInteger(pgid) || pgid <= 1 || guarded.has(pgid))
            continue;
        const live = group.filter((p) => !isZombie(p));
        const ours = live.filter((p) => targets.has(types_identityKey(p)));
        if (ours.length === 0 || ours.length !== live.length)
            continue;
        if (group.some((p) => guarded.has(p.pid)))
            continue;
        // Unknown session (ps on macOS): we cannot prove rule 4, so no group kill.
        if (group.some((p) => p.sid === undefined || guardedSessions.has(p.sid)))
            continue;
        out.set(pgid, ours.map((p) => p.pid));
    }
    return out;
}

;// CONCATENATED MODULE: ./src/terminate/probe.ts
/**
 * One look at one process, right before we act on it.
 *
 * Linux: a single read of /proc/PID/stat gives state, start ticks, parent and
 * process group in one consistent snapshot (proc(5)). Elsewhere we only have
 * kill(pid, 0) (kill(2): "If sig is 0, then no signal is sent, but existence
 * and permission checks are still performed"), which cannot tell a zombie or a
 * recycled pid from the original: `start` and `state` are then unknown.
 */



const onLinux = process.platform === 'linux';
/** undefined: no process has this pid any more. */
function probe(pid) {
    if (onLinux) {
        const text = readIfPresent(`/proc/${pid}/stat`);
        const stat = text === undefined ? undefined : parseStat(text);
        return stat ? { state: stat.state, start: stat.startTicks, ppid: stat.ppid, pgid: stat.pgid } : undefined;
    }
    try {
        process.kill(pid, 0);
    }
    catch (error) {
        if (error.code === 'ESRCH')
            return undefined;
    }
    return { state: undefined, start: undefined, ppid: undefined, pgid: undefined };
}
/** Z (zombie) and X (dead) hold no memory and run no code: for us they are dead. */
const isDeadState = (state) => state === 'Z' || state === 'X';
/**
 * Whether `pid` still runs as the process that started at `start`. A different
 * start stamp means the pid was recycled: the process we meant is dead.
 */
function stillRunning(pid, start) {
    const now = probe(pid);
    if (!now || isDeadState(now.state))
        return false;
    return now.start === undefined || now.start === start;
}
/**
 * The kernel function a process sleeps in (/proc/PID/wchan, proc(5)); names the
 * reason a state-D process ignores SIGKILL (e.g. `request_wait_answer` for a
 * hung FUSE server). "0" means not sleeping. Needs the kernel to allow it
 * (kptr_restrict); undefined when unreadable.
 */
function probe_readWchan(pid) {
    try {
        const text = external_node_fs_default().readFileSync(`/proc/${pid}/wchan`, 'utf8').trim();
        return text === '' || text === '0' ? undefined : text;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/terminate/signals.ts
/**
 * Sending one signal to one process, or to one process group, without ever
 * hitting a process that is not the one we mean.
 *
 * Pids are recycled: between detection and the signal a finding can exit and
 * its pid can be given to an unrelated process. So the identity (pid + start
 * ticks) is re-read from /proc immediately before every kill(2). A window of a
 * few microseconds remains between that read and the syscall (pidfd_send_signal
 * would close it, but Node has no pidfd API); it is the smallest we can make it.
 *
 * kill(2) errors: ESRCH "the target process or process group does not exist"
 * is a fact about the target, not a failure; EPERM "the calling process does
 * not have permission" means another user's process.
 */

/** Signals `target` only if its pid still belongs to the process that started at `target.start`. */
function signalProcess(target, signal) {
    const now = probe(target.pid);
    if (!now)
        return { kind: 'gone' };
    if (now.start !== undefined && now.start !== target.start)
        return { kind: 'reused', start: now.start };
    // A zombie has already exited; signalling it does nothing and it is not ours to reap.
    if (isDeadState(now.state))
        return { kind: 'zombie', reaper: now.ppid };
    return send(target.pid, signal);
}
/**
 * kill(-pgid): every member of the group at once, so a member forked after
 * our last look is caught too. The caller decides when that is safe (groups.ts)
 * and re-checks the members' identities first.
 */
function signalGroup(pgid, signal) {
    // kill(-1) means "every process we may signal" and kill(0) "our own group": never.
    if (!Number.isInteger(pgid) || pgid <= 1)
        return { kind: 'denied', detail: `refusing to signal process group ${pgid}` };
    return send(-pgid, signal);
}
function send(pid, signal) {
    try {
        process.kill(pid, signal);
        return { kind: 'sent' };
    }
    catch (error) {
        const code = error.code;
        if (code === 'ESRCH')
            return { kind: 'gone' };
        if (code === 'EPERM')
            return { kind: 'denied', detail: `EPERM: not permitted to send ${signal} (owned by another user)` };
        return { kind: 'denied', detail: `${signal} failed: ${code ?? error.message}` };
    }
}

;// CONCATENATED MODULE: ./src/terminate/records.ts


class Records {
    guarded;
    self;
    byKey = new Map();
    /** Findings that rescans added (not in the input). */
    added = [];
    constructor(
    /** The current process and its ancestors: never signalled, whatever we are handed. */
    guarded, self) {
        this.guarded = guarded;
        this.self = self;
    }
    all() {
        return [...this.byKey.values()];
    }
    /** Records still to be signalled: not settled (gone, reused, zombie, protected, denied). */
    active() {
        return this.all().filter((r) => r.settled === undefined);
    }
    /** Adds the findings not seen before (by pid + start) and returns their records. */
    add(findings, fromRescan) {
        const fresh = [];
        for (const finding of findings) {
            const key = types_identityKey(finding.process);
            if (this.byKey.has(key))
                continue;
            const { pid, start } = finding.process;
            const record = { finding, pid, start, signals: [], via: 'none', settled: this.protection(pid) };
            this.byKey.set(key, record);
            fresh.push(record);
            if (fromRescan)
                this.added.push(finding);
        }
        return fresh;
    }
    protection(pid) {
        if (pid === this.self || pid === process.pid)
            return { kind: 'protected', detail: 'is the strays process itself: never signalled' };
        if (pid <= 1)
            return { kind: 'protected', detail: `pid ${pid} is never signalled` };
        if (this.guarded.has(pid))
            return { kind: 'protected', detail: 'is an ancestor of the strays process: never signalled' };
        return undefined;
    }
}
/**
 * Sends one signal to one record, after the identity check in signalProcess.
 * Before the first signal lands, "gone", "reused" and "zombie" settle the
 * record (nothing was done to it); after, they only mean it has ended.
 */
function signalRecord(record, signal) {
    if (record.settled)
        return;
    const result = signalProcess(record, signal);
    const untouched = record.signals.length === 0;
    switch (result.kind) {
        case 'sent':
            record.signals.push(signal);
            if (record.via === 'none')
                record.via = 'process';
            return;
        case 'denied':
            record.settled = { kind: 'denied', detail: result.detail };
            return;
        case 'gone':
            if (untouched)
                record.settled = { kind: 'gone' };
            return;
        case 'reused':
            if (untouched)
                record.settled = { kind: 'reused', start: result.start };
            return;
        case 'zombie':
            if (untouched)
                record.settled = { kind: 'zombie', reaper: result.reaper };
            return;
    }
}

;// CONCATENATED MODULE: ./src/terminate/deliver.ts
/**
 * Delivering a sequence of signals (e.g. SIGTERM then SIGCONT) to a set of
 * records: whole process groups where groups.ts says it is safe, one process
 * at a time otherwise.
 *
 * Each signal goes to every target before the next signal goes to any: with
 * SIGTERM then SIGCONT, every stopped process resumes with its SIGTERM already
 * pending (signal(7): pending signals are delivered on return to user mode),
 * so a supervisor cannot run and restart a child that has not yet been told
 * to end.
 */






async function deliver(records, signals, guarded) {
    const live = records.filter((r) => r.settled === undefined);
    if (live.length === 0)
        return;
    const groups = await groupsFor(live, guarded);
    const byPid = new Map(live.map((r) => [r.pid, r]));
    for (const signal of signals) {
        const done = new Set();
        for (const [pgid, pids] of groups) {
            const members = pids.map((pid) => byPid.get(pid)).filter((r) => r !== undefined && !r.settled);
            const running = members.length === 0 ? undefined : runningMembers(members, pgid);
            if (!running)
                continue;
            if (signalGroup(pgid, signal).kind !== 'sent')
                continue; // fall back to one by one, which reports why
            for (const m of members)
                done.add(m); // ended members need nothing more
            for (const m of running) {
                m.signals.push(signal);
                m.via = 'group';
            }
        }
        for (const r of live)
            if (!done.has(r))
                signalRecord(r, signal);
    }
}
/** The safe groups, judged on a table read now (after the world was stopped). */
async function groupsFor(live, guarded) {
    try {
        const table = await proc_readTable(undefined, STAT_ONLY);
        const all = new Set([...guarded, ...groups_protectedPids(table.processes, process.pid)]);
        return safeGroups(table.processes, new Set(live.map(types_identityKey)), all);
    }
    catch {
        return new Map(); // no table, no proof: per-pid only
    }
}
/**
 * Right before a group signal: every member that still runs must still be the
 * same process (start ticks) in the same group. Otherwise a pid was recycled or
 * a member moved (setpgid), and the group is no longer the one we judged.
 * Members that have ended (gone or zombie) are fine: the signal cannot hurt them.
 * Returns the members that still run, or undefined when the group must not be signalled.
 */
function runningMembers(members, pgid) {
    const running = [];
    for (const m of members) {
        const now = probe(m.pid);
        if (!now || isDeadState(now.state))
            continue;
        if (now.start === undefined || now.start !== m.start || now.pgid !== pgid)
            return undefined;
        running.push(m);
    }
    return running.length > 0 ? running : undefined;
}

;// CONCATENATED MODULE: ./src/terminate/outcome.ts
function outcomeOf(record, final) {
    const base = { pid: record.pid, start: record.start, signals: [...record.signals], via: record.via };
    const settled = record.settled;
    if (settled) {
        switch (settled.kind) {
            case 'protected':
                return { ...base, outcome: 'reported', via: 'none', detail: settled.detail };
            case 'gone':
                return { ...base, outcome: 'gone', detail: 'had exited before it was signalled' };
            case 'reused':
                return { ...base, outcome: 'gone', detail: `pid reused: now a process started at tick ${settled.start}, not ${record.start}; not signalled` };
            case 'zombie':
                return { ...base, outcome: 'zombie', reaper: settled.reaper, detail: zombieDetail(settled.reaper, 'had already exited') };
            case 'denied':
                return { ...base, outcome: 'not-permitted', detail: settled.detail };
        }
    }
    const neededKill = record.signals.includes('SIGKILL');
    const how = neededKill ? 'ended on SIGKILL' : 'ended on SIGTERM';
    switch (final.kind) {
        case 'zombie':
            return { ...base, outcome: 'zombie', reaper: final.reaper, detail: zombieDetail(final.reaper, how) };
        case 'dead':
            return { ...base, outcome: neededKill ? 'killed' : 'exited' };
        case 'running': {
            const parts = [`still running after ${record.signals.join(', ') || 'no signal'}`];
            if (final.state !== undefined)
                parts.push(`state ${final.state}${final.state === 'D' ? ' (uninterruptible sleep)' : ''}`);
            if (final.wchan !== undefined)
                parts.push(`wchan ${final.wchan}`);
            return { ...base, outcome: 'survived', detail: parts.join('; ') };
        }
    }
}
/** Short enough for a table cell: how it died, and who must wait(2) for it. */
const zombieDetail = (reaper, how) => `${how}; ${reaper === undefined ? 'its parent' : `pid ${reaper}`} must reap it`;
/** `kill: false`: nothing is signalled, everything is reported as found. */
function reportedOnly(findings) {
    return findings.map((f) => ({ pid: f.process.pid, start: f.process.start, outcome: 'reported', signals: [], via: 'none', detail: 'kill is off: not signalled' }));
}

;// CONCATENATED MODULE: ./src/terminate/wait.ts
/**
 * Waiting for processes to end: poll often, return as soon as all are dead.
 *
 * There is no portable way to wait(2) for a process that is not our child
 * (pidfd_open + poll is Linux ≥ 5.3 and not in Node), so we poll /proc. At
 * 20 ms a cooperative leak costs one poll after it exits, and 300 stat reads
 * per poll are far below a millisecond of work.
 */

const DEFAULT_POLL_MS = 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Resolves with the targets still running at `deadline`, or [] as soon as none is. A zombie counts as dead. */
async function waitForEnd(targets, deadline, pollMs = DEFAULT_POLL_MS) {
    let running = targets.filter((t) => stillRunning(t.pid, t.start));
    while (running.length > 0) {
        const left = deadline - Date.now();
        if (left <= 0)
            break;
        await sleep(Math.min(pollMs, left));
        running = running.filter((t) => stillRunning(t.pid, t.start));
    }
    return running;
}

;// CONCATENATED MODULE: ./src/terminate/index.ts








/** Rescans per stop-the-world phase: a fork bomb must not keep us here forever. */
const MAX_RESCAN_ROUNDS = 8;
const DEFAULT_VERIFY_MS = 500;
async function terminate(findings, options) {
    const began = Date.now();
    if (!options.kill)
        return { results: reportedOnly(findings), added: [], durationMs: Date.now() - began };
    // Nothing to end: skip the table reads and the rescan. Only a job process forks job processes, and none was found.
    if (findings.length === 0)
        return { results: [], added: [], durationMs: Date.now() - began };
    const warnings = [];
    const self = options.self ?? process.pid;
    const records = new Records(await guardedPids(self, warnings), self);
    const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    await stopTheWorld(records, records.add(findings, false), options, warnings);
    await deliver(records.active(), ['SIGTERM', 'SIGCONT'], records.guarded);
    const survivors = await waitForEnd(records.active(), Date.now() + options.graceMs, pollMs);
    // Survivors may have forked while they ran; stop them and find those children before the SIGKILL.
    const late = await stopTheWorld(records, survivors, options, warnings);
    const toKill = [...survivors, ...late].filter((r) => r.settled === undefined);
    if (toKill.length > 0) {
        await deliver(toKill, ['SIGKILL', 'SIGCONT'], records.guarded);
        await waitForEnd(toKill, Date.now() + (options.verifyMs ?? DEFAULT_VERIFY_MS), pollMs);
    }
    const all = records.all();
    const looks = await finalLooks(all);
    return {
        results: all.map((r, i) => outcomeOf(r, looks[i])),
        added: records.added,
        durationMs: Date.now() - began,
        ...(warnings.length > 0 ? { warnings } : {}),
    };
}
/** SIGSTOPs `fresh`, then rescans until nothing new appears; returns the records the rescans added. */
async function stopTheWorld(records, fresh, options, warnings) {
    for (const r of fresh)
        signalRecord(r, 'SIGSTOP');
    const added = [];
    if (!options.rescan)
        return added;
    for (let round = 0; round < MAX_RESCAN_ROUNDS; round++) {
        let found;
        try {
            found = await options.rescan();
        }
        catch (error) {
            warnings.push(`rescan failed, continuing with the processes already found: ${error.message}`);
            return added;
        }
        const more = records.add(found, true);
        if (more.length === 0)
            return added;
        for (const r of more)
            signalRecord(r, 'SIGSTOP');
        added.push(...more);
    }
    warnings.push(`new processes kept appearing after ${MAX_RESCAN_ROUNDS} rescans; a fork loop may have escaped`);
    return added;
}
async function guardedPids(self, warnings) {
    try {
        const { processes } = await proc_readTable(undefined, STAT_ONLY);
        return new Set([...groups_protectedPids(processes, self), ...groups_protectedPids(processes, process.pid)]);
    }
    catch (error) {
        warnings.push(`could not read the process table to find our ancestors: ${error.message}`);
        return new Set([self, process.pid, process.ppid]);
    }
}
/** One last look at each record; where /proc is missing, one table read tells zombies from the living. */
async function finalLooks(all) {
    const probes = all.map((r) => probe(r.pid));
    let states;
    if (probes.some((p) => p !== undefined && p.state === undefined)) {
        const table = await proc_readTable(undefined, STAT_ONLY).catch(() => undefined);
        states = new Map((table?.processes ?? []).map((p) => [p.pid, p]));
    }
    return all.map((r, i) => {
        const p = probes[i];
        if (!p)
            return { kind: 'dead' };
        const row = p.state === undefined ? states?.get(r.pid) : undefined;
        const state = p.state ?? row?.state;
        const ppid = p.ppid ?? row?.ppid;
        if (p.start !== undefined && p.start !== r.start)
            return { kind: 'dead' };
        if (isDeadState(state))
            return { kind: 'zombie', reaper: ppid };
        return { kind: 'running', state, wchan: probe_readWchan(r.pid) };
    });
}

;// CONCATENATED MODULE: ./src/cgroup/files.ts
/**
 * The few cgroupfs operations strays needs, with errors that say what was
 * attempted, where, and what the kernel answered (cgroup-v2.rst, "Core
 * Interface Files"). Everything here is synchronous and tiny: one write moves
 * a whole process (all its threads) between cgroups.
 */



class CgroupError extends Error {
    code;
    constructor(message, code) {
        super(message);
        this.code = code;
        this.name = 'CgroupError';
    }
}
const codeOf = (error) => error?.code;
/** Why an errno matters here, in words (cgroup-v2.rst "Migration and Delegation"/"No Internal Process Constraint"). */
function explain(code) {
    switch (code) {
        case 'EACCES':
        case 'EPERM':
            return 'permission denied (needs root, sudo, or a delegated subtree that contains both cgroups)';
        case 'EROFS':
            return 'the cgroup filesystem is mounted read-only (a container without cgroup write access)';
        case 'EBUSY':
            return 'refused by the "no internal processes" rule: the target has controllers enabled for its children';
        case 'EOPNOTSUPP':
            return 'the target is a threaded or otherwise unsupported cgroup';
        case 'ENOENT':
            return 'no such cgroup';
        case 'ENOTDIR':
            return 'not a cgroup directory';
        case 'ESRCH':
            return 'no such process';
        default:
            return code ?? 'unknown error';
    }
}
/** `mountPoint` + a path relative to the mount; the path must stay inside the mount. */
function dirOf(mountPoint, relative) {
    const dir = external_node_path_default().join(mountPoint, relative);
    if (dir !== mountPoint && !dir.startsWith(`${mountPoint.replace(/\/$/, '')}/`)) {
        throw new CgroupError(`cgroup path "${relative}" leaves the mount ${mountPoint}.`);
    }
    return dir;
}
/**
 * A hierarchy path as /proc/PID/cgroup shows it → the same cgroup relative to
 * the mount; `undefined` when the mount does not show it (a subtree mount, or
 * a path outside our cgroup namespace, shown as "/../…" per cgroup_namespaces(7)).
 */
function relativeToMount(mount, hierarchyPath) {
    if (hierarchyPath.startsWith('/..'))
        return undefined;
    if (mount.root === '/')
        return hierarchyPath;
    if (hierarchyPath === mount.root)
        return '/';
    return hierarchyPath.startsWith(`${mount.root}/`) ? hierarchyPath.slice(mount.root.length) : undefined;
}
/** The inverse: a path relative to the mount → the hierarchy path /proc/PID/cgroup shows. */
const hierarchyPathOf = (mountRoot, relative) => !mountRoot || mountRoot === '/' ? relative : relative === '/' ? mountRoot : `${mountRoot}${relative}`;
/** The cgroup v2 path of a process (as /proc/PID/cgroup shows it); `undefined` when it is gone. */
function cgroupOfPid(pid, procRoot = '/proc') {
    try {
        return parseCgroupV2(external_node_fs_default().readFileSync(`${procRoot}/${pid}/cgroup`, 'utf8'));
    }
    catch (error) {
        if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ESRCH')
            return undefined;
        throw error;
    }
}
/**
 * Pids listed in one cgroup's cgroup.procs. Processes outside our PID
 * namespace are listed as 0 (pid_nr_ns has no number for them): dropped.
 */
function readProcs(dir) {
    const text = external_node_fs_default().readFileSync(external_node_path_default().join(dir, 'cgroup.procs'), 'utf8');
    return text.split('\n').filter((l) => /^\d+$/.test(l)).map(Number).filter((pid) => pid > 0);
}
/** Moves a process (all its threads) into `dir`. false when it no longer exists. */
function moveProcess(dir, pid) {
    const file = external_node_path_default().join(dir, 'cgroup.procs');
    try {
        // One write(2) per pid: the kernel parses one pid per write.
        const fd = external_node_fs_default().openSync(file, 'w');
        try {
            external_node_fs_default().writeSync(fd, `${pid}\n`);
        }
        finally {
            external_node_fs_default().closeSync(fd);
        }
        return true;
    }
    catch (error) {
        const code = codeOf(error);
        if (code === 'ESRCH')
            return false;
        throw new CgroupError(`Cannot move pid ${pid} into cgroup ${dir}: ${explain(code)}.`, code);
    }
}
/** Writes a control file (cgroup.freeze …) with a clear error. */
function writeControl(dir, name, value) {
    const file = external_node_path_default().join(dir, name);
    try {
        external_node_fs_default().writeFileSync(file, value);
    }
    catch (error) {
        const code = codeOf(error);
        throw new CgroupError(`Cannot write "${value.trim()}" to ${file}: ${explain(code)}.`, code);
    }
}
/** Key-value lines of a flat-keyed file such as cgroup.events ("populated 1\nfrozen 0"). */
function readKeyed(dir, name) {
    const out = new Map();
    for (const line of external_node_fs_default().readFileSync(external_node_path_default().join(dir, name), 'utf8').split('\n')) {
        const [key, value] = line.split(' ');
        if (key && value !== undefined)
            out.set(key, value);
    }
    return out;
}
/** Sub-cgroups of `dir`, depth first, deepest last (so reversing gives a safe rmdir order). */
function subCgroups(dir) {
    const out = [];
    const walk = (d) => {
        for (const entry of external_node_fs_default().readdirSync(d, { withFileTypes: true })) {
            if (!entry.isDirectory())
                continue;
            const sub = external_node_path_default().join(d, entry.name);
            out.push(sub);
            walk(sub);
        }
    };
    walk(dir);
    return out;
}

;// CONCATENATED MODULE: ./src/cgroup/members.ts

/** The job cgroup's directory on this host. */
const jobDir = (record) => dirOf(record.mount, record.path);
/** The job cgroup as /proc/PID/cgroup shows it for processes inside it. */
const jobHierarchyPath = (record) => hierarchyPathOf(record.mountRoot, record.path);
/** Is a /proc/PID/cgroup path the job cgroup or one of its sub-cgroups? */
function inJobCgroup(record, cgroupPath) {
    if (cgroupPath === undefined)
        return false;
    const job = jobHierarchyPath(record);
    return cgroupPath === job || cgroupPath.startsWith(`${job}/`);
}
/**
 * Every pid in the job cgroup and its sub-cgroups (a step may create its own,
 * e.g. a nested systemd or docker). Empty when the cgroup is gone.
 */
function memberPids(record) {
    const top = jobDir(record);
    const out = new Set();
    let dirs;
    try {
        dirs = [top, ...subCgroups(top)];
    }
    catch {
        return out; // removed already: no members
    }
    for (const dir of dirs) {
        try {
            for (const pid of readProcs(dir))
                out.add(pid);
        }
        catch {
            // a sub-cgroup removed while we walked: its processes left with it
        }
    }
    return out;
}
/**
 * A detection rule: a process in the job cgroup is the job's. Detection asks
 * it only about processes that are new since job start and not protected, so
 * the runner chain and the checker are never matched by it.
 */
function cgroupRule(record, options = {}) {
    const job = jobHierarchyPath(record);
    return {
        attribution: 'cgroup',
        test(p) {
            if (inJobCgroup(record, p.cgroup))
                return `lives in the job's cgroup ${p.cgroup === job ? job : `${job} (in ${p.cgroup})`}`;
            if (p.cgroup === undefined && options.members?.has(p.pid))
                return `lives in the job's cgroup ${job}`;
            return undefined;
        },
    };
}

;// CONCATENATED MODULE: ./src/cgroup/mount.ts
/**
 * Where the cgroup v2 (unified) hierarchy is mounted, from /proc/self/mountinfo.
 *
 * Never assume /sys/fs/cgroup: hybrid hosts (systemd "hybrid" mode, older
 * distributions, these CI machines) mount cgroup2 at /sys/fs/cgroup/unified
 * and cgroup v1 controllers beside it; containers may mount only a subtree.
 * Format: proc(5) "/proc/[pid]/mountinfo".
 */

/** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
const mount_unescape = (field) => field.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));
/** Parses one mountinfo line; `undefined` when it is not a cgroup2 mount (or not a mountinfo line). */
function parseCgroup2Line(line) {
    const fields = line.trim().split(' ');
    // Optional fields (shared:N, master:N …) sit between field 6 and the "-" separator.
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields[dash + 1] !== 'cgroup2')
        return undefined;
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined)
        return undefined;
    const options = [...(fields[5] ?? '').split(','), ...(fields[dash + 3] ?? '').split(',')];
    return { mountPoint: mount_unescape(mountPoint), root: mount_unescape(root), readOnly: options.includes('ro') };
}
/**
 * The cgroup2 mount to use: the first whose root is "/" (the whole hierarchy
 * as this cgroup namespace sees it), else the first at all.
 */
function findCgroup2Mount(mountinfo) {
    const mounts = mountinfo.split('\n').map(parseCgroup2Line).filter((m) => m !== undefined);
    return mounts.find((m) => m.root === '/') ?? mounts[0];
}
/** Reads this process's mountinfo; `undefined` when cgroup2 is not mounted (or /proc is unreadable). */
function readCgroup2Mount(mountinfoPath = '/proc/self/mountinfo') {
    let text;
    try {
        text = external_node_fs_default().readFileSync(mountinfoPath, 'utf8');
    }
    catch {
        return undefined;
    }
    return findCgroup2Mount(text);
}

;// CONCATENATED MODULE: ./src/cgroup/privileged-ops.ts
/**
 * The cgroup writes a non-root job needs, through ONE privileged helper call
 * per phase (issue 8: "root, passwordless sudo, or a delegated subtree").
 *
 * Moving a process between two cgroups needs write access to cgroup.procs of
 * their common ancestor (cgroup-v2.rst "Delegation Containment"); for the job
 * cgroup `<origin>/strays-<session>` that is the runner's own cgroup, owned by
 * root. So moving the worker in at start, out before freezing, and back at
 * the end all need root; so does mkdir/rmdir beside it. Where the direct
 * write is refused (EACCES/EPERM) and a privilege prefix is available
 * (`sudo -n` when not root, as for environments in src/proc/privileged.ts),
 * the phase runs as `sudo -n sh -c '<fixed script>' sh <args…>`:
 *
 * - open: prune stale empty job cgroups, mkdir, move the pid, and chown only
 *   the new cgroup's cgroup.freeze to the job's user, so freeze and thaw at
 *   the end need no sudo. Nothing else is handed over: with cgroup.procs or
 *   the directory the user could move processes or create sub-cgroups, and
 *   freezing their own job is no more than SIGSTOP, which they can do anyway.
 * - evacuate: move pids back to the origin (before freezing).
 * - close: thaw, move pids back, wait until empty, rmdir deepest first.
 *
 * The scripts are constants; every value is a positional argument, so no
 * value is ever parsed by the shell. Values are validated before anything
 * runs: the mount must be a cgroup2 mount point listed in mountinfo, paths
 * must stay inside it, the job cgroup must be named `strays-<16 hex>`.
 */






/**
 * The helper for a refused write: the default of src/engine (`sudo -n` when
 * not root; none when root, whom running the same script unelevated would not help).
 */
const helperPrefix = (privilege) => privilege?.prefix ?? defaultPrivilegePrefix();
/** The helper for a cgroup made through it (`via: 'sudo'`): root runs the same script directly. */
const recordHelperPrefix = (privilege) => privilege?.prefix ?? (isRoot() ? [] : SUDO_PREFIX);
/** The helper in words, for log lines: "sudo -n". */
const helperName = (prefix) => (prefix.length > 0 ? prefix.join(' ') : 'sh (no elevation)');
/** Errors the helper can fix; EROFS, EBUSY … are the same for root. */
const isPermissionError = (code) => code === 'EACCES' || code === 'EPERM';
/** Helpers found unusable in this process (no sudo, password required): tried once, then the same reason. */
const privileged_ops_refused = new Map();
const resetCgroupHelperRefusals = () => privileged_ops_refused.clear();
/** Why the helper cannot be used, without running it (no such program, refused earlier); undefined when it may work. */
function helperUnavailable(prefix) {
    const known = privileged_ops_refused.get(helperName(prefix));
    if (known !== undefined)
        return known;
    const program = prefix[0];
    if (program === undefined)
        return undefined;
    const candidates = program.includes('/') ? [program] : (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => external_node_path_default().join(d, program));
    const found = candidates.some((file) => {
        try {
            external_node_fs_default().accessSync(file, (external_node_fs_default()).constants.X_OK);
            return external_node_fs_default().statSync(file).isFile();
        }
        catch {
            return false;
        }
    });
    return found ? undefined : `${program} is not installed`;
}
const JOB_NAME = /^strays-[0-9a-f]{16}$/;
/** cgroup2 mount points in this mount namespace, exactly as mountinfo lists them. */
function cgroup2MountPoints() {
    try {
        return external_node_fs_default().readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map(parseCgroup2Line).flatMap((m) => (m ? [m.mountPoint] : []));
    }
    catch {
        return [];
    }
}
/**
 * `mount` + `relative` as an absolute directory the helper may touch; throws
 * CgroupError (EINVAL) when the mount is not a cgroup2 mount point, the path
 * is not a plain absolute path inside it, or a job cgroup is misnamed.
 */
function helperDir(mount, relative, kind) {
    const refuse = (why) => {
        throw new CgroupError(`Refusing a privileged cgroup operation on "${mount}" + "${relative}": ${why}.`, 'EINVAL');
    };
    if (!cgroup2MountPoints().includes(mount))
        refuse(`${JSON.stringify(mount)} is not a cgroup2 mount point in /proc/self/mountinfo`);
    // Control characters would make the helper's line-based output ambiguous; "." and ".." segments could leave the tree.
    if (/[\0-\x1f\x7f]/.test(relative))
        refuse('the path contains control characters');
    if (!relative.startsWith('/') || relative.split('/').some((s) => s === '.' || s === '..'))
        refuse('not a plain absolute path');
    if (kind === 'job' && !JOB_NAME.test(external_node_path_default().posix.basename(relative)))
        refuse('a job cgroup is named strays-<16 hex digits>');
    return dirOf(mount, relative);
}
/** The job cgroup and origin directories of a record, validated. */
const helperDirsOf = (record) => ({
    dir: helperDir(record.mount, record.path, 'job'),
    origin: helperDir(record.mount, record.origin, 'cgroup'),
});
/** Printed first by every script: proof that the script itself ran (as opposed to sudo refusing). */
const READY = 'strays-cgroup-helper';
/** Runs one fixed script as `prefix sh -c SCRIPT sh args…`, synchronously (job start is synchronous). */
function runHelper(prefix, script, args, timeoutMs = 10_000) {
    const command = helperName(prefix);
    const known = privileged_ops_refused.get(command);
    if (known !== undefined)
        return { ok: false, reason: known, command };
    const [file, ...rest] = [...prefix, 'sh', '-c', `echo ${READY}\n${script}`, 'sh', ...args];
    const result = (0,external_node_child_process_namespaceObject.spawnSync)(file, rest, {
        encoding: 'utf8',
        timeout: timeoutMs,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
    });
    const lines = (result.stdout ?? '').split('\n').filter(Boolean);
    const stderr = (result.stderr ?? '').trim();
    if (lines[0] !== READY) {
        const code = result.error?.code;
        const reason = code === 'ENOENT' || (code === 'EACCES' && result.error.syscall?.startsWith('spawn'))
            ? `${file} is not installed`
            : code === 'ETIMEDOUT'
                ? `${command} did not answer within ${timeoutMs} ms`
                : `${command} refused: ${stderr.split('\n')[0] || `exit status ${result.status ?? result.signal}`}`;
        privileged_ops_refused.set(command, reason);
        return { ok: false, reason, command };
    }
    return { ok: true, lines: lines.slice(1), stderr, command };
}
/** The helper's complaints, one line, for a problem message. */
const lastWords = (run) => run.stderr.split('\n').filter(Boolean).slice(-2).join(' / ') || 'no reason given';
// open: $1 owner uid:gid, $2 pid, $3 count of stale dirs, the stale dirs, then candidate job dirs in order.
// A failed mkdir (exists, no permission) stops; a failed move (EBUSY/EOPNOTSUPP layouts) tries the next candidate.
const OPEN = `owner=$1 pid=$2 n=$3; shift 3
while [ "$n" -gt 0 ]; do rmdir -- "$1" 2>/dev/null && echo "pruned $1"; shift; n=$((n - 1)); done
for dir; do
  mkdir -- "$dir" || exit 3
  if echo "$pid" > "$dir/cgroup.procs"; then
    chown -- "$owner" "$dir/cgroup.freeze" || echo chown-failed
    echo "opened $dir"; exit 0
  fi
  rmdir -- "$dir"
done
exit 4`;
// evacuate: $1 origin dir, then pids. A pid that is gone is a fact, not a failure.
const MOVE = `for p; do
  if echo "$p" > "$to/cgroup.procs"; then echo "moved $p"; elif [ -d "/proc/$p" ]; then echo "failed $p"; fi
done`;
const EVACUATE = `to=$1; shift
${MOVE}`;
// close: $1 job dir, $2 origin dir, $3 ticks of 50 ms to wait for the last exits, then pids to move back.
const CLOSE = `dir=$1 to=$2 ticks=$3; shift 3
echo 0 > "$dir/cgroup.freeze" || echo thaw-failed
${MOVE}
while [ "$ticks" -gt 0 ] && grep -q '^populated 1' "$dir/cgroup.events"; do sleep 0.05; ticks=$((ticks - 1)); done
if grep -q '^populated 1' "$dir/cgroup.events"; then echo busy; exit 0; fi
find "$dir" -depth -type d -exec rmdir -- {} + && echo removed`;
/** Start phase: one helper call that prunes `stale`, then creates the first candidate that takes `pid` (all relative to the mount). */
function openViaHelper(prefix, input, timeoutMs) {
    const ids = [input.pid, input.owner.uid, input.owner.gid];
    if (!ids.every((n) => Number.isSafeInteger(n) && n >= 0))
        throw new CgroupError(`Refusing a privileged cgroup operation: bad pid/uid/gid ${ids.join('/')}.`, 'EINVAL');
    const candidates = input.candidates.map((c) => helperDir(input.mount, c, 'job'));
    const stale = input.stale.map((s) => helperDir(input.mount, s, 'job'));
    const run = runHelper(prefix, OPEN, [`${input.owner.uid}:${input.owner.gid}`, String(input.pid), String(stale.length), ...stale, ...candidates], timeoutMs);
    if (!run.ok)
        throw new CgroupError(`Cannot create a job cgroup through ${run.command}: ${run.reason}.`);
    const opened = run.lines.find((l) => l.startsWith('opened '))?.slice('opened '.length);
    if (opened === undefined)
        throw new CgroupError(`Cannot create a job cgroup ${candidates.join(' or ')} through ${run.command}: ${lastWords(run)}.`);
    return {
        opened: candidates.includes(opened) ? opened : undefined,
        pruned: run.lines.filter((l) => l.startsWith('pruned ')).map((l) => l.slice('pruned '.length)),
        chownFailed: run.lines.includes('chown-failed'),
    };
}
const pidsOf = (lines, word) => lines.filter((l) => l.startsWith(`${word} `)).map((l) => Number(l.slice(word.length + 1)));
/** Moves `pids` back to the record's origin in one helper call; returns those moved. Throws CgroupError only when it cannot run. */
function evacuateViaHelper(prefix, record, pids, timeoutMs) {
    if (pids.length === 0)
        return { moved: [], problems: [] };
    const { origin } = helperDirsOf(record);
    const run = runHelper(prefix, EVACUATE, [origin, ...pids.map(String)], timeoutMs);
    if (!run.ok)
        throw new CgroupError(`Cannot move pid ${pids.join(', ')} out of the job cgroup through ${run.command}: ${run.reason}.`);
    const failed = pidsOf(run.lines, 'failed');
    return { moved: pidsOf(run.lines, 'moved'), problems: failed.length > 0 ? [`Cannot move pid ${failed.join(', ')} back to ${origin} through ${run.command}: ${lastWords(run)}.`] : [] };
}
/** End phase: thaw, move `pids` back, wait up to `settleMs` for the cgroup to empty, remove it; one helper call, never throws. */
function closeViaHelper(prefix, record, pids, settleMs, timeoutMs) {
    let dirs;
    try {
        dirs = helperDirsOf(record);
    }
    catch (error) {
        return { movedBack: [], busy: false, problems: [error.message] };
    }
    const ticks = Math.max(0, Math.ceil(settleMs / 50));
    const run = runHelper(prefix, CLOSE, [dirs.dir, dirs.origin, String(ticks), ...pids.map(String)], Math.max(timeoutMs ?? 10_000, settleMs + 5_000));
    if (!run.ok)
        return { movedBack: [], busy: false, problems: [`Cannot close the job cgroup ${dirs.dir} through ${run.command}: ${run.reason}.`] };
    const problems = [];
    if (run.lines.includes('thaw-failed'))
        problems.push(`Cannot thaw ${dirs.dir} through ${run.command}.`);
    const failed = pidsOf(run.lines, 'failed');
    if (failed.length > 0)
        problems.push(`Cannot move pid ${failed.join(', ')} back to ${dirs.origin} through ${run.command}; it stays in ${dirs.dir}.`);
    const busy = run.lines.includes('busy');
    if (!busy && !run.lines.includes('removed') && external_node_fs_default().existsSync(dirs.dir))
        problems.push(`Cannot remove cgroup ${dirs.dir} through ${run.command}: ${lastWords(run)}.`);
    return { movedBack: pidsOf(run.lines, 'moved'), busy, problems };
}

;// CONCATENATED MODULE: ./src/cgroup/freeze.ts




const freeze_sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Writes cgroup.freeze and waits until cgroup.events reports the state reached. */
async function setFrozen(dir, frozen, timeoutMs = 5000) {
    const want = frozen ? '1' : '0';
    writeControl(dir, 'cgroup.freeze', want);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (readKeyed(dir, 'cgroup.events').get('frozen') === want)
            return;
        if (Date.now() > deadline) {
            throw new CgroupError(`cgroup ${dir} did not ${frozen ? 'freeze' : 'thaw'} within ${timeoutMs} ms (a task in uninterruptible sleep?).`, 'ETIMEDOUT');
        }
        await freeze_sleep(10);
    }
}
/** `pid` and its ancestors below PID 1, read from /proc now (PID 1 is never in a job cgroup). */
const chainOf = (pid) => [...linux_linuxLineage(pid)].filter((p) => p > 1);
/**
 * Moves the given live processes out of the job cgroup back to its origin, so
 * the cgroup can be frozen. A cgroup made through the helper (`via: 'sudo'`)
 * is left through it too, in one call for all pids; a pid it could not move
 * is simply not returned (the freezer then refuses, naming it).
 */
function evacuate(record, pids, privilege) {
    const inside = pids.filter((pid) => inJobCgroup(record, cgroupOfPid(pid)));
    const helper = recordHelperPrefix(privilege);
    if (record.via === 'sudo' && helper !== false)
        return evacuateViaHelper(helper, record, inside).moved;
    const origin = dirOf(record.mount, record.origin);
    return inside.filter((pid) => moveProcess(origin, pid));
}
/** A Freezer for the job cgroup; `freeze` throws CgroupError when it would freeze the checker or the runner. */
function jobFreezer(record, options = {}) {
    const dir = jobDir(record);
    return {
        async freeze() {
            const guarded = [...chainOf(options.checker ?? process.pid), ...(options.protect ?? [])];
            const inside = guarded.filter((pid) => inJobCgroup(record, cgroupOfPid(pid)));
            if (inside.length > 0) {
                throw new CgroupError(`Not freezing ${dir}: it holds pid ${inside.join(', ')} of the checker or the runner chain; move them out first.`);
            }
            await setFrozen(dir, true, options.timeoutMs);
        },
        async thaw() {
            await setFrozen(dir, false, options.timeoutMs);
        },
    };
}

;// CONCATENATED MODULE: ./src/cgroup/prune.ts
/**
 * Removes job cgroups that earlier jobs left when their end never ran (runner
 * crash, `strays start` without `strays check`): empty `strays-*` cgroups
 * beside the one a new job is about to create.
 *
 * Safe by construction: rmdir(2) of a cgroup fails with EBUSY while it holds
 * a process or a child cgroup (cgroup-v2.rst, "Creating and removing cgroups"),
 * so a live job's cgroup can never be removed; the age limit only keeps us
 * out of the microseconds between another job's mkdir and its first move.
 */


/** Empty job cgroups younger than this may belong to a job being set up right now. */
const PRUNE_MIN_AGE_MS = 60_000;
function pruneStaleJobCgroups(parentDir, now = Date.now()) {
    const removed = [];
    for (const dir of staleJobCgroups(parentDir, now)) {
        try {
            external_node_fs_default().rmdirSync(dir);
            removed.push(dir);
        }
        catch {
            // EBUSY (a child cgroup, a process that just arrived), EACCES, ENOENT: not ours to remove now.
        }
    }
    return removed;
}
/** The empty, old job cgroups in `parentDir` (reads only: the sudo path removes them in its one helper call). */
function staleJobCgroups(parentDir, now = Date.now()) {
    const out = [];
    let entries;
    try {
        entries = external_node_fs_default().readdirSync(parentDir, { withFileTypes: true });
    }
    catch {
        return out;
    }
    for (const e of entries) {
        if (!e.isDirectory() || !/^strays-[0-9a-f]{16}$/.test(e.name))
            continue;
        const dir = external_node_path_default().join(parentDir, e.name);
        try {
            if (now - external_node_fs_default().statSync(dir).mtimeMs < PRUNE_MIN_AGE_MS)
                continue;
            if (/^populated 1$/m.test(external_node_fs_default().readFileSync(external_node_path_default().join(dir, 'cgroup.events'), 'utf8')))
                continue;
            out.push(dir);
        }
        catch {
            // gone meanwhile, or unreadable: not a candidate
        }
    }
    return out;
}

;// CONCATENATED MODULE: ./src/cgroup/lifecycle.ts
/**
 * The job cgroup's life: created at job start next to the runner, holding the
 * process that spawns the job's steps; emptied and removed at job end.
 *
 * Layout (cgroup-v2.rst "Top-down Constraint", "No Internal Process
 * Constraint"): the job cgroup is a child of the moved process's own cgroup,
 * `<origin>/strays-<session>`. A new child has no controllers enabled, so it
 * may hold processes. Where the kernel still refuses the move (EBUSY from a
 * threaded or controller-enabled layout, EOPNOTSUPP), the job cgroup is made
 * a sibling leaf, `<parent of origin>/strays-<session>`, instead.
 */








/** A mount point given by hand (tests, `--cgroup-mount`): assumed to show the whole hierarchy. */
const asMount = (mount) => typeof mount === 'string' ? { mountPoint: mount, root: '/', readOnly: false } : (mount ?? readCgroup2Mount());
/** "strays-<hex>" sessions are used as they are; anything else gets the prefix. Never a path. */
function cgroupName(session) {
    const name = session.startsWith('strays-') ? session : `strays-${session}`;
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.includes('..'))
        throw new CgroupError(`Session "${session}" cannot name a cgroup.`);
    return name;
}
const lifecycle_codeOf = (e) => e?.code;
function makeDir(dir) {
    try {
        external_node_fs_default().mkdirSync(dir);
    }
    catch (error) {
        const code = lifecycle_codeOf(error);
        const why = code === 'EEXIST' ? 'it already exists (another job with the same session?)' : explain(code);
        throw new CgroupError(`Cannot create cgroup ${dir}: ${why}.`, code);
    }
}
/** Creates the job cgroup and moves `movePid` into it. Throws CgroupError, leaving nothing behind. */
function openJobCgroup(options) {
    const mount = asMount(options.mount);
    if (!mount)
        throw new CgroupError('cgroup v2 is not mounted (no cgroup2 line in /proc/self/mountinfo).');
    const seen = readStartTicks(options.movePid);
    const shown = cgroupOfPid(options.movePid);
    if (!seen || shown === undefined)
        throw new CgroupError(`Cannot move pid ${options.movePid} into a job cgroup: no such process.`, 'ESRCH');
    const origin = relativeToMount(mount, shown);
    if (origin === undefined)
        throw new CgroupError(`pid ${options.movePid} is in cgroup ${shown}, which the cgroup2 mount ${mount.mountPoint} does not show (nested container?).`);
    const name = cgroupName(options.session);
    const parents = options.parent !== undefined ? [options.parent] : origin === '/' ? ['/'] : [origin, external_node_path_default().posix.dirname(origin)];
    const moved = { pid: options.movePid, start: seen.start };
    const base = { mount: mount.mountPoint, origin, moved: [moved], ...(mount.root !== '/' ? { mountRoot: mount.root } : {}) };
    const helper = helperPrefix(options.privilege);
    const viaHelper = () => {
        if (helper === false)
            throw new CgroupError('No privileged helper allowed for cgroup writes.');
        const candidates = parents.map((parent) => external_node_path_default().posix.join(parent, name));
        const stale = parents.flatMap((parent) => staleJobCgroups(dirOf(mount.mountPoint, parent)).map((d) => external_node_path_default().posix.join(parent, external_node_path_default().basename(d))));
        const uid = options.owner?.uid ?? process.getuid?.() ?? 0;
        const gid = options.owner?.gid ?? process.getgid?.() ?? 0;
        const opened = openViaHelper(helper, { mount: mount.mountPoint, candidates, stale, pid: options.movePid, owner: { uid, gid } });
        const relative = candidates.find((c) => dirOf(mount.mountPoint, c) === opened.opened);
        if (relative === undefined)
            throw new CgroupError(`${helperName(helper)} created an unexpected cgroup ${String(opened.opened)}.`);
        return { ...base, path: relative, via: 'sudo' };
    };
    if (options.privilege?.mode === 'always')
        return viaHelper();
    try {
        return openDirect(mount, parents, name, options.movePid, base);
    }
    catch (error) {
        // Refused to this user: the helper may do it (passwordless sudo on hosted runners).
        if (error instanceof CgroupError && isPermissionError(error.code) && helper !== false)
            return viaHelper();
        throw error;
    }
}
function openDirect(mount, parents, name, movePid, base) {
    let last;
    for (const parent of parents) {
        const relative = external_node_path_default().posix.join(parent, name);
        const dir = dirOf(mount.mountPoint, relative);
        pruneStaleJobCgroups(dirOf(mount.mountPoint, parent));
        makeDir(dir);
        try {
            if (!moveProcess(dir, movePid))
                throw new CgroupError(`Cannot move pid ${movePid} into a job cgroup: no such process.`, 'ESRCH');
        }
        catch (error) {
            external_node_fs_default().rmdirSync(dir);
            last = error instanceof CgroupError ? error : new CgroupError(String(error));
            if (last.code === 'EBUSY' || last.code === 'EOPNOTSUPP')
                continue; // try the sibling layout
            throw last;
        }
        return { ...base, path: relative };
    }
    throw last ?? new CgroupError('No place for a job cgroup.');
}
const lifecycle_sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Moves the moved process(es) back to their origin if they are still alive and
 * still in the job cgroup, thaws the cgroup, then removes it when it is empty.
 * A cgroup that still holds processes is left, and said so: rmdir would fail
 * with EBUSY anyway, and its processes must not be dropped somewhere else.
 */
async function closeJobCgroup(record, options = {}) {
    const dir = jobDir(record);
    const problems = [];
    const movedBack = [];
    if (!external_node_fs_default().existsSync(dir))
        return { movedBack, removed: true, remaining: [], problems };
    const helper = recordHelperPrefix(options.privilege);
    if (record.via === 'sudo' && helper !== false) {
        // One helper call: thaw, move back, wait for the last exits, remove.
        const closed = closeViaHelper(helper, record, stillInside(record), options.settleMs ?? 1000);
        const remaining = closed.busy ? [...memberPids(record)] : [];
        if (closed.busy)
            problems.push(`The job cgroup ${dir} still holds pid ${remaining.join(', ') || '(outside this PID namespace)'}; it is left in place.`);
        return { movedBack: closed.movedBack, removed: !external_node_fs_default().existsSync(dir), remaining, problems: [...closed.problems, ...problems] };
    }
    thawAll(dir, problems);
    for (const pid of stillInside(record)) {
        try {
            if (moveProcess(dirOf(record.mount, record.origin), pid))
                movedBack.push(pid);
        }
        catch (error) {
            problems.push(`${error.message} It stays in ${dir}.`);
        }
    }
    // Exiting tasks leave their cgroup in cgroup_exit(); give the last ones a moment.
    const deadline = Date.now() + (options.settleMs ?? 1000);
    let remaining = [...memberPids(record)];
    while (remaining.length > 0 && Date.now() < deadline) {
        await lifecycle_sleep(20);
        remaining = [...memberPids(record)];
    }
    if (remaining.length > 0) {
        problems.push(`The job cgroup ${dir} still holds pid ${remaining.join(', ')}; it is left in place.`);
        return { movedBack, removed: false, remaining, problems };
    }
    for (const sub of [...subCgroups(dir).reverse(), dir]) {
        try {
            external_node_fs_default().rmdirSync(sub);
        }
        catch (error) {
            if (lifecycle_codeOf(error) !== 'ENOENT')
                problems.push(`Cannot remove cgroup ${sub}: ${explain(lifecycle_codeOf(error))}.`);
        }
    }
    return { movedBack, removed: !external_node_fs_default().existsSync(dir), remaining: [], problems };
}
/** The moved processes that are still alive (same start time) and still in the job cgroup. */
function stillInside(record) {
    return record.moved
        .filter((m) => {
        const now = readStartTicks(m.pid);
        return now !== undefined && now.start === m.start && now.state !== 'Z'; // gone, or the pid is someone else's now
    })
        .filter((m) => inJobCgroup(record, cgroupOfPid(m.pid)))
        .map((m) => m.pid);
}
/** A frozen job cgroup would keep its processes frozen wherever they go: thaw before anything else. */
function thawAll(dir, problems) {
    try {
        if (readKeyed(dir, 'cgroup.events').get('frozen') === '1' || external_node_fs_default().readFileSync(`${dir}/cgroup.freeze`, 'utf8').trim() === '1') {
            writeControl(dir, 'cgroup.freeze', '0');
        }
    }
    catch (error) {
        problems.push(error.message);
    }
}

;// CONCATENATED MODULE: ./src/cgroup/isolation.ts
/**
 * Choosing the isolation for a job: `cgroup` where the host allows it, else
 * `marker` (environment + lineage). Issue 8: never fail the job for it; an
 * impossible `cgroup` falls back to `marker` with one clear log line.
 */




/** statfs(2) f_type of cgroup2 (linux/magic.h CGROUP2_SUPER_MAGIC). */
const CGROUP2_SUPER_MAGIC = 0x63677270;
/**
 * Can a job cgroup be made for `pid`? Reads only; creates nothing, and does not
 * run the helper (that is one call per phase): a helper that is installed is
 * assumed to work, and a refusal at job start is a fallback like any other.
 */
function probeCgroup(options) {
    const no = (reason) => ({ usable: false, reason });
    if (process.platform !== 'linux')
        return no(`cgroups are Linux-only (this is ${process.platform})`);
    const mount = asMount(options.mount);
    if (!mount)
        return no('cgroup v2 is not mounted (no cgroup2 line in /proc/self/mountinfo)');
    if (mount.readOnly)
        return no(`the cgroup2 mount ${mount.mountPoint} is read-only`);
    try {
        if (external_node_fs_default().statfsSync(mount.mountPoint).type !== CGROUP2_SUPER_MAGIC)
            return no(`${mount.mountPoint} is not a cgroup2 filesystem`);
    }
    catch (error) {
        return no(`${mount.mountPoint}: ${explain(error.code)}`);
    }
    const shown = cgroupOfPid(options.pid);
    if (shown === undefined)
        return no(`pid ${options.pid} is gone or has no cgroup v2 entry`);
    const origin = relativeToMount(mount, shown);
    if (origin === undefined)
        return no(`pid ${options.pid}'s cgroup ${shown} is not visible under ${mount.mountPoint} (nested container?)`);
    const dir = dirOf(mount.mountPoint, origin);
    const helper = helperPrefix(options.privilege);
    const viaHelper = () => {
        if (helper === false)
            return undefined;
        const missing = helperUnavailable(helper);
        return missing === undefined ? { usable: true, mount, origin, via: 'sudo', helper: helperName(helper) } : undefined;
    };
    if (options.privilege?.mode === 'always' && helper !== false)
        return viaHelper() ?? no(`${helperUnavailable(helper)}`);
    for (const target of [dir, `${dir}/cgroup.procs`]) {
        try {
            external_node_fs_default().accessSync(target, (external_node_fs_default()).constants.W_OK);
        }
        catch (error) {
            const code = error.code;
            const refused = `cannot write ${target}: ${explain(code)}`;
            if (!isPermissionError(code) || helper === false)
                return no(refused);
            return viaHelper() ?? no(`${refused}, and ${helperUnavailable(helper)}`);
        }
    }
    return { usable: true, mount, origin, via: 'direct' };
}
/** Pure: the requested isolation and what the host allows → what is used. */
function resolveIsolation(requested, probe) {
    if (requested === 'marker')
        return { used: 'marker', reason: 'isolation: marker (as requested): environment marker and lineage only.' };
    if (probe.usable) {
        const via = probe.via === 'sudo' ? ` via ${probe.helper ?? 'sudo -n'}` : '';
        return { used: 'cgroup', reason: `isolation: cgroup (${requested === 'auto' ? 'auto' : 'as requested'}): a job cgroup under ${probe.mount.mountPoint}${probe.origin}${via}.` };
    }
    return requested === 'auto'
        ? { used: 'marker', reason: `isolation: marker (auto): cgroups not usable here: ${probe.reason}.` }
        : { used: 'marker', reason: `isolation: cgroup was requested but is not possible here (${probe.reason}); falling back to marker.` };
}
/**
 * Probe, choose, and create the job cgroup when chosen. A failure to create it
 * (a race, a refusal the probe could not foresee) is a fallback, not an error.
 */
function startIsolation(options) {
    const probe = options.requested === 'marker' ? { usable: false, reason: 'not probed' } : probeCgroup(options);
    const choice = resolveIsolation(options.requested, probe);
    if (choice.used === 'marker')
        return choice;
    // The probe saw direct writes refused: go to the helper at once rather than fail the same write again.
    const privilege = probe.usable && probe.via === 'sudo' ? { ...options.privilege, mode: 'always' } : options.privilege;
    try {
        const record = openJobCgroup({ session: options.session, movePid: options.pid, mount: options.mount, privilege });
        const helper = helperPrefix(privilege);
        const via = record.via === 'sudo' && helper !== false ? ` (via ${helperName(helper)})` : '';
        return { used: 'cgroup', reason: `isolation: cgroup (${options.requested}): job cgroup ${dirOf(record.mount, record.path)}${via}.`, record };
    }
    catch (error) {
        if (!(error instanceof CgroupError))
            throw error;
        return { used: 'marker', reason: `isolation: ${options.requested === 'auto' ? 'marker (auto)' : 'cgroup was requested but failed'}: ${error.message} Falling back to marker.` };
    }
}

;// CONCATENATED MODULE: ./src/cgroup/index.ts
/**
 * Per-job cgroup isolation (issue 8): find the cgroup2 mount, put the job in
 * its own cgroup, tell detection who is in it, freeze it, and remove it.
 */









;// CONCATENATED MODULE: ./src/job/cgroup-phase.ts
/**
 * The end of a job that has its own cgroup (issue 8).
 *
 * Stop-the-world through the freezer: a frozen cgroup cannot fork, so the
 * table read while frozen is complete, and the SIGSTOP sent to every finding
 * while frozen takes effect on thaw before any of them runs a user-space
 * instruction (signals are handled on the way back to user mode). Only then
 * does termination send TERM. The runner's worker and the checker live in
 * the job cgroup too (the worker was moved in at job start): they are moved
 * out first, so freezing never stops the runner.
 */


/**
 * Moves the checker's chain and the runner chain out of the job cgroup. A
 * failure (e.g. sudo refused in the post step) is not the job's: the freezer
 * then refuses, naming the pids still inside, and detection runs unfrozen.
 */
function evacuateRunner(record, baseline, checker) {
    const runner = [...chainOf(checker), ...baseline.ancestors.map((a) => a.pid), ...record.moved.map((m) => m.pid)];
    try {
        return evacuate(record, [...new Set(runner)]);
    }
    catch (error) {
        if (error instanceof CgroupError)
            return [];
        throw error;
    }
}
/**
 * Runs `detect` with the job cgroup frozen and SIGSTOPs what it returns before
 * thawing. When freezing is refused or fails, `detect` runs unfrozen and the
 * reason comes back as a note: termination's own SIGSTOP pass still runs.
 */
async function detectFrozen(record, checker, detect, targets) {
    const freezer = jobFreezer(record, { checker });
    try {
        await freezer.freeze();
    }
    catch (error) {
        return { result: await detect(), notes: [`cgroup freezer not used: ${error.message}`] };
    }
    try {
        const result = await detect();
        for (const f of targets(result))
            signalProcess(f.process, 'SIGSTOP');
        return { result, notes: [] };
    }
    finally {
        await freezer.thaw();
    }
}
async function closeCgroup(record) {
    const closed = await closeJobCgroup(record);
    return [...closed.problems];
}

;// CONCATENATED MODULE: ./src/host/state-dir.ts
/**
 * Where a host keeps its job records.
 *
 * Root: /var/lib/strays (FHS "variable state information", like systemd's
 * StateDirectory=). Others: $XDG_STATE_HOME/strays, default
 * ~/.local/state/strays (XDG Base Directory spec: "state data that should
 * persist between (application) restarts"). STRAYS_STATE_DIR overrides both,
 * so a root sweeper and unprivileged runners can share one directory.
 */


const STATE_DIR_VAR = 'STRAYS_STATE_DIR';
const ROOT_STATE_DIR = '/var/lib/strays';
function defaultStateDir(env = process.env, uid = process.getuid?.()) {
    const override = env[STATE_DIR_VAR];
    if (override !== undefined && override !== '')
        return external_node_path_default().resolve(override);
    if (uid === 0)
        return ROOT_STATE_DIR;
    const xdg = env.XDG_STATE_HOME;
    // The spec: a relative XDG path is invalid and must be ignored.
    if (xdg !== undefined && external_node_path_default().isAbsolute(xdg))
        return external_node_path_default().join(xdg, 'strays');
    return external_node_path_default().join(env.HOME || external_node_os_default().homedir(), '.local', 'state', 'strays');
}

;// CONCATENATED MODULE: ./src/host/atomic.ts
/**
 * Atomic file writes: a reader (the next sweep, node_exporter's textfile
 * collector) sees the old file or the new one, never half of one.
 *
 * rename(2): "If newpath already exists, it will be atomically replaced", but
 * only within one filesystem, so the temp file lives in the target's own
 * directory. Its name does not end in `.prom` or `.json`, so node_exporter
 * ("*.prom" only) and listJobs ("*.json" only) never read it half-written.
 */


function writeFileAtomic(file, text, mode = 0o644) {
    external_node_fs_default().mkdirSync(external_node_path_default().dirname(file), { recursive: true });
    const temp = external_node_path_default().join(external_node_path_default().dirname(file), `.${external_node_path_default().basename(file)}.${process.pid}.tmp`);
    try {
        external_node_fs_default().writeFileSync(temp, text, { mode });
        external_node_fs_default().renameSync(temp, file);
    }
    catch (error) {
        external_node_fs_default().rmSync(temp, { force: true });
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/host/boot.ts
/**
 * Which boot of the machine this is. proc(5): /proc/sys/kernel/random/boot_id
 * is "a random UUID generated once per boot". After a reboot mid-job (one of
 * the ways a post step never runs) pids and start ticks start again from zero,
 * so an old owner identity could by chance match a new process; a changed boot
 * id says the owner is gone without that risk.
 */

function readBootId(procRoot = '/proc') {
    try {
        const id = external_node_fs_default().readFileSync(`${procRoot}/sys/kernel/random/boot_id`, 'utf8').trim();
        return id === '' ? undefined : id;
    }
    catch {
        return undefined; // not Linux, or hidden: fall back to pid + start alone
    }
}

;// CONCATENATED MODULE: ./src/host/job-record.ts
const JOB_KIND = 'strays-job';
const JOB_VERSION = 1;
/** Sessions become file names: nothing that could leave the directory or hide as a dot file. */
const SAFE_SESSION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const isSafeSession = (s) => SAFE_SESSION.test(s);
function serializeJob(r) {
    return `${JSON.stringify({ kind: JOB_KIND, version: JOB_VERSION, ...r }, null, 1)}\n`;
}
/** The record, or the reason it cannot be trusted. */
function parseJob(text) {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch {
        return { ok: false, problem: `is not valid JSON (truncated or damaged; ${text.length} bytes)` };
    }
    if (!isObject(data) || data.kind !== JOB_KIND)
        return { ok: false, problem: `is not a strays job record (no "kind": "${JOB_KIND}")` };
    if (data.version !== JOB_VERSION) {
        return { ok: false, problem: `has version ${JSON.stringify(data.version)}; this strays reads version ${JOB_VERSION}` };
    }
    const owner = data.owner;
    const problems = [
        !(typeof data.session === 'string' && isSafeSession(data.session)) && 'session',
        !(data.runnerTrackingId === undefined || typeof data.runnerTrackingId === 'string') && 'runnerTrackingId',
        !(isObject(owner) && Number.isInteger(owner.pid) && owner.pid > 0 && Number.isFinite(owner.start)) && 'owner',
        !(isObject(owner) && (owner.reader === 'linux-proc' || owner.reader === 'ps')) && 'owner.reader',
        !Number.isFinite(data.startedAt) && 'startedAt',
        typeof data.host !== 'string' && 'host',
        !Number.isInteger(data.registrar) && 'registrar',
        !(data.bootId === undefined || typeof data.bootId === 'string') && 'bootId',
    ].filter((p) => typeof p === 'string');
    if (problems.length > 0)
        return { ok: false, problem: `has missing or malformed fields: ${problems.join(', ')}` };
    const o = owner;
    return {
        ok: true,
        record: {
            session: data.session,
            runnerTrackingId: data.runnerTrackingId === '' ? undefined : data.runnerTrackingId,
            owner: { pid: o.pid, start: o.start, reader: o.reader, comm: typeof o.comm === 'string' ? o.comm : undefined },
            startedAt: data.startedAt,
            host: data.host,
            registrar: data.registrar,
            bootId: data.bootId,
        },
    };
}
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

;// CONCATENATED MODULE: ./src/host/registry.ts
/**
 * The host's job registry: one file per job in the state directory.
 *
 * Job start registers, a normal job end unregisters; what is left belongs to
 * jobs whose cleanup never ran, which is what `strays sweep` looks for.
 */







/**
 * Records live in `jobs/` under the state directory: the directory is shared
 * (the GitHub hooks keep baselines in its `github-hooks/`), and only files in
 * `jobs/` are ever read as job records.
 */
const jobsDir = (stateDir) => external_node_path_default().join(stateDir, 'jobs');
const registry_dirOf = (options) => jobsDir(options.stateDir ?? defaultStateDir());
function jobFile(dir, session) {
    if (!isSafeSession(session))
        throw new Error(`Invalid session "${session}": expected letters, digits, "_", "." and "-" (e.g. strays-0123456789abcdef).`);
    return external_node_path_default().join(dir, `${session}.json`);
}
/** Records a job at its start; returns the file written. */
function registerJob(job, options = {}) {
    const dir = registry_dirOf(options);
    const file = jobFile(dir, job.session);
    const record = {
        session: job.session,
        runnerTrackingId: job.runnerTrackingId || undefined,
        owner: job.owner,
        startedAt: Date.now(),
        host: external_node_os_default().hostname(),
        registrar: process.pid,
        bootId: readBootId(),
    };
    external_node_fs_default().mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileAtomic(file, serializeJob(record));
    return file;
}
/** Registers the job of a baseline that has an owner (its start stamp is in the baseline's reader units). */
function registerBaseline(baseline, options = {}) {
    if (!baseline.owner)
        throw new Error(`Cannot register job ${baseline.session}: its baseline has no owner.`);
    const owner = { pid: baseline.owner.pid, start: baseline.owner.start, reader: baseline.reader };
    return registerJob({ session: baseline.session, runnerTrackingId: baseline.runnerTrackingId, owner }, options);
}
/** Removes a job's record at its normal end. True if there was one. */
function unregisterJob(session, options = {}) {
    const file = jobFile(registry_dirOf(options), session);
    try {
        external_node_fs_default().unlinkSync(file);
        return true;
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return false;
        throw error;
    }
}
/** Every job record in the directory; a missing directory is an empty registry. */
function listJobs(options = {}) {
    const dir = registry_dirOf(options);
    let names;
    try {
        names = external_node_fs_default().readdirSync(dir);
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return { dir, jobs: [], corrupt: [] };
        throw error;
    }
    const jobs = [];
    const corrupt = [];
    for (const name of names.sort()) {
        if (!name.endsWith('.json') || name.startsWith('.'))
            continue; // temp files of atomic writes start with "."
        const file = external_node_path_default().join(dir, name);
        let text;
        try {
            text = external_node_fs_default().readFileSync(file, 'utf8');
        }
        catch (error) {
            const code = error.code;
            if (code === 'ENOENT')
                continue; // unregistered while we listed: the job ended normally
            corrupt.push({ file, problem: `cannot be read (${code ?? String(error)})` });
            continue;
        }
        const parsed = parseJob(text);
        if (!parsed.ok)
            corrupt.push({ file, problem: parsed.problem });
        else if (`${parsed.record.session}.json` !== name)
            corrupt.push({ file, problem: `holds session ${parsed.record.session}, not the one its name says` });
        else
            jobs.push(parsed.record);
    }
    return { dir, jobs, corrupt };
}

;// CONCATENATED MODULE: ./src/host/owner.ts
/**
 * Who owns a job: the process whose exit means the job is over.
 *
 * - Action (pre step): the pre step's parent, the runner's `Runner.Worker`,
 *   which runs exactly one job and exits at its end.
 * - GitHub job-started hook (ACTIONS_RUNNER_HOOK_JOB_STARTED): the nearest
 *   ancestor named `Runner.Worker`; the hook's own shell exits long before the job.
 * - `strays start`: `--owner PID`; by default (`auto`) the nearest
 *   `Runner.Worker` ancestor if there is one (a GitHub hook), else the parent
 *   of `strays start`, the shell running the script. In GitLab's shell
 *   executor that shell runs before_script and script together and exits when
 *   they end; after_script runs in a new shell, so `strays check` there sees a
 *   job that is already "over" (harmless: it is a leak by then). Never use the
 *   gitlab-runner service itself: it outlives every job, so the job would never end.
 * - `strays run`: strays itself.
 *
 * Identities are read from the process table, so they carry the reader's own
 * start stamp; `Owner.reader` says which.
 */


/** comm of the GitHub runner's per-job process (bin/Runner.Worker). */
const RUNNER_WORKER = 'Runner.Worker';
const tableOr = async (table) => table ?? proc_readTable();
function ownerOf(table, pid, what) {
    const p = table.processes.find((q) => q.pid === pid);
    if (!p)
        throw new Error(`Cannot record the job owner: ${what} (pid ${pid}) is not in the process table.`);
    return { pid: p.pid, start: p.start, reader: table.reader, comm: p.comm };
}
function ancestors(table, pid) {
    const tree = buildTree(table.processes);
    return ancestorsOf(tree, pid).flatMap((a) => tree.byPid.get(a) ?? []);
}
/** The pre step's parent (Runner.Worker). */
async function ownerForAction(table) {
    return ownerOf(await tableOr(table), process.ppid, 'the parent of the pre step');
}
/** The nearest `Runner.Worker` ancestor of `self`, or undefined when there is none (not under a GitHub runner). */
function findRunnerWorker(table, self = process.pid) {
    const worker = ancestors(table, self).find((p) => p.comm === RUNNER_WORKER);
    return worker ? { pid: worker.pid, start: worker.start, reader: table.reader, comm: worker.comm } : undefined;
}
/** The job-started hook's owner: the nearest Runner.Worker ancestor; an error when there is none. */
async function ownerForHook(table) {
    const t = await tableOr(table);
    const worker = findRunnerWorker(t);
    if (!worker)
        throw new Error(`Cannot record the job owner: no ancestor of pid ${process.pid} is named ${RUNNER_WORKER}. Is this a GitHub runner job-started hook?`);
    return worker;
}
/** `strays start`'s owner: `--owner PID`, else (auto) the nearest Runner.Worker, else the parent of strays start. */
async function ownerForStart(ownerPid, table) {
    const t = await tableOr(table);
    if (ownerPid !== undefined)
        return ownerOf(t, ownerPid, '--owner');
    return findRunnerWorker(t) ?? ownerOf(t, process.ppid, 'the parent of strays start');
}
/** `strays run`'s owner: strays itself, whose exit ends the guarded command's job. */
async function ownerForRun(table) {
    return ownerOf(await tableOr(table), process.pid, 'strays run');
}

;// CONCATENATED MODULE: ./src/host/plan.ts
/**
 * The sweep's decision, pure: job records + a process table (with marker
 * variables read) → what to end, what to leave, and why.
 *
 * A job is over when its owner (pid + start stamp) is no longer alive. Only a
 * process that carries the marker of a job that is over, and is at least
 * `olderThanMs` old, is a target. Never a target: a process of a job whose
 * owner lives (its step-1 service may be used in step 3, even as an orphan),
 * a process without a marker, the sweeper and its ancestors, and, unless
 * `unrecorded` is set, a marker that no record names.
 */





function jobStatus(record, table, bootId) {
    const { owner } = record;
    const who = `owner pid ${owner.pid}${owner.comm ? ` (${owner.comm})` : ''}`;
    if (record.bootId !== undefined && bootId !== undefined && record.bootId !== bootId) {
        return { record, state: 'over', reason: `the machine has rebooted since the job started; ${who} is gone` };
    }
    if (owner.reader !== table.reader) {
        return { record, state: 'unknown', reason: `${who} was recorded by the ${owner.reader} reader, this sweep reads ${table.reader}: cannot tell, left alone` };
    }
    const now = table.processes.find((p) => p.pid === owner.pid);
    if (!now)
        return { record, state: 'over', reason: `${who} has exited` };
    if (now.start !== owner.start)
        return { record, state: 'over', reason: `${who} has exited (the pid now belongs to ${now.comm}, started later)` };
    if (isZombie(now))
        return { record, state: 'over', reason: `${who} has exited (zombie)` };
    return { record, state: 'live', reason: `${who} is running` };
}
function ageOf(p, table) {
    if (table.reader === 'linux-proc')
        return Math.max(0, ticksToMs(table.now - p.start));
    return p.startedAt === undefined ? undefined : Math.max(0, table.takenAt - p.startedAt);
}
const nonEmpty = (v) => (v === undefined || v === '' ? undefined : v);
function planSweep(input) {
    const { table } = input;
    const statuses = input.jobs.map((r) => jobStatus(r, table, input.bootId));
    const bySession = new Map(statuses.map((s) => [s.record.session, s]));
    const byTracking = new Map();
    for (const s of statuses) {
        const id = s.record.runnerTrackingId;
        if (id !== undefined)
            byTracking.set(id, [...(byTracking.get(id) ?? []), s]);
    }
    const tree = buildTree(table.processes);
    const guarded = new Set([input.self, ...ancestorsOf(tree, input.self)]);
    const targets = [];
    const targetInfo = new Map();
    const young = [];
    const live = [];
    const unrecorded = [];
    let unreadable = 0;
    const oldEnough = (m) => m.ageMs !== undefined && m.ageMs >= input.olderThanMs;
    for (const p of table.processes) {
        if (guarded.has(p.pid) || p.pid <= 1 || isZombie(p))
            continue;
        if (input.within && !input.within(p))
            continue;
        if (p.env && !p.env.readable && p.env.reason !== 'process gone')
            unreadable++;
        const vars = p.env?.readable ? p.env.vars : undefined;
        const session = nonEmpty(vars?.[SESSION_VAR]);
        const trackingId = nonEmpty(vars?.[TRACKING_VAR]);
        if (session === undefined && trackingId === undefined)
            continue;
        const matches = [
            ...(session !== undefined && bySession.has(session) ? [bySession.get(session)] : []),
            ...(trackingId !== undefined ? byTracking.get(trackingId) ?? [] : []),
        ];
        // Any match with a job that may still run wins: ending a live job's process is the one mistake we must not make.
        const alive = matches.find((m) => m.state !== 'over');
        const over = matches.find((m) => m.state === 'over');
        const entry = { process: p, ageMs: ageOf(p, table), session, trackingId, job: (alive ?? over)?.record.session };
        if (alive) {
            live.push(entry);
            continue;
        }
        if (!over)
            unrecorded.push(entry);
        if (!over && !input.unrecorded)
            continue;
        if (!oldEnough(entry)) {
            young.push(entry);
            continue;
        }
        const reasons = over
            ? [
                session === over.record.session ? `carries ${SESSION_VAR}=${session} of a job that is over` : `carries ${TRACKING_VAR}=${trackingId} of a job that is over`,
                over.reason,
            ]
            : [`carries ${session !== undefined ? `${SESSION_VAR}=${session}` : `${TRACKING_VAR}=${trackingId}`}, which no job record names (--unrecorded)`];
        targets.push({
            process: p,
            attribution: session !== undefined && (!over || session === over.record.session) ? 'marker' : 'tracking-id',
            reasons,
            ancestry: ancestorsOf(tree, p.pid),
            children: [...(tree.children.get(p.pid) ?? [])],
            step: nonEmpty(vars?.[STEP_VAR]) ?? nonEmpty(vars?.[CLI_STEP_VAR]),
        });
        targetInfo.set(p.pid, entry);
    }
    return { jobs: statuses, targets, targetInfo, young, live, unrecorded, unreadable };
}

;// CONCATENATED MODULE: ./src/host/sweep.ts
/**
 * `strays sweep`, the I/O around planSweep: list the job records, read the
 * process table and the marker variables, end what the plan says with the
 * post step's own termination, and forget jobs that have nothing left.
 *
 * Records are listed before the table is read: a job registered in between
 * then looks unrecorded (left alone), never over. The reverse order could
 * judge an owner dead because it started after the table was read.
 */








const DEFAULT_OLDER_THAN = '10m';
/** Outcomes after which a process no longer runs. */
const ENDED = new Set(['exited', 'killed', 'gone', 'zombie']);
async function look(options, dir) {
    const { jobs, corrupt } = listJobs({ stateDir: dir });
    const table = await readMarkers(await proc_readTable(), options.within);
    const plan = planSweep({
        jobs,
        table,
        bootId: readBootId(),
        olderThanMs: options.olderThanMs,
        unrecorded: options.unrecorded,
        self: process.pid,
        within: options.within,
    });
    return { plan, corrupt };
}
/** Reads marker variables of every process but ourselves and our ancestors (kernel threads are never in the table). */
async function readMarkers(table, within) {
    const skip = new Set([process.pid, ...ancestorsOf(buildTree(table.processes), process.pid)]);
    return readDetails(table, (p) => p.pid > 1 && !skip.has(p.pid) && p.state !== 'Z' && (within === undefined || within(p)));
}
async function sweep(options) {
    const at = Date.now();
    const dir = options.stateDir ?? defaultStateDir();
    const { plan, corrupt } = await look(options, dir);
    const termination = await terminate(plan.targets, {
        graceMs: options.graceMs,
        kill: !options.dryRun,
        // Children forked while we work belong to the same over jobs: the fresh plan finds them.
        rescan: async () => (await look(options, dir)).plan.targets,
    });
    const pruned = prunable(plan, termination, options.dryRun);
    if (!options.dryRun)
        for (const session of pruned)
            unregisterJob(session, { stateDir: dir });
    const kept = { olderThanMs: options.olderThanMs, dryRun: options.dryRun, graceMs: options.graceMs, unrecorded: options.unrecorded };
    return { at, durationMs: Date.now() - at, stateDir: dir, options: kept, plan, corrupt, termination, pruned };
}
/** Over jobs whose every process has ended (or that had none left): their records have done their work. */
function prunable(plan, termination, dryRun) {
    const outcome = new Map(termination.results.map((r) => [types_identityKey(r), r.outcome]));
    const remaining = new Set();
    for (const y of plan.young)
        if (y.job !== undefined)
            remaining.add(y.job);
    for (const t of plan.targets) {
        const job = plan.targetInfo.get(t.process.pid)?.job;
        const o = outcome.get(types_identityKey(t.process));
        // A dry run ends nothing, but says which records a real sweep would remove once its targets end.
        if (job !== undefined && !dryRun && (o === undefined || !ENDED.has(o)))
            remaining.add(job);
    }
    return plan.jobs.filter((j) => j.state === 'over' && !remaining.has(j.record.session)).map((j) => j.record.session);
}

;// CONCATENATED MODULE: ./src/host/metrics.ts

const OUTCOMES = ['exited', 'killed', 'gone', 'zombie', 'survived', 'not-permitted', 'reported'];
/** Label values escape backslash, double quote and newline (exposition format spec). */
const escapeLabel = (v) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
function render(families) {
    const lines = [];
    for (const f of families) {
        lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`);
        for (const s of f.samples) {
            const labels = Object.entries(s.labels ?? {});
            const text = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
            lines.push(`${f.name}${text} ${Number.isFinite(s.value) ? String(s.value) : 'NaN'}`);
        }
    }
    return `${lines.join('\n')}\n`;
}
const oldest = (list) => {
    const ages = list.map((m) => m.ageMs).filter((a) => a !== undefined);
    return ages.length === 0 ? undefined : Math.max(...ages) / 1000;
};
function sweepMetrics(result) {
    const { plan, termination } = result;
    const counts = new Map(OUTCOMES.map((o) => [o, 0]));
    for (const r of termination.results)
        counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    const leaked = [...plan.targetInfo.values()].filter((m) => m.job !== undefined);
    const leakedAge = oldest([...leaked, ...plan.young.filter((m) => m.job !== undefined)]);
    const unrecordedAge = oldest(plan.unrecorded);
    const jobs = (state) => plan.jobs.filter((j) => j.state === state).length;
    return render([
        {
            name: 'strays_sweep_leaked_processes',
            help: 'Live processes of jobs that are over (owner gone) found by the last sweep, any age.',
            samples: [{ value: leaked.length + plan.young.filter((m) => m.job !== undefined).length }],
        },
        {
            name: 'strays_sweep_processes',
            help: 'Processes the last sweep acted on, by outcome (reported = not signalled: dry run).',
            samples: OUTCOMES.map((o) => ({ labels: { outcome: o }, value: counts.get(o) ?? 0 })),
        },
        { name: 'strays_sweep_young_processes', help: 'Marked processes spared by the last sweep for being younger than --older-than.', samples: [{ value: plan.young.length }] },
        { name: 'strays_sweep_unrecorded_processes', help: 'Live processes carrying a job marker that no job record names.', samples: [{ value: plan.unrecorded.length }] },
        { name: 'strays_sweep_live_job_processes', help: 'Marked processes of jobs whose owner is alive (never touched).', samples: [{ value: plan.live.length }] },
        {
            name: 'strays_sweep_oldest_process_age_seconds',
            help: 'Age of the oldest leaked (job over) or unrecorded process in the last sweep; absent when there was none.',
            samples: [
                ...(leakedAge === undefined ? [] : [{ labels: { kind: 'leaked' }, value: leakedAge }]),
                ...(unrecordedAge === undefined ? [] : [{ labels: { kind: 'unrecorded' }, value: unrecordedAge }]),
            ],
        },
        {
            name: 'strays_sweep_jobs',
            help: 'Job records by state: over (owner gone), live, unknown (cannot tell, left alone), corrupt (skipped).',
            samples: [
                { labels: { state: 'over' }, value: jobs('over') },
                { labels: { state: 'live' }, value: jobs('live') },
                { labels: { state: 'unknown' }, value: jobs('unknown') },
                { labels: { state: 'corrupt' }, value: result.corrupt.length },
            ],
        },
        { name: 'strays_sweep_dry_run', help: '1 when the last sweep was a dry run (nothing signalled).', samples: [{ value: result.options.dryRun ? 1 : 0 }] },
        { name: 'strays_sweep_duration_seconds', help: 'How long the last sweep took.', samples: [{ value: result.durationMs / 1000 }] },
        { name: 'strays_sweep_last_run_timestamp_seconds', help: 'When the last sweep ran, seconds since the epoch.', samples: [{ value: Math.floor(result.at / 1000) }] },
    ]);
}
/** Writes atomically in the file's own directory: the collector never reads half a file. */
function writeSweepMetrics(file, result) {
    writeFileAtomic(file, sweepMetrics(result));
}

;// CONCATENATED MODULE: ./src/host/sweep-output.ts
/**
 * The sweep told to people (console) and to programs (JSON file).
 *
 * Only marker variables appear (STRAYS_SESSION, RUNNER_TRACKING_ID): they were
 * the only ones read, and environments hold secrets.
 */




const SWEEP_KIND = 'strays-sweep';
const SWEEP_VERSION = 1;
const age = (ms) => (ms === undefined ? 'age unknown' : `age ${formatDuration(ms)}`);
const seconds = (ms) => (ms === undefined ? undefined : Math.round(ms / 1000));
const marks = (m) => [m.session && `STRAYS_SESSION=${m.session}`, m.trackingId && `RUNNER_TRACKING_ID=${m.trackingId}`].filter(Boolean).join(' ');
const what = (m) => `pid ${m.process.pid} ${commandLine(m.process)}`;
/** Failures worth a non-zero exit: a process we meant to end is still running. */
const unended = (result) => result.termination.results.filter((r) => r.outcome === 'survived' || r.outcome === 'not-permitted');
function renderSweep(result, quiet = false) {
    const { plan, termination, options } = result;
    const out = [];
    const by = new Map(termination.results.map((r) => [types_identityKey(r), r]));
    const over = plan.jobs.filter((j) => j.state === 'over').length;
    if (!quiet) {
        out.push(`strays sweep${options.dryRun ? ' (dry run: nothing signalled)' : ''}: ${plan.jobs.length} job record(s) in ${result.stateDir}, ` +
            `${over} over, ${plan.jobs.length - over} live; processes at least ${formatDuration(options.olderThanMs)} old.`);
    }
    for (const c of result.corrupt)
        out.push(`  skipped corrupt record ${c.file}: ${c.problem}; nothing is ended on its account`);
    for (const t of plan.targets) {
        const m = plan.targetInfo.get(t.process.pid);
        const r = by.get(types_identityKey(t.process));
        const outcome = r ? `${r.outcome}${r.detail ? ` (${r.detail})` : ''}` : 'not handled';
        out.push(`  ${options.dryRun ? 'would end' : 'ended'}: ${what(m)} (${age(m.ageMs)}) ${m.job ? `of job ${m.job}: ${t.reasons[1] ?? ''}` : `(${marks(m)}, unrecorded)`} → ${outcome}`);
    }
    for (const w of termination.warnings ?? [])
        out.push(`  warning: ${w}`);
    for (const f of termination.added)
        out.push(`  also ended (forked during the sweep): pid ${f.process.pid} ${commandLine(f.process)}`);
    if (!quiet) {
        for (const m of plan.young)
            out.push(`  spared, younger than --older-than: ${what(m)} (${age(m.ageMs)})${m.job ? ` of job ${m.job}` : ''}`);
        // One line per marker: a leaked job often left many processes.
        const left = new Map();
        for (const m of plan.unrecorded.filter((u) => !plan.targetInfo.has(u.process.pid) && !plan.young.includes(u)))
            left.set(marks(m), [...(left.get(marks(m)) ?? []), m]);
        for (const [marker, list] of left) {
            const ages = list.map((m) => m.ageMs).filter((a) => a !== undefined);
            const shown = list.slice(0, 3).map(what).join('; ') + (list.length > 3 ? `; +${list.length - 3} more` : '');
            out.push(`  unrecorded, left alone: ${marker}: ${list.length} process(es)${ages.length > 0 ? `, oldest ${formatDuration(Math.max(...ages))}` : ''} (${shown}); ` +
                `no job record names it${options.unrecorded ? '' : ', --unrecorded with --older-than would end it'}`);
        }
        if (plan.live.length > 0)
            out.push(`  ${plan.live.length} process(es) of live jobs left alone.`);
        if (plan.unreadable > 0)
            out.push(`  ${plan.unreadable} process(es) with unreadable environments (other users') left alone.`);
        if (result.pruned.length > 0)
            out.push(`  ${options.dryRun ? 'would remove' : 'removed'} the record(s) of ${result.pruned.length} finished job(s): ${result.pruned.join(', ')}`);
        if (plan.targets.length === 0 && result.corrupt.length === 0)
            out.push('  nothing to end.');
    }
    return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
const entry = (m) => ({
    pid: m.process.pid,
    start: m.process.start,
    comm: m.process.comm,
    argv: m.process.argv,
    ageSeconds: seconds(m.ageMs),
    session: m.session,
    runnerTrackingId: m.trackingId,
    job: m.job,
});
function sweepJson(result) {
    const { plan, termination } = result;
    const by = new Map(termination.results.map((r) => [types_identityKey(r), r]));
    return {
        kind: SWEEP_KIND,
        version: SWEEP_VERSION,
        host: external_node_os_default().hostname(),
        at: new Date(result.at).toISOString(),
        durationMs: result.durationMs,
        stateDir: result.stateDir,
        options: result.options,
        jobs: plan.jobs.map((j) => ({ session: j.record.session, runnerTrackingId: j.record.runnerTrackingId, state: j.state, reason: j.reason, owner: j.record.owner, startedAt: new Date(j.record.startedAt).toISOString() })),
        targets: plan.targets.map((t) => {
            const r = by.get(types_identityKey(t.process));
            return { ...entry(plan.targetInfo.get(t.process.pid)), reasons: t.reasons, outcome: r?.outcome, signals: r?.signals ?? [], via: r?.via, detail: r?.detail };
        }),
        added: termination.added.map((f) => ({ pid: f.process.pid, start: f.process.start, comm: f.process.comm, reasons: f.reasons })),
        young: plan.young.map(entry),
        unrecorded: plan.unrecorded.map(entry),
        liveJobProcesses: plan.live.length,
        unreadable: plan.unreadable,
        corrupt: result.corrupt,
        pruned: result.pruned,
        warnings: termination.warnings ?? [],
    };
}
function writeSweepJson(file, result) {
    writeFileAtomic(file, `${JSON.stringify(sweepJson(result), null, 2)}\n`);
}

;// CONCATENATED MODULE: ./src/host/index.ts
/** Host state (which jobs run here, and who owns them) and `strays sweep`. */











;// CONCATENATED MODULE: ./src/job/host-phase.ts
/**
 * What the host state tells the end of a job: which other jobs are running
 * here now (so the time-window rule refuses to guess), and the removal of
 * this job's record once its end has run.
 */

/** Sessions of other recorded jobs whose owner is still alive; the table is read only when there are other records. */
async function activeOtherSessions(session, readTable, stateDir) {
    let list;
    try {
        list = listJobs({ stateDir });
    }
    catch (error) {
        return { sessions: [], notes: [`host state: cannot list jobs (${error.message}).`] };
    }
    const notes = list.corrupt.map((c) => `host state: skipped ${c.file}: ${c.problem}`);
    const others = list.jobs.filter((record) => record.session !== session);
    if (others.length === 0)
        return { sessions: [], notes };
    const table = await readTable();
    const boot = readBootId();
    const sessions = others
        .filter((record) => jobStatus(record, table, boot).state !== 'over')
        .map((record) => record.session);
    return { sessions, notes };
}
/** Removes this job's record; a failure is a note, the sweeper copes with a stale record. */
function forgetJob(session, stateDir) {
    try {
        unregisterJob(session, { stateDir });
        return [];
    }
    catch (error) {
        return [`host state: cannot remove this job's record (${error.message}).`];
    }
}

;// CONCATENATED MODULE: ./src/job/finish.ts
/**
 * The end of a job, shared by the action's post step, `strays check` and
 * `strays run`: detect what the job left, end it (unless told not to), and
 * build the report. Adapters only render the report and decide the exit.
 */








async function finishJob(input) {
    const { baseline, options } = input;
    const checker = input.checker ?? process.pid;
    const cgroup = baseline.cgroup;
    const notes = [];
    if (cgroup)
        evacuateRunner(cgroup, baseline, checker);
    const others = await activeOtherSessions(baseline.session, () => proc_readTable(baseline.reader, STAT_ONLY), input.stateDir);
    notes.push(...others.notes);
    const detectOptions = {
        allow: options.allow,
        rules: [...(input.rules ?? []), ...(cgroup ? [cgroupRule(cgroup)] : [])],
        checker,
        otherSessions: [...(input.otherSessions ?? []), ...others.sessions],
        privileged: input.privileged,
    };
    const targetsOf = (d) => (options.unattributed === 'kill' ? [...d.findings, ...d.unattributed] : d.findings);
    const runCheck = () => check(baseline, detectOptions);
    // Report-only jobs are not even paused: the freezer is for stopping what will be signalled.
    const checked = cgroup && options.kill
        ? await detectFrozen(cgroup, checker, runCheck, (r) => targetsOf(r.detection))
        : { result: await runCheck(), notes: [] };
    const { table, detection } = checked.result;
    notes.push(...checked.result.notes, ...checked.notes);
    const context = { host: external_node_os_default().hostname(), checkedAt: Date.now(), ...input.context };
    // Explain before terminating: once a process is gone, its sockets and files are gone too.
    const explanations = explainFindings([...detection.findings, ...detection.unattributed], table, context, { baseline, checker });
    const termination = await terminate(targetsOf(detection), {
        graceMs: options.graceMs,
        kill: options.kill,
        self: checker,
        rescan: async () => targetsOf((await runCheck()).detection),
    });
    if (cgroup)
        notes.push(...(await closeCgroup(cgroup)));
    if (input.forget !== false)
        notes.push(...forgetJob(baseline.session, input.stateDir));
    const report = buildReport({ baseline, detection, termination, explanations, options, context, table });
    const leaked = detection.findings.length + detection.unattributed.length;
    return { report, detection, termination, failed: options.failOnLeak && leaked > 0, notes };
}

;// CONCATENATED MODULE: ./src/cli/output.ts

const processIo = () => ({
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    errIsTty: process.stderr.isTTY === true,
    outIsTty: process.stdout.isTTY === true,
    env: process.env,
});
const useColor = (io, tty) => tty && !(io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '');
const somethingLeaked = (r) => r.leaks.length + r.unattributed.length + r.zombies.length > 0;
/**
 * Prints the report (table + one-line summary) unless quiet and clean, and
 * writes the JSON file when asked. Returns an error message when the JSON
 * could not be written, so the caller decides the status.
 */
function emitReport(io, report, options) {
    if (!options.quiet || somethingLeaked(report))
        io.err(renderConsole(report, { color: useColor(io, io.errIsTty) }));
    if (options.json === undefined)
        return undefined;
    try {
        writeJsonReport(options.json, report);
        return undefined;
    }
    catch (error) {
        return `strays: cannot write the JSON report ${options.json}: ${error.message}`;
    }
}

;// CONCATENATED MODULE: ./src/cli/job.ts





/** Loads a --state file; any fault of the file is bad input (status 2), named with the file. */
function loadState(command, file) {
    try {
        return loadBaseline(file);
    }
    catch (error) {
        if (error instanceof BaselineFileError) {
            throw new UsageError(`strays ${command}: ${error.message} Expected the --state FILE written by \`strays start\` of this strays version.`, command);
        }
        throw error;
    }
}
async function finishAndReport(io, baseline, options, quiet) {
    const { report, failed, notes } = await finishJob({ baseline, options, context: cliContext(baseline), checker: process.pid });
    if (!quiet)
        for (const note of notes)
            io.err(`strays: ${note}`);
    const jsonError = emitReport(io, report, { quiet, json: options.reportPath });
    if (jsonError)
        io.err(jsonError);
    const leaked = report.leaks.length + report.unattributed.length;
    return { status: failed ? EXIT.leaked : jsonError ? EXIT.failure : EXIT.ok, leaked };
}

;// CONCATENATED MODULE: ./src/cli/commands/check.ts
/** `strays check --state FILE`: the end of a job started with `strays start`. */






const OPTIONS = {
    state: { type: 'string', value: 'FILE', help: 'the baseline written by `strays start` (required)' },
    'remove-state': { type: 'boolean', help: 'delete the state file after the check (the job is over)' },
    ...GUARD_OPTIONS,
};
const check_check = {
    name: 'check',
    summary: 'find what the job left running since `strays start`, report it, end it',
    help: () => usageText('check', 'strays check --state FILE [options]', 'Detects every process the job started since `strays start --state FILE` that is still alive,\nreports it, and ends it (SIGTERM, then SIGKILL after --grace) unless --no-kill.', OPTIONS),
    async run(argv, io) {
        const values = optionsOnly(check_check, argv, OPTIONS, io);
        if (values === undefined)
            return EXIT.ok;
        const file = stringValue(values, 'state');
        if (file === undefined)
            throw new UsageError('strays check: --state FILE is required (the file `strays start --state FILE` wrote).', 'check');
        const options = guardOptionsFrom('check', values);
        const baseline = loadState('check', file);
        const quiet = flag(values, 'quiet');
        const { status } = await finishAndReport(io, baseline, options, quiet);
        if (flag(values, 'remove-state'))
            external_node_fs_default().rmSync(file, { force: true });
        return status;
    },
};

;// CONCATENATED MODULE: ./src/cli/github-hooks.ts
const HOOK_KINDS = ['job-started', 'job-completed'];
const HOOK_ENV_VARS = {
    'job-started': 'ACTIONS_RUNNER_HOOK_JOB_STARTED',
    'job-completed': 'ACTIONS_RUNNER_HOOK_JOB_COMPLETED',
};
const COMMON = (bin) => `# Settings (in the runner's .env, or the environment of its service):
#   STRAYS_BIN        how to run strays (default: ${bin})
#   STRAYS_STATE_DIR  strays's state directory (default: /var/lib/strays as root, else
#                     \${XDG_STATE_HOME:-~/.local/state}/strays); baselines go in its github-hooks/
#   STRAYS_OPTIONS    options for \`strays check\`, e.g. "--fail-on-leak --grace 10s"
#   STRAYS_SWEEP_OPTIONS  options for the sweep before each job, e.g. "--older-than 30m"
set -eu
strays_bin=\${STRAYS_BIN:-${bin}}
if [ -n "\${STRAYS_STATE_DIR:-}" ]; then
  state_base=$STRAYS_STATE_DIR
elif [ "$(id -u)" = 0 ]; then
  state_base=/var/lib/strays
else
  state_base=\${XDG_STATE_HOME:-\${HOME:?set STRAYS_STATE_DIR or HOME}/.local/state}/strays
fi
state_dir=$state_base/github-hooks
tracking_id=\${RUNNER_TRACKING_ID:-}
case "$tracking_id" in
  '' | *[!A-Za-z0-9_-]*)
    # Unset when the job turns the runner's process cleanup off (process.clean: false).
    echo "::warning title=strays::RUNNER_TRACKING_ID is \${tracking_id:-not set}; strays does not guard this job."
    exit 0 ;;
esac
state="$state_dir/$tracking_id.json"
`;
function hookScript(kind, bin) {
    const head = `#!/usr/bin/env bash
# strays: GitHub self-hosted runner ${kind} hook (${HOOK_ENV_VARS[kind]}).
# Generated by \`strays hooks github\`; see the README of strays.
`;
    if (kind === 'job-started') {
        return `${head}${COMMON(bin)}mkdir -p "$state_dir"
chmod 700 "$state_dir"
# First sweep what earlier jobs left when their end never ran (runner crash, reboot, hard kill):
# only processes marked by a recorded job whose owner has exited. It never fails this job.
# shellcheck disable=SC2086 # STRAYS_SWEEP_OPTIONS is a word list
$strays_bin sweep --quiet --grace 2s \${STRAYS_SWEEP_OPTIONS:-} || echo "::warning title=strays::strays sweep exited with status $?"
# --owner: the runner worker (this shell's parent), whose exit ends the job, for \`strays sweep\`.
# An assignment keeps start's exit status (eval "$(…)" would hide a failure).
# shellcheck disable=SC2086 # STRAYS_BIN may be "node /path/to/dist/cli/index.js"
export_line=$($strays_bin start --state "$state" --owner "$PPID")
eval "$export_line"
# Hooks cannot export variables, but they may write GITHUB_ENV: every later step gets the marker.
if [ -n "\${GITHUB_ENV:-}" ]; then
  echo "STRAYS_SESSION=$STRAYS_SESSION" >> "$GITHUB_ENV"
fi
`;
    }
    return `${head}${COMMON(bin)}if [ ! -f "$state" ]; then
  echo "::warning title=strays::no baseline $state (did the job-started hook run?); nothing checked."
  exit 0
fi
# check reports, ends what leaked, and exits 3 with --fail-on-leak: that fails the job.
# shellcheck disable=SC2086 # STRAYS_OPTIONS and STRAYS_BIN are word lists
exec $strays_bin check --state "$state" --remove-state \${STRAYS_OPTIONS:-}
`;
}

;// CONCATENATED MODULE: ./src/cli/commands/hooks.ts
/**
 * `strays hooks github --out DIR`: writes the two GitHub self-hosted runner
 * job hooks and prints the lines for the runner's .env.
 */





const hooks_OPTIONS = {
    out: { type: 'string', value: 'DIR', help: 'directory to write job-started.sh and job-completed.sh into (required)' },
    bin: { type: 'string', value: 'CMD', help: 'how the hooks run strays (default: this strays, as "NODE SCRIPT")' },
};
/** The scripts are run by bash and STRAYS_BIN is word-split: only plain path characters are safe. */
const PLAIN = /^[A-Za-z0-9_./+:@=-]+( [A-Za-z0-9_./+:@=-]+)*$/;
const hooks = {
    name: 'hooks',
    summary: 'write job hooks for a CI system (`strays hooks github --out DIR`)',
    help: () => usageText('hooks', 'strays hooks github --out DIR [--bin CMD]', 'Writes job-started.sh and job-completed.sh for a GitHub self-hosted runner and prints the two\nlines to add to the runner\'s .env (then restart the runner).', hooks_OPTIONS),
    async run(argv, io) {
        const { values, positionals, rest } = parseCommandArgs('hooks', argv, hooks_OPTIONS);
        if (flag(values, 'help')) {
            io.out(hooks.help());
            return EXIT.ok;
        }
        if (positionals.length !== 1 || positionals[0] !== 'github' || rest !== undefined) {
            throw new UsageError(`strays hooks: expected the CI system: github (got ${positionals.length === 0 ? 'nothing' : `"${positionals.join(' ')}"`}).`, 'hooks');
        }
        const out = stringValue(values, 'out');
        if (out === undefined)
            throw new UsageError('strays hooks github: --out DIR is required (where to write the hook scripts).', 'hooks');
        const bin = stringValue(values, 'bin') ?? `${process.execPath} ${external_node_path_default().resolve(process.argv[1])}`;
        if (!PLAIN.test(bin)) {
            throw new UsageError(`strays hooks github: --bin "${bin}" has characters the hook cannot word-split safely; expected plain paths such as --bin "/usr/bin/node /opt/strays/dist/cli/index.js".`, 'hooks');
        }
        const dir = external_node_path_default().resolve(out);
        external_node_fs_default().mkdirSync(dir, { recursive: true });
        const lines = [];
        for (const kind of HOOK_KINDS) {
            const file = external_node_path_default().join(dir, `${kind}.sh`);
            external_node_fs_default().writeFileSync(file, hookScript(kind, bin), { mode: 0o755 });
            external_node_fs_default().chmodSync(file, 0o755);
            lines.push(`${HOOK_ENV_VARS[kind]}=${file}`);
        }
        io.err(`strays: wrote ${lines.length} hooks to ${dir}. Add these lines to the runner's .env and restart the runner:`);
        io.out(lines.join('\n'));
        return EXIT.ok;
    },
};

;// CONCATENATED MODULE: ./src/cli/tree-view.ts
/**
 * A process tree as text, like `ps f`: the chosen processes, each under its
 * parent when the parent is chosen too. Pure: rows in, lines out.
 */


const tree_view_oneLine = (text) => text.replace(/[\u0000-\u001f\u007f]/g, '?');
function renderTree(rows, now) {
    const byPid = new Map(rows.map((r) => [r.process.pid, r]));
    const children = new Map();
    const roots = [];
    for (const r of rows) {
        const parent = byPid.get(r.process.ppid);
        if (parent && parent !== r)
            children.set(parent.process.pid, [...(children.get(parent.process.pid) ?? []), r]);
        else
            roots.push(r);
    }
    const head = ['PID', 'PPID', 'PGID', 'STAT', 'AGE', 'COMMAND'];
    const cells = [];
    const seen = new Set();
    const visit = (r, depth) => {
        if (seen.has(r.process.pid))
            return; // cycle-safe, as tables read while processes fork can be odd
        seen.add(r.process.pid);
        const p = r.process;
        const age = p.startedAt === undefined ? '?' : formatDuration(Math.max(0, now - p.startedAt));
        const indent = depth === 0 ? '' : `${'   '.repeat(depth - 1)} \\_ `;
        const command = `${indent}${tree_view_oneLine(commandLine(p)).slice(0, 120)}${r.note ? `  [${r.note}]` : ''}`;
        cells.push([String(p.pid), String(p.ppid), String(p.pgid), p.state, age, command]);
        for (const c of [...(children.get(p.pid) ?? [])].sort((a, b) => a.process.pid - b.process.pid))
            visit(c, depth + 1);
    };
    for (const r of [...roots].sort((a, b) => a.process.pid - b.process.pid))
        visit(r, 0);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
    const line = (c) => c.map((cell, i) => (i === c.length - 1 ? cell : cell.padStart(i < 3 ? widths[i] ?? 0 : 0).padEnd(widths[i] ?? 0))).join('  ');
    return [line(head), ...cells.map(line)];
}

;// CONCATENATED MODULE: ./src/cli/commands/ps.ts
/**
 * `strays ps [--state FILE]`: the job's live processes as a tree; touches
 * nothing (a debugging aid). Without --state: every process carrying any
 * STRAYS_SESSION, with its descendants, grouped by session.
 */












const ps_OPTIONS = {
    state: { type: 'string', value: 'FILE', help: 'show the job of this baseline (default: every marked job)' },
    ...GUARD_OPTIONS,
};
const ps = {
    name: 'ps',
    summary: 'show the job\'s live processes as a tree, without touching them',
    help: () => usageText('ps', 'strays ps [--state FILE] [options]', `Lists what \`strays check\` would find now, as a tree, and signals nothing.\nWithout --state: every process carrying a ${SESSION_VAR}, and its descendants, by session.`, ps_OPTIONS),
    async run(argv, io) {
        const values = optionsOnly(ps, argv, ps_OPTIONS, io);
        if (values === undefined)
            return EXIT.ok;
        const options = guardOptionsFrom('ps', values);
        const file = stringValue(values, 'state');
        return file === undefined ? psAll(io, options.reportPath) : psJob(io, file, options);
    },
};
async function psJob(io, file, options) {
    const baseline = loadState('ps', file);
    const rules = baseline.cgroup ? [cgroupRule(baseline.cgroup)] : [];
    const { table, detection } = await check(baseline, { allow: options.allow, checker: process.pid, rules });
    const rows = [
        ...detection.findings.map((f) => ({ process: f.process, note: `${f.attribution}${f.step ? `, step ${f.step}` : ''}` })),
        ...detection.unattributed.map((f) => ({ process: f.process, note: `unattributed, ${f.attribution}` })),
        ...detection.zombies.map((z) => ({ process: z.process, note: `zombie, reaper ${z.reaper}` })),
    ];
    io.out(`job ${baseline.session}: ${rows.length === 0 ? 'no live processes' : `${rows.length} processes`}`);
    if (rows.length > 0)
        io.out(renderTree(rows, Date.now()).join('\n'));
    if (options.reportPath !== undefined) {
        const context = { host: external_node_os_default().hostname(), checkedAt: Date.now(), ...cliContext(baseline) };
        const explanations = explainFindings([...detection.findings, ...detection.unattributed], table, context);
        writeJsonReport(options.reportPath, buildReport({ baseline, detection, termination: undefined, explanations, options: { ...options, kill: false }, context, table }));
    }
    return EXIT.ok;
}
async function psAll(io, json) {
    const table = await readDetails(await proc_readTable(), (p) => p.pid !== process.pid);
    const tree = buildTree(table.processes);
    const sessionOf = (p) => (p.env?.readable ? p.env.vars[SESSION_VAR] : undefined) || undefined;
    const bySession = new Map();
    for (const p of table.processes) {
        const session = sessionOf(p);
        if (session === undefined)
            continue;
        const pids = bySession.get(session) ?? new Set();
        pids.add(p.pid);
        // Descendants belong to the job even when they scrubbed their environment (env -i).
        for (const d of descendantsOf(tree, p.pid))
            if (d !== process.pid)
                pids.add(d);
        bySession.set(session, pids);
    }
    if (bySession.size === 0)
        io.out(`no process carries ${SESSION_VAR}`);
    const listing = [];
    for (const [session, pids] of [...bySession].sort(([a], [b]) => a.localeCompare(b))) {
        const rows = [...pids].map((pid) => tree.byPid.get(pid)).filter((p) => p !== undefined)
            .map((p) => ({ process: p, note: sessionOf(p) === undefined ? 'descendant' : '' }));
        io.out(`${SESSION_VAR}=${session}: ${rows.length} processes`);
        io.out(renderTree(rows, Date.now()).join('\n'));
        listing.push({ session, processes: rows.map(({ process: p }) => ({ pid: p.pid, ppid: p.ppid, pgid: p.pgid, state: p.state, command: [...p.argv] })) });
    }
    if (json !== undefined)
        external_node_fs_default().writeFileSync(json, `${JSON.stringify({ tool: 'strays', sessions: listing }, null, 2)}\n`);
    return EXIT.ok;
}

;// CONCATENATED MODULE: ./src/job/begin.ts
/**
 * The start of a job, shared by the action's pre step, `strays start` and
 * `strays run`: snapshot, isolation (a job cgroup where the host allows it),
 * and the host-state record `strays sweep` uses when the job's end never runs.
 * Isolation and host state are best effort: they add notes, never failures.
 */




async function beginJob(input) {
    const table = await proc_readTable();
    const plain = baseline_snapshotFrom({
        table,
        session: input.session,
        runnerTrackingId: input.runnerTrackingId ?? process.env.RUNNER_TRACKING_ID,
    });
    const notes = [];
    const owner = await input.owner(table);
    const movePid = input.cgroupPid === 'owner' ? owner?.pid : input.cgroupPid;
    const isolation = movePid === undefined
        ? { used: 'marker', reason: 'isolation: marker (no process to put in a job cgroup).' }
        : startIsolation({ requested: input.isolation, session: plain.session, pid: movePid });
    notes.push(isolation.reason);
    const baseline = {
        ...plain,
        owner: owner ? { pid: owner.pid, start: owner.start } : undefined,
        cgroup: 'record' in isolation ? isolation.record : undefined,
    };
    if (input.register !== false && baseline.owner) {
        try {
            registerBaseline(baseline, { stateDir: input.stateDir });
        }
        catch (error) {
            notes.push(`host state: not recorded (${error.message}); \`strays sweep\` will list this job's leftovers as unrecorded.`);
        }
    }
    return { baseline, isolation: baseline.cgroup ? 'cgroup' : 'marker', notes };
}

;// CONCATENATED MODULE: ./src/cli/child.ts
/**
 * The guarded command of `strays run`: spawned in its own session and
 * process group (setsid, via `detached`), so strays can signal the whole
 * group at once and no signal aimed at strays's own group (a terminal's ^C,
 * a runner's `kill -TERM -pgid`) reaches the command except through strays.
 */



/** 128 + signal number, as a shell reports a command killed by a signal. */
const signalStatus = (signal) => 128 + ((external_node_os_default()).constants.signals[signal] ?? 0);
function startGuarded(command, args, env) {
    let child;
    let reaped = false;
    const ended = new Promise((resolve) => {
        child = (0,external_node_child_process_namespaceObject.spawn)(command, [...args], { detached: true, stdio: 'inherit', env });
        child.once('error', (error) => {
            if (child.pid !== undefined)
                return; // an error after a successful spawn (e.g. kill failed) is not an exec failure
            reaped = true;
            const notFound = error.code === 'ENOENT';
            resolve({
                kind: 'not-started',
                status: notFound ? EXIT.notFound : EXIT.cannotExecute,
                description: notFound ? `command not found: ${command} (ENOENT)` : `cannot execute ${command} (${error.code ?? error.message})`,
            });
        });
        child.once('exit', (code, signal) => {
            reaped = true;
            if (signal)
                resolve({ kind: 'exited', status: signalStatus(signal), description: `killed by ${signal}` });
            else
                resolve({ kind: 'exited', status: code ?? EXIT.failure, description: `exited with status ${code ?? '?'}` });
        });
    });
    // spawn() runs synchronously inside the Promise executor, so `child` is set here.
    const leader = child;
    return {
        pid: leader.pid,
        ended,
        running: () => !reaped && leader.pid !== undefined,
        signalGroup: (signal) => {
            // An unreaped leader pins its pid, so -pid is still this command's group (never a recycled one).
            if (reaped || leader.pid === undefined)
                return false;
            try {
                process.kill(-leader.pid, signal);
                return true;
            }
            catch {
                return false; // ESRCH: the group is empty; a fact, not a failure
            }
        },
    };
}

;// CONCATENATED MODULE: ./src/cli/commands/run.ts
/**
 * `strays run [options] -- CMD [ARGS…]`: a guarded job around one command.
 *
 * The GitLab shell-adapter problem (seeds/002): `su` passes SIGTERM, then
 * SIGKILL, to its direct child only, and the job's tree is orphaned. Under
 * `strays run` the direct child is strays: it forwards the signal to the
 * command's whole process group at once, then hands the end of the job to a
 * finisher (`strays check`) in its own session, which `su`'s SIGKILL of
 * strays cannot reach, so the grace period and the SIGKILL still happen.
 */













const run_OPTIONS = {
    state: { type: 'string', value: 'FILE', help: 'keep the baseline in FILE (for `strays ps --state FILE` from another shell)' },
    ...GUARD_OPTIONS,
};
/** Signals a CI system or a terminal uses to stop a job; each is forwarded to the command's process group. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** STRAYS_STEP names the step in reports; a step name, not a script, so it is capped. */
const stepName = (argv) => {
    const line = argv.join(' ');
    return line.length > 200 ? `${line.slice(0, 199)}…` : line;
};
const run_run = {
    name: 'run',
    summary: 'run a command as a guarded job; end whatever it leaves behind',
    help: () => usageText('run', 'strays run [options] -- COMMAND [ARGS…]', [
        'Runs COMMAND in its own process group, marked with STRAYS_SESSION, forwarding SIGINT, SIGTERM and SIGHUP',
        'to the whole group. When it exits (or strays is told to stop), every process it left behind is reported',
        'and ended. Exits with the command\'s status; with --fail-on-leak, 3 when the command succeeded but leaked.',
    ].join('\n'), run_OPTIONS),
    async run(argv, io) {
        if (!argv.includes('--'))
            refuseCommandWithoutTerminator(argv);
        const { values, positionals, rest } = parseCommandArgs('run', argv, run_OPTIONS);
        if (flag(values, 'help')) {
            io.out(run_run.help());
            return EXIT.ok;
        }
        if (positionals.length > 0) {
            throw new UsageError(`strays run: "${positionals[0]}" before "--": put the command after "--", as in: strays run [options] -- ${positionals.join(' ')}`, 'run');
        }
        if (rest === undefined || rest.length === 0) {
            throw new UsageError('strays run: no command given: expected "--" followed by the command, as in: strays run [options] -- ./build.sh', 'run');
        }
        const options = guardOptionsFrom('run', values);
        const quiet = flag(values, 'quiet');
        const keptState = stringValue(values, 'state');
        if (keptState !== undefined)
            checkWritableDir('run', '--state', keptState);
        // strays owns the job (its exit ends it) and steps into the job cgroup just long enough
        // to fork the command there: the command and all it starts stay in, strays steps out.
        const { baseline, notes } = await beginJob({ isolation: options.isolation, owner: (table) => ownerForRun(table), cgroupPid: process.pid });
        if (!quiet)
            for (const note of notes)
                io.err(`strays: ${note}`);
        const tempDir = keptState === undefined ? external_node_fs_default().mkdtempSync(external_node_path_default().join(external_node_os_default().tmpdir(), 'strays-run-')) : undefined;
        const stateFile = keptState ?? external_node_path_default().join(tempDir, 'baseline.json');
        // The finisher (signal path) reads the baseline from here.
        saveBaseline(stateFile, baseline);
        const cleanup = () => {
            if (tempDir !== undefined)
                external_node_fs_default().rmSync(tempDir, { recursive: true, force: true });
        };
        const [command, ...args] = rest;
        const env = { ...process.env, [SESSION_VAR]: baseline.session, [CLI_STEP_VAR]: stepName(rest) };
        const child = startGuarded(command, args, env);
        if (baseline.cgroup)
            evacuate(baseline.cgroup, [process.pid]);
        let finisher;
        let stopped = () => undefined;
        const stopRequested = new Promise((resolve) => (stopped = resolve));
        const onSignal = (signal) => {
            child.signalGroup(signal);
            if (finisher === undefined && child.running()) {
                finisher = startFinisher(argv, stateFile, tempDir !== undefined, signal, io);
                stopped(signal);
            }
        };
        for (const s of FORWARDED)
            process.on(s, onSignal);
        // Either the command ends by itself, or strays is told to stop first.
        let end = await Promise.race([child.ended, stopRequested]);
        if (end !== undefined && typeof end === 'object' && end.kind === 'not-started') {
            for (const s of FORWARDED)
                process.off(s, onSignal);
            cleanup();
            io.err(`strays run: ${end.description}`);
            return end.status;
        }
        let finished;
        if (typeof end === 'string') {
            const signal = end;
            finished = await finisher;
            // The finisher ended the leader too, unless it could not (D state, EPERM): then do not wait forever.
            end = await Promise.race([child.ended, sleepThen(2000, { kind: 'exited', status: signalStatus(signal), description: `still running after ${signal} and the finisher (see the report)` })]);
        }
        else {
            // A signal now (the command is gone, its pid may be reused) is not forwarded; and
            // finishJob's termination (grace, then SIGKILL) ends what the command left.
            finisher = Promise.resolve(EXIT.ok);
            if (!quiet || end.status !== 0)
                io.err(`strays: ${stepName(rest)}: ${end.description}`);
            finished = (await finishAndReport(io, baseline, options, quiet)).status;
        }
        for (const s of FORWARDED)
            process.off(s, onSignal);
        cleanup();
        return combine(end.status, finished);
    },
};
const sleepThen = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
/**
 * Without `--`, the command's own options (`sh -c …`) would be read as
 * strays's: name the real mistake rather than "unknown option -c".
 */
function refuseCommandWithoutTerminator(argv) {
    for (let i = 0; i < argv.length; i++) {
        const token = argv[i];
        if (!token.startsWith('-')) {
            throw new UsageError(`strays run: "${token}" before "--": put the command after "--", as in: strays run [options] -- ${argv.slice(i).join(' ')}`, 'run');
        }
        const spec = run_OPTIONS[token.replace(/^-+/, '')];
        if (spec?.type === 'string' && !token.includes('='))
            i++; // skip the option's value
    }
}
/**
 * Precedence: a failing command's own status always wins (the job failed
 * anyway and the report says what leaked); a leak under --fail-on-leak turns
 * only a successful run into 3; strays's own failure (1) turns only a
 * successful run into 1.
 */
function combine(commandStatus, finishStatus) {
    if (commandStatus !== EXIT.ok)
        return commandStatus;
    return finishStatus;
}
/**
 * Re-runs this strays as `check --state FILE` in a new session (setsid): if
 * whoever told strays to stop kills it next, as `su` does after 2 s, the
 * finisher is not its child to kill, and still ends the tree. Resolves with
 * the finisher's status.
 */
function startFinisher(argv, stateFile, removeState, signal, io) {
    const before = argv.indexOf('--');
    const options = (before < 0 ? argv : argv.slice(0, before)).filter((a, i, all) => a !== '--state' && all[i - 1] !== '--state' && !a.startsWith('--state='));
    const self = process.argv[1];
    const checkArgs = [...process.execArgv, self, 'check', '--state', stateFile, ...(removeState ? ['--remove-state'] : []), ...options];
    io.err(`strays: ${signal} received: forwarded to the command's process group; finishing the job.`);
    return new Promise((resolve) => {
        const finisher = (0,external_node_child_process_namespaceObject.spawn)(process.execPath, checkArgs, { detached: true, stdio: 'inherit', env: process.env });
        finisher.once('error', (error) => {
            io.err(`strays: cannot start the finisher: ${error.message}`);
            resolve(EXIT.failure);
        });
        finisher.once('exit', (code, sig) => resolve(sig ? signalStatus(sig) : (code ?? EXIT.failure)));
    });
}

;// CONCATENATED MODULE: ./src/cli/commands/start.ts
/**
 * `strays start --state FILE [--owner PID]`: the start of a job in a shell
 * or a runner hook. Saves the baseline and prints the one line a shell evals
 * to mark every later process: `eval "$(strays start --state f)"`.
 */







const start_OPTIONS = {
    state: { type: 'string', value: 'FILE', help: 'where to save the baseline (required; pass the same FILE to check)' },
    owner: { type: 'string', value: 'PID', help: 'the process whose exit ends the job (e.g. the runner worker), for `strays sweep`' },
    ...GUARD_OPTIONS,
};
/** Single-quotes a value for sh: the printed line is eval'd. */
const shellQuote = (value) => `'${value.replace(/'/g, `'\\''`)}'`;
const start = {
    name: 'start',
    summary: 'snapshot the process table and print the marker to export (`eval "$(strays start --state FILE)"`)',
    help: () => usageText('start', 'eval "$(strays start --state FILE [--owner PID])"', `Saves the baseline (every process alive now) to FILE and prints \`export ${SESSION_VAR}=…\`.\nEvery process started with that variable, and everything they start, belongs to the job.\n${TRACKING_VAR} (GitHub runner's per-job mark), when set, marks the job too.`, start_OPTIONS),
    async run(argv, io) {
        const values = optionsOnly(start, argv, start_OPTIONS, io);
        if (values === undefined)
            return EXIT.ok;
        const file = stringValue(values, 'state');
        if (file === undefined)
            throw new UsageError('strays start: --state FILE is required (where to save the baseline for `strays check`).', 'start');
        checkWritableDir('start', '--state', file);
        const options = guardOptionsFrom('start', values);
        const ownerPid = ownerPidOf(stringValue(values, 'owner'));
        const quiet = flag(values, 'quiet');
        // The owner (default: the nearest Runner.Worker, else the shell running strays start) is
        // also the process moved into the job cgroup: every step it starts from now on is the job's.
        let ownerError;
        const { baseline, notes } = await beginJob({
            isolation: options.isolation,
            owner: async (table) => {
                try {
                    return await ownerForStart(ownerPid, table);
                }
                catch (error) {
                    ownerError = error;
                    return undefined;
                }
            },
            cgroupPid: 'owner',
        });
        if (ownerError)
            throw new UsageError(`strays start: --owner ${ownerPid}: no such process.`, 'start');
        saveBaseline(file, baseline);
        io.out(`export ${SESSION_VAR}=${shellQuote(baseline.session)}`);
        if (!quiet) {
            for (const note of notes)
                io.err(`strays: ${note}`);
            const tracking = baseline.runnerTrackingId ? `; ${TRACKING_VAR}=${baseline.runnerTrackingId} marks it too` : '';
            io.err(`strays: job ${baseline.session} started (${baseline.processes.length} processes in the baseline${tracking}); state in ${file}.`);
        }
        return EXIT.ok;
    },
};
function ownerPidOf(value) {
    if (value === undefined)
        return undefined;
    const pid = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isSafeInteger(pid) || pid <= 0)
        throw new UsageError(`strays start: invalid --owner "${value}": expected a process id (a positive integer), e.g. --owner "$PPID".`, 'start');
    return pid;
}

;// CONCATENATED MODULE: ./src/cli/commands/sweep.ts
/**
 * `strays sweep`: for self-hosted hosts, end what earlier jobs left running
 * when their cleanup never ran (runner crash, reboot, job killed hard).
 * Only processes carrying the marker of a recorded job whose owner is gone;
 * see src/host/plan.ts for what is never touched.
 */






const sweep_OPTIONS = {
    'older-than': { type: 'string', value: 'DURATION', help: `only processes at least this old (default ${DEFAULT_OLDER_THAN}; ${DURATION_FORMS})` },
    'dry-run': { type: 'boolean', help: 'report what would be ended, signal nothing, remove no record' },
    grace: { type: 'string', value: 'DURATION', help: `time between SIGTERM and SIGKILL (default ${DEFAULT_GRACE})` },
    json: { type: 'string', value: 'FILE', help: 'also write the sweep as JSON' },
    metrics: { type: 'string', value: 'FILE', help: 'write Prometheus text format for node_exporter\'s textfile collector (atomically)' },
    unrecorded: { type: 'boolean', help: 'also end marked processes no job record names (needs an explicit --older-than; see the docs for the risk)' },
    'state-dir': { type: 'string', value: 'DIR', help: 'job records directory (default $STRAYS_STATE_DIR, /var/lib/strays as root, else $XDG_STATE_HOME/strays)' },
    quiet: { type: 'boolean', short: 'q', help: 'print only what was ended and problems' },
};
function duration(value, fallback, option) {
    try {
        return parseDuration(value ?? fallback, option);
    }
    catch (error) {
        throw new UsageError(`strays sweep: ${error.message}`, 'sweep');
    }
}
const sweepCommand = {
    name: 'sweep',
    summary: 'end what earlier jobs on this host left running when their cleanup never ran',
    help: () => usageText('sweep', 'strays sweep [--older-than DURATION] [--dry-run] [options]', 'Ends processes that carry the marker of a recorded job whose owner (runner worker, strays run …) is gone.\n' +
        'Never touches a job whose owner is alive, a process without a marker, or (without --unrecorded) a marker no record names.\n' +
        'Exit status 1 when a process could not be ended (survived SIGKILL, not permitted) or a file could not be written.', sweep_OPTIONS),
    async run(argv, io) {
        const values = optionsOnly(sweepCommand, argv, sweep_OPTIONS, io);
        if (values === undefined)
            return EXIT.ok;
        const olderThanGiven = stringValue(values, 'older-than');
        const unrecorded = flag(values, 'unrecorded');
        if (unrecorded && olderThanGiven === undefined) {
            throw new UsageError('strays sweep: --unrecorded needs an explicit --older-than DURATION (e.g. --older-than 24h): an unrecorded marker may belong to a job that is still running.', 'sweep');
        }
        const quiet = flag(values, 'quiet');
        const result = await sweep({
            olderThanMs: duration(olderThanGiven, DEFAULT_OLDER_THAN, '--older-than'),
            graceMs: duration(stringValue(values, 'grace'), DEFAULT_GRACE, '--grace'),
            dryRun: flag(values, 'dry-run'),
            unrecorded,
            stateDir: stringValue(values, 'state-dir'),
        });
        const text = renderSweep(result, quiet);
        if (text !== '')
            io.out(text.trimEnd());
        let status = unended(result).length > 0 ? EXIT.failure : EXIT.ok;
        for (const [option, write] of [['json', writeSweepJson], ['metrics', writeSweepMetrics]]) {
            const file = stringValue(values, option);
            if (file === undefined)
                continue;
            try {
                write(file, result);
            }
            catch (error) {
                io.err(`strays sweep: cannot write --${option} ${file}: ${error.message}`);
                status = EXIT.failure;
            }
        }
        return status;
    },
};

;// CONCATENATED MODULE: ./src/cli/commands/index.ts






const COMMANDS = [
    run_run,
    start,
    check_check,
    ps,
    hooks,
    sweepCommand,
];

;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"0.1.0"};
;// CONCATENATED MODULE: ./src/cli/main.ts
/**
 * The CLI without process.exit: argv in, exit status out (index.ts exits).
 */



/** The version of package.json; ncc inlines the file into the bundle. */

const VERSION = package_namespaceObject.rE;
function mainHelp() {
    const width = Math.max(...COMMANDS.map((c) => c.name.length));
    return [
        'Usage: strays COMMAND [options]',
        '',
        'Guard a CI job against leaked processes: find what it left running, report it, end it.',
        '',
        'Commands:',
        ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
        '',
        'Run `strays COMMAND --help` for its options. `strays --version` prints the version.',
        '',
        'Exit statuses: 0 ok; 1 strays failed; 2 bad input (nothing was signalled);',
        '3 something leaked and --fail-on-leak was given; `run` passes the command\'s own status',
        'through (126 cannot execute, 127 not found, 128+N killed by signal N).',
    ].join('\n');
}
async function main(argv, io = processIo()) {
    const [first, ...rest] = argv;
    try {
        if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
            (first === undefined ? io.err : io.out)(mainHelp());
            return first === undefined ? EXIT.usage : EXIT.ok;
        }
        if (first === '--version' || first === '-V') {
            io.out(VERSION);
            return EXIT.ok;
        }
        const command = COMMANDS.find((c) => c.name === first);
        if (!command) {
            throw new UsageError(`strays: unknown command "${first}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}; or --help, --version.`);
        }
        return await command.run(rest, io);
    }
    catch (error) {
        if (error instanceof UsageError) {
            io.err(error.message);
            io.err(error.command ? `Run \`strays ${error.command} --help\` for the accepted options.` : 'Run `strays --help` for usage.');
            return EXIT.usage;
        }
        io.err(`strays: ${error.stack ?? String(error)}`);
        return EXIT.failure;
    }
}

;// CONCATENATED MODULE: ./src/cli/index.ts
/**
 * The strays CLI entry point, bundled to dist/cli/index.js. The only place
 * in strays that calls process.exit.
 */

main(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
    // Exit now: a leaked handle (a stdin read, a timer) must not keep a finished job waiting.
    process.exit(status);
}, (error) => {
    process.stderr.write(`strays: ${error?.stack ?? String(error)}\n`);
    process.exit(1);
});

