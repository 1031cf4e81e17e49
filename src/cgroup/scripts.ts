/**
 * The three fixed scripts every cgroup write goes through (./phases.ts runs
 * them), and how their answers read. A failed write is retried through
 * tee(1), whose errors name the errno (dash's `echo >` says only "I/O
 * error"); the scripts print one fact a line with the C-locale strerror(3)
 * text, which `codeOfText` maps back to the errno. Every value is a
 * positional argument, validated by the caller first.
 */
import type { HelperRun } from '../privilege/helper.js';
import { codeOfText, explain } from './files.js';

// Writes one value with one write(2); where that fails, tries once more through tee to learn why (strerror(3)
// text in $why). A refused write changed nothing, so the second try is as safe as the first and costs a fork
// only on failure.
const WRITE = `put() {
  { echo "$1" > "$2"; } 2>/dev/null && return
  why=$(echo "$1" | tee -- "$2" 2>&1 >/dev/null) && return
  why=\${why##*: }; return 1
}`;

// open: $1 owner uid:gid ("" for none), $2 pid, $3 count of stale dirs, the stale dirs, then candidate job dirs in order.
// A stale dir may hold empty sub-cgroups a step made: deepest first, as close does. rmdir fails on a populated cgroup.
// A failed mkdir stops; a move refused by the layout (EBUSY, EOPNOTSUPP) tries the next candidate.
export const OPEN = `${WRITE}
owner=$1 pid=$2 n=$3; shift 3
while [ "$n" -gt 0 ]; do
  { rmdir -- "$1" || find "$1" -depth -type d -exec rmdir -- {} +; } 2>/dev/null
  [ -d "$1" ] || echo "pruned $1"; shift; n=$((n - 1))
done
for dir; do
  echo "try $dir"
  why=$(mkdir -- "$dir" 2>&1) || { echo "mkdir-failed \${why##*: }"; exit 0; }
  if put "$pid" "$dir/cgroup.procs"; then
    [ -z "$owner" ] || chown -- "$owner" "$dir/cgroup.freeze"
    echo opened; exit 0
  fi
  rmdir -- "$dir"
  [ -d "/proc/$pid" ] || { echo gone; exit 0; }
  echo "move-failed $why"
  case $why in 'Device or resource busy'|'Operation not supported') ;; *) exit 0 ;; esac
done`;

// $to: the origin; then pids. A pid that is gone is a fact, not a failure.
const MOVE = `for p; do
  if put "$p" "$to/cgroup.procs"; then echo "moved $p"; elif [ -d "/proc/$p" ]; then echo "failed $p $why"; fi
done`;

// move: $1 origin dir, then pids.
export const MOVE_OUT = `${WRITE}
to=$1; shift
${MOVE}`;

// close: $1 job dir, $2 origin dir, $3 ticks of 50 ms to wait for the last exits, then pids to move back.
// A frozen cgroup keeps its processes frozen wherever they go: thaw before anything else.
// The helper itself (this shell, and sudo above it) was started from inside the job cgroup when its caller was
// there (the post step of a clean job, whose chain leaves in this call): it leaves too, walking up from $$ while
// the process is a member, or the cgroup could not empty while this waits for it.
// Builtins where they serve (read, echo): each fork is a few ms on a busy runner.
export const CLOSE = `${WRITE}
populated() { while read -r k v; do [ "$k" = populated ] && { [ "$v" = 1 ]; return; }; done < "$dir/cgroup.events"; return 1; }
dir=$1 to=$2 ticks=$3; shift 3
read -r frozen 2>/dev/null < "$dir/cgroup.freeze"
if [ "$frozen" = 1 ]; then put 0 "$dir/cgroup.freeze" || echo "thaw-failed $why"; fi
${MOVE}
inside=; while read -r p; do inside="$inside $p "; done < "$dir/cgroup.procs"
p=$$
while case $inside in *" $p "*) put "$p" "$to/cgroup.procs" ;; *) false ;; esac; do
  ppid=0; while read -r k v; do [ "$k" = PPid: ] && { ppid=$v; break; }; done < "/proc/$p/status"; p=$ppid
done
while [ "$ticks" -gt 0 ] && populated; do sleep 0.05; ticks=$((ticks - 1)); done
if populated; then echo busy; exit 0; fi
rmdir -- "$dir" 2>/dev/null || why=$(find "$dir" -depth -type d -exec rmdir -- {} + 2>&1) || echo "remove-failed \${why##*: }"`;

export const linesOf = (run: HelperRun & { ok: true }): string[] => run.stdout.split('\n').filter(Boolean);
/** The rest of the last line that starts with `word`. */
export const lastValue = (lines: readonly string[], word: string): string | undefined =>
  [...lines]
    .reverse()
    .find((l) => l === word || l.startsWith(`${word} `))
    ?.slice(word.length + 1);
/** An errno text from a script, in the words of `explain`. */
export const because = (text: string | undefined): string =>
  explain(codeOfText(text ?? '') ?? (text?.trim() || undefined));

/** "moved 12" lines → pids; "failed 12 Permission denied" lines → pid and reason. */
export function movesOf(lines: readonly string[]): { moved: number[]; failed: { pid: string; why: string }[] } {
  const words = lines.map((l) => l.split(' '));
  return {
    moved: words.filter((w) => w[0] === 'moved').map((w) => Number(w[1])),
    failed: words
      .filter((w) => w[0] === 'failed')
      .map((w) => ({ pid: w[1] ?? '?', why: because(w.slice(2).join(' ')) })),
  };
}
