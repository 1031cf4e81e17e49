/**
 * Argument parsing for every command: node:util parseArgs in strict mode,
 * with its errors rewritten to name the option and the accepted forms.
 * Parsing only; values are validated by parseGuardOptions (src/config).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DEFAULTS, ISOLATIONS, UNATTRIBUTED_POLICIES } from '../config/defaults.js';
import { DURATION_FORMS } from '../config/duration.js';
import { UsageError, invalidValue } from './exit.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Placeholder shown in help, e.g. DURATION. */
  readonly value?: string;
  readonly help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** `a, b or c`. */
const orList = (words: readonly string[]): string => `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;

/**
 * The options of the commands that end a job (run, check: the finisher of `run` passes them on to
 * `check`), each defined once; other commands take some of them (help and parsing agree).
 */
export const GUARD_OPTIONS = {
  grace: {
    type: 'string',
    value: 'DURATION',
    help: `time between SIGTERM and SIGKILL (default ${DEFAULTS.grace}; ${DURATION_FORMS})`,
  },
  allow: {
    type: 'string',
    multiple: true,
    value: 'GLOB',
    help: 'spare processes (and what they start) whose command line matches GLOB, or whose name matches name:GLOB (e.g. --allow "sleep 60*" --allow name:postgres*); repeatable',
  },
  'no-kill': { type: 'boolean', help: 'report what leaked, signal nothing' },
  'fail-on-leak': { type: 'boolean', help: 'exit with status 3 when something leaked' },
  json: {
    type: 'string',
    value: 'FILE',
    help: 'also write the report as JSON (same schema as the action; - for standard output)',
  },
  quiet: { type: 'boolean', short: 'q', help: 'print nothing unless something leaked' },
  isolation: { type: 'string', value: 'MODE', help: `${orList(ISOLATIONS)} (default ${DEFAULTS.isolation})` },
  unattributed: {
    type: 'string',
    value: 'POLICY',
    help: `${orList(UNATTRIBUTED_POLICIES)} processes that may be the job's (default ${DEFAULTS.unattributed})`,
  },
  color: {
    type: 'string',
    value: 'WHEN',
    help: 'colour the report: auto (default: on a terminal, or FORCE_COLOR set; off with NO_COLOR), always or never',
  },
  'show-secrets': {
    type: 'boolean',
    help: 'keep secrets in command lines instead of *** (local debugging only; never in CI)',
  },
} as const satisfies OptionSpecs;

export type ColorWhen = 'auto' | 'always' | 'never';

/** --color WHEN, checked at parse time. */
export function colorOption(command: string, values: Values): ColorWhen {
  const v = stringValue(values, 'color');
  if (v === undefined) return 'auto';
  if (v === 'auto' || v === 'always' || v === 'never') return v;
  throw invalidValue(command, '--color', v, 'auto, always or never');
}

export const HELP_OPTION: OptionSpecs = { help: { type: 'boolean', short: 'h', help: 'show this help' } };

export type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

export interface ParsedArgs {
  readonly values: Values;
  /** Positionals before `--`. */
  readonly positionals: readonly string[];
  /** Everything after the first `--`, verbatim; undefined when there was no `--`. */
  readonly rest: readonly string[] | undefined;
}

export const optionLabel = (name: string, spec: OptionSpec): string =>
  `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;

const accepted = (specs: OptionSpecs): string =>
  Object.entries(specs)
    .map(([n, s]) => optionLabel(n, s))
    .join(', ');

export function parseCommandArgs(command: string, argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const all = { ...specs, ...HELP_OPTION };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: all as ParseArgsConfig['options'],
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(explainParseError(command, error as Error & { code?: string }, all), command);
  }
  const tokens = parsed.tokens ?? [];
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
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
  const positionals = tokens
    .filter((t) => t.kind === 'positional' && (!terminator || t.index < terminator.index))
    .map((t) => (t as { value: string }).value);
  return { values: parsed.values as Values, positionals, rest };
}

function explainParseError(command: string, error: Error & { code?: string }, specs: OptionSpecs): string {
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

export const stringValue = (values: Values, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

export const flag = (values: Values, name: string): boolean => values[name] === true;
