/**
 * What the cheap read paths give up, and what they must not: a job's start
 * reads argv and owner only for its own chain, and stat is parsed from bytes
 * by the same rules as the string parser (every live process compared).
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lineageOnly, readTable } from '../src/proc/index.js';
import { parseIfPresent, readIfPresent } from '../src/proc/procfs.js';
import { parseStatBytes } from '../src/proc/stat.js';
import { parseStat } from './helpers/stat-text.js';
import { Leakers } from './helpers/leakers.js';

let leakers: Leakers | undefined;
afterEach(async () => leakers?.cleanup());

const bytesOf = (text: string): [Buffer, number] => {
  const b = Buffer.alloc(4096, 0x29); // stale ')' after the end must not be read as the name's end
  const n = b.write(text, 'utf8');
  return [b, n];
};

describe('stat from bytes', () => {
  it('gives what parseStat gives for every process alive now', () => {
    let compared = 0;
    for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      const text = readIfPresent(`/proc/${name}/stat`);
      const fromBytes = parseIfPresent(`/proc/${name}/stat`, parseStatBytes, true);
      if (text === undefined || fromBytes === undefined) continue; // ended between the reads
      const fromText = parseStat(text) as NonNullable<ReturnType<typeof parseStat>>;
      // The two reads are moments apart: identity fields must agree, state may change.
      expect({ ...fromBytes, state: '' }).toEqual({ ...fromText, state: '' });
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });

  it.each([
    '42 (a) b) c) S 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0\n',
    '7 (naïve ☃ )) R 1 7 7 34816 7 4194560 1 2 3 4 5 6 7 8 20 0 1 0 123456789012 9 10\n',
    '9 (x) S 1 9 9 0 -1 abc 0 0 0 0 0 0 0 0 20 0 1 0 55',
    '9 (x) S 1 9 9',
    '9 (x)',
    'nonsense',
    '',
  ])('agrees with parseStat on %j', (text) => {
    const [bytes, length] = bytesOf(text);
    expect(parseStatBytes(bytes, length)).toEqual(parseStat(text));
  });
});

describe('lineage-only table (a job start)', () => {
  it('reads argv and owner of our own chain only; every process still has its identity and group', async () => {
    leakers = new Leakers();
    const pid = await leakers.daemon(`setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' &`);
    const table = await readTable(undefined, lineageOnly());
    const me = table.processes.find((p) => p.pid === process.pid);
    const other = table.processes.find((p) => p.pid === pid);
    expect(me?.argv.length).toBeGreaterThan(0);
    expect(me?.uid).toBe(process.getuid?.());
    expect(other).toMatchObject({ pid, pgid: pid, sid: pid, comm: 'sleep', argv: [], uid: undefined });
    expect(other?.start).toBeGreaterThan(0);
  });
});
