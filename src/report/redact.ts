/**
 * Secrets out of command lines, before anything is rendered (JSON included):
 * the runner masks only registered secrets, and only in log lines, the job
 * summary and annotation messages (actions/runner SecretMasker). What is
 * replaced with `***`: README, Secrets in command lines.
 */

export const REDACTED = '***';

/** Words of an option or variable name that say its value is a secret. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'key',
  'apikey',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'cred',
  'creds',
  'private',
  'privatekey',
  'cookie',
  'bearer',
  'signature',
  'sig',
  'pat',
  'otp',
  'sessionid',
  'dsn',
]);

/** True when a name (`--api-token`, `AWS_SECRET_ACCESS_KEY`, `db.password`) names a secret. */
export function namesSecret(name: string): boolean {
  const bare = name.replace(/^-+/, '');
  if (bare === '' || bare.length > 100) return false;
  const words = bare.split(/[-_.:]+|(?<=[a-z])(?=[A-Z])/).map((w) => w.toLowerCase());
  return words.some((w) => SECRET_WORDS.has(w)) || SECRET_WORDS.has(bare.toLowerCase().replace(/[-_.]/g, ''));
}

/** Token shapes that are secrets wherever they appear. Linear regular expressions (no nested quantifiers). */
const TOKEN_SHAPES: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bnpm_[A-Za-z0-9]{30,}/g,
  /\bxox[abposre]-[A-Za-z0-9-]{8,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/g,
];

const URL_USERINFO = /\b([a-z][a-z0-9+.-]{0,30}:\/\/)[^/\s@?#]{1,2000}@/gi;
const AUTH_WORD = /^(Bearer|Basic|Token|Digest)$/i;
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Digest)(\s+)[^\s'",;]+/gi;

/** Redacts what is recognisable in free text (one word or a whole line): token shapes, URL userinfo, `name=value`. */
export function redactText(text: string): string {
  let out = text;
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, REDACTED);
  out = out.replace(URL_USERINFO, `$1${REDACTED}@`);
  out = out.replace(AUTH_SCHEME, `$1$2${REDACTED}`);
  // name=value and name: value inside a word or a line (`--token=x`, `PASSWORD=x`, `{"token":"x"}` is left to the shapes).
  out = out.replace(/([A-Za-z0-9_.-]{1,100})(=|:\s?)([^\s&;,'"]+)/g, (all, name: string, sep: string, value: string) =>
    namesSecret(name) && !/^\*+$/.test(value) && !AUTH_WORD.test(value) ? `${name}${sep}${REDACTED}` : all,
  );
  // `--token VALUE` inside one word or a line (a `sh -c` script, a step name made of a command line).
  out = out.replace(
    /(^|\s)(-{1,2}[A-Za-z][A-Za-z0-9_.-]{0,100})(\s+)([^\s'"-][^\s'";]*)/g,
    (all, lead: string, name: string, gap: string, value: string) =>
      namesSecret(name) && !/^\*+$/.test(value) ? `${lead}${name}${gap}${REDACTED}` : all,
  );
  return out;
}

/**
 * Redacts an argv: an option naming a secret hides the next word when it has
 * no `=value` of its own; every word then goes through redactText.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const word of argv) {
    if (hideNext && !word.startsWith('-')) {
      out.push(REDACTED);
      hideNext = false;
      continue;
    }
    hideNext = /^-{1,2}[A-Za-z][A-Za-z0-9_.-]*$/.test(word) && namesSecret(word);
    out.push(redactText(word));
  }
  return out;
}

/**
 * Every string of a JSON-like value through redactText: the last net under
 * the field-aware pass. Fields in `skip` were redacted word by word already
 * (argv, command lines): a second pass over 300 capped command lines would
 * double the cost for nothing.
 */
export function redactDeep<T>(value: T, skip: ReadonlySet<string> = new Set()): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, skip)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = skip.has(k) ? v : redactDeep(v, skip);
    return out as T;
  }
  return value;
}
