import { err, ok, type Result } from '../result.js';
import type { XhError } from '../errors.js';
import { clipped } from '../text/printable.js';

/**
 * A small, strict argv reader: options must be declared, values are strings until a zod schema
 * in the command turns them into types. Anything unexpected is a usage error naming the word.
 */
export interface OptionSpec {
  /** long name without dashes, e.g. "json" for --json */
  readonly name: string;
  /** true: takes a value (`--x V` or `--x=V`); false: a flag */
  readonly takesValue: boolean;
  readonly short?: string;
  /** may be given more than once (`--name a --name b`): its values, in order, are in `repeated` */
  readonly repeatable?: boolean;
}

export interface ParsedArgv {
  readonly options: Readonly<Record<string, string | true>>;
  /** the values of each repeatable option given, in order (absent when none was) */
  readonly repeated?: Readonly<Record<string, readonly string[]>>;
  readonly positionals: readonly string[];
}

export interface UsageError extends XhError {
  readonly code: 'XH_ERR_USAGE';
}

export const usageError = (message: string): UsageError => ({ code: 'XH_ERR_USAGE', message });

export function parseArgv(argv: readonly string[], specs: readonly OptionSpec[]): Result<ParsedArgv, UsageError> {
  const options: Record<string, string | true> = {};
  const repeated: Record<string, string[]> = {};
  const positionals: string[] = [];
  const put = (spec: OptionSpec, value: string): void => {
    if (spec.repeatable === true) (repeated[spec.name] ??= []).push(value);
    else options[spec.name] = value;
  };
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s]));
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    const long = word.startsWith('--');
    const eq = word.indexOf('=');
    const key = long ? word.slice(2, eq > 0 ? eq : undefined) : word.slice(1);
    const spec = long ? byName.get(key) : byShort.get(key);
    if (!spec) return err(usageError(`unknown option ${JSON.stringify(clipped(long ? `--${key}` : word))}`));
    if (Object.prototype.hasOwnProperty.call(options, spec.name)) {
      return err(usageError(`option --${spec.name} given twice`));
    }
    if (!spec.takesValue) {
      if (long && eq > 0) return err(usageError(`option --${spec.name} takes no value`));
      options[spec.name] = true;
      continue;
    }
    if (long && eq > 0) {
      put(spec, word.slice(eq + 1));
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) return err(usageError(`option --${spec.name} needs a value`));
    // `roll xen1 --reboot-command --dry-run` must not take --dry-run as the command and roll for real
    if (value.startsWith('-') && value !== '-') {
      return err(usageError(`option --${spec.name} needs a value, not the option ${JSON.stringify(clipped(value))} (a value that starts with "-" is written --${spec.name}=VALUE)`));
    }
    put(spec, value);
    i++;
  }
  return ok({ options, positionals, ...(Object.keys(repeated).length > 0 ? { repeated } : {}) });
}

/**
 * Whether ARGV asks for --json, read before (and whatever) the parse: a usage error is answered in
 * JSON too. A --json after `--` is a positional, as parseArgv reads it.
 */
export const wantsJson = (argv: readonly string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
};
