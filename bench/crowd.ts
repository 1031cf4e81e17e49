/**
 * A crowd of idle `sleep` processes that fills the process table to a chosen
 * size, started and ended by pid.
 *
 * One bash per batch forks the sleeps (`sleep … &`, one fork+exec each: far
 * cheaper than a node or python process per entry) and then `wait`s for them.
 * Because that bash never reaps a sleep before it dies, a crowd pid cannot be
 * reused while we hold it: signalling it by pid is safe without a start check.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';

const BATCH_SCRIPT = [
  'n=$1',
  'for ((i = 0; i < n; i++)); do sleep 86400 </dev/null >/dev/null 2>&1 & echo $!; done',
  'echo done',
  'exec >&- 2>/dev/null',
  'wait',
].join('\n');

interface Batch {
  readonly holder: ChildProcess;
  readonly pids: readonly number[];
}

export class Crowd {
  private readonly batches: Batch[] = [];

  get size(): number {
    return this.batches.reduce((n, b) => n + b.pids.length, 0);
  }

  /** Adds `count` sleeps; resolves once every one of them has been forked. */
  async add(count: number, env: NodeJS.ProcessEnv = process.env): Promise<readonly number[]> {
    if (count <= 0) return [];
    const holder = spawn('bash', ['-c', BATCH_SCRIPT, 'crowd', String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    });
    const pids: number[] = [];
    const batch = { holder, pids };
    this.batches.push(batch);
    const lines = readline.createInterface({ input: holder.stdout as NodeJS.ReadableStream });
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.once('exit', () => reject(new Error(`crowd holder exited after ${pids.length} of ${count} sleeps`)));
      lines.on('line', (line) => {
        if (line === 'done') resolve();
        else pids.push(Number(line));
      });
    });
    return pids;
  }

  /** Adds sleeps until the crowd holds `total`. */
  async growTo(total: number): Promise<void> {
    await this.add(total - this.size);
  }

  /** SIGKILLs every sleep by pid, then waits for each holder to reap them and exit. */
  async end(): Promise<void> {
    const batches = this.batches.splice(0);
    await Promise.all(batches.map(endBatch));
  }
}

export async function endBatch(batch: Batch): Promise<void> {
  const exited =
    batch.holder.exitCode !== null || batch.holder.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => batch.holder.once('exit', () => resolve()));
  for (const pid of batch.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ESRCH: already gone.
    }
  }
  await exited;
}
