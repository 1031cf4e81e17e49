/**
 * Globs matched in time linear in the text, whatever the glob: the command
 * lines come from the job (code from pull requests), and a glob turned into a
 * backtracking RegExp let `*a*a*a*a*a*b` take minutes on 1 000 characters.
 *
 * No RegExp is built. The glob is split at its stars into segments of
 * one-character tokens (a literal, `?` or a set), so a segment has a fixed
 * length. The first segment is anchored at the start, the last at the end,
 * and each middle one is taken at its leftmost occurrence after the previous
 * one (leftmost is always right: a star absorbs whatever a later choice
 * skips), found by Shift-And (Baeza-Yates & Gonnet, CACM 35(10), 1992): one
 * pass, ⌈length/32⌉ words per character, middle segments over disjoint
 * stretches of the text. Characters are code points; there is no escape.
 */

/** One character of a glob that matches one character of text. */
type Token =
  | { readonly kind: 'literal'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'set'; readonly negate: boolean; readonly ranges: readonly number[] };

interface Segment {
  readonly tokens: readonly Token[];
  /** 32-bit words per Shift-And state. */
  readonly words: number;
  /** Masks for code points below 128, `words` words each: bit j set when token j accepts the character. */
  readonly ascii: Uint32Array;
  /** Masks of other code points, filled on first use. */
  readonly other: Map<number, Uint32Array>;
  /** The last of them: runs of one non-ASCII character skip the Map. */
  readonly last: { cp: number; mask: Uint32Array };
}

export interface Glob {
  readonly source: string;
  /** Segments between stars; one segment means the glob has no star. */
  readonly segments: readonly Segment[];
}

/** Counts the work of matches, for tests and benchmarks: one step per word of state per text character. */
export interface Meter {
  steps: number;
}

/** Why a glob is invalid; the message names the 1-based position in the glob. */
export class GlobError extends Error {
  override name = 'GlobError';
}

/** A string as code points, so that `?` and sets see whole characters. */
export function codePoints(text: string): Uint32Array {
  const out = new Uint32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const hi = text.charCodeAt(i);
    const lo = hi >= 0xd800 && hi <= 0xdbff && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (lo >= 0xdc00 && lo <= 0xdfff) {
      out[n++] = ((hi - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
      i++;
    } else out[n++] = hi;
  }
  return out.subarray(0, n);
}

export function compileGlob(source: string): Glob {
  const cps = codePoints(source);
  const segments: Segment[] = [];
  let tokens: Token[] = [];
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as number;
    if (cp === STAR) {
      segments.push(segmentOf(tokens));
      tokens = [];
    } else if (cp === QUESTION) tokens.push({ kind: 'any' });
    else if (cp === OPEN) {
      const { token, end } = parseSet(cps, i);
      tokens.push(token);
      i = end;
    } else tokens.push({ kind: 'literal', cp });
  }
  segments.push(segmentOf(tokens));
  return { source, segments };
}

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const DASH = 0x2d;
const BANG = 0x21;
const CARET = 0x5e;

/** `[` at `start`: `[!…]` or `[^…]` negates; a `]` first is a member; `a-z` is a range; `-` first or last is a member. */
function parseSet(cps: Uint32Array, start: number): { token: Token; end: number } {
  let i = start + 1;
  const negate = cps[i] === BANG || cps[i] === CARET;
  if (negate) i++;
  const first = i;
  const ranges: number[] = [];
  for (; i < cps.length; i++) {
    const cp = cps[i] as number;
    if (cp === CLOSE && i > first) return { token: { kind: 'set', negate, ranges }, end: i };
    const next = cps[i + 1];
    const hi = cps[i + 2];
    if (next === DASH && hi !== undefined && hi !== CLOSE) {
      if (hi < cp)
        throw new GlobError(
          `the range "${String.fromCodePoint(cp)}-${String.fromCodePoint(hi)}" at position ${i + 1} runs backwards`,
        );
      ranges.push(cp, hi);
      i += 2;
    } else ranges.push(cp, cp);
  }
  throw new GlobError(`"[" at position ${start + 1} is never closed`);
}

function accepts(token: Token, cp: number): boolean {
  if (token.kind === 'any') return true;
  if (token.kind === 'literal') return token.cp === cp;
  let inSet = false;
  for (let r = 0; r < token.ranges.length && !inSet; r += 2)
    inSet = cp >= (token.ranges[r] as number) && cp <= (token.ranges[r + 1] as number);
  return inSet !== token.negate;
}

function maskOf(tokens: readonly Token[], cp: number, into: Uint32Array, at: number): void {
  for (let j = 0; j < tokens.length; j++) {
    const w = at + (j >>> 5);
    if (accepts(tokens[j] as Token, cp)) into[w] = (into[w] as number) | (1 << (j & 31));
  }
}

function segmentOf(tokens: readonly Token[]): Segment {
  const words = Math.max(1, Math.ceil(tokens.length / 32));
  const ascii = new Uint32Array(128 * words);
  for (let cp = 0; cp < 128; cp++) maskOf(tokens, cp, ascii, cp * words);
  return { tokens, words, ascii, other: new Map(), last: { cp: -1, mask: new Uint32Array(words) } };
}

/** At most this many non-ASCII masks are kept per segment; beyond, they are computed each time. */
const OTHER_CACHE = 4096;

function otherMask(seg: Segment, cp: number): Uint32Array {
  if (cp === seg.last.cp) return seg.last.mask;
  let m = seg.other.get(cp);
  if (m === undefined) {
    m = new Uint32Array(seg.words);
    maskOf(seg.tokens, cp, m, 0);
    if (seg.other.size < OTHER_CACHE) seg.other.set(cp, m);
  }
  seg.last.cp = cp;
  seg.last.mask = m;
  return m;
}

/** Does `seg` match text[at, at + length) exactly? */
function matchesAt(seg: Segment, text: Uint32Array, at: number, meter: Meter | undefined): boolean {
  const n = seg.tokens.length;
  if (meter) meter.steps += n;
  for (let j = 0; j < n; j++) if (!accepts(seg.tokens[j] as Token, text[at + j] as number)) return false;
  return true;
}

/** The leftmost start of `seg` in text[from, to), or -1. Shift-And: D = ((D << 1) | 1) & mask(c). */
function leftmost(seg: Segment, text: Uint32Array, from: number, to: number, meter: Meter | undefined): number {
  const n = seg.tokens.length;
  const words = seg.words;
  const lastWord = (n - 1) >>> 5;
  const lastBit = (1 << ((n - 1) & 31)) >>> 0;
  if (words === 1) return leftmostShort(seg, text, from, to, meter);
  const state = new Uint32Array(words);
  let i = from;
  for (; i < to; i++) {
    const cp = text[i] as number;
    let masks = seg.ascii;
    let at = cp * words;
    if (cp >= 128) {
      masks = otherMask(seg, cp);
      at = 0;
    }
    let carry = 1;
    for (let w = 0; w < words; w++) {
      const d = state[w] as number;
      state[w] = (((d << 1) | carry) & (masks[at + w] as number)) >>> 0;
      carry = d >>> 31;
    }
    if (((state[lastWord] as number) & lastBit) !== 0) break;
  }
  if (meter) meter.steps += (Math.min(i + 1, to) - from) * words;
  return i < to ? i - n + 1 : -1;
}

/** leftmost() for segments of up to 32 tokens (nearly all): the state is one number. */
function leftmostShort(seg: Segment, text: Uint32Array, from: number, to: number, meter: Meter | undefined): number {
  const n = seg.tokens.length;
  const lastBit = (1 << (n - 1)) >>> 0;
  const ascii = seg.ascii;
  let state = 0;
  let i = from;
  for (; i < to; i++) {
    const cp = text[i] as number;
    state = ((state << 1) | 1) & (cp < 128 ? (ascii[cp] as number) : (otherMask(seg, cp)[0] as number));
    if ((state & lastBit) !== 0) break;
  }
  if (meter) meter.steps += Math.min(i + 1, to) - from;
  return i < to ? i - n + 1 : -1;
}

/** Does the glob match the whole of `text` (code points from codePoints())? */
export function matchGlob(glob: Glob, text: Uint32Array, meter?: Meter): boolean {
  const segs = glob.segments;
  const first = segs[0] as Segment;
  if (segs.length === 1) return text.length === first.tokens.length && matchesAt(first, text, 0, meter);
  const last = segs[segs.length - 1] as Segment;
  let from = first.tokens.length;
  const to = text.length - last.tokens.length;
  if (to < from) return false;
  if (!matchesAt(first, text, 0, meter) || !matchesAt(last, text, to, meter)) return false;
  for (let s = 1; s < segs.length - 1; s++) {
    const seg = segs[s] as Segment;
    if (seg.tokens.length === 0) continue; // `**`
    const start = leftmost(seg, text, from, to, meter);
    if (start < 0) return false;
    from = start + seg.tokens.length;
  }
  return true;
}
