import { parseArgv, type OptionSpec } from '../../shared/cli/argv.js';
import type { CliIo } from '../../shared/cli/io.js';
import { reportError } from '../../shared/cli/program.js';
import { exitCodeFor, type XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { andList } from '../../shared/text/and-list.js';
import { jsonLine } from '../../shared/text/printable.js';

export const BIN = 'xenherd-agent';

export interface CommonArgs {
  readonly positionals: readonly string[];
  readonly json: boolean;
  readonly config: string | undefined;
  readonly options: Readonly<Record<string, string | true>>;
}


/** " (see xenherd-agent status --help)" for the usage `what` ("status [ALL|NAME]") */
export const helpHint = (what: string): string => ` (see ${BIN} ${what.split(' ')[0] ?? ''} --help)`;

/**
 * Why the positional arguments do not fit `what` (the command's usage, e.g. "keys setup PEER"),
 * naming what is missing or the first word too many, or null when they fit. Words in brackets
 * are optional.
 */
export function positionalsProblem(what: string, given: readonly string[], min: number, max: number): string | null {
  const [, ...words] = what.split(' ');
  const hint = helpHint(what);
  if (given.length > max) return `${what}: unexpected argument ${JSON.stringify(given[max])}${hint}`;
  if (given.length >= min) return null;
  const missing = words.filter((w) => !w.startsWith('[')).slice(given.length, min);
  return `${what}: ${andList(missing)} ${missing.length === 1 ? 'is' : 'are'} missing${hint}`;
}

/** --json and --config for every migration command, plus the command's own options. */
export function parseCommon(argv: readonly string[], extra: readonly OptionSpec[], min: number, max: number, what: string): Result<CommonArgs, XhError> {
  const p = parseArgv(argv, [{ name: 'json', takesValue: false }, { name: 'config', takesValue: true }, ...extra]);
  // the option parser's words alone ("unknown option "--all"") named neither the command nor its usage
  if (!p.ok) return err({ ...p.error, message: `${what}: ${p.error.message}${helpHint(what)}` });
  const wrong = positionalsProblem(what, p.value.positionals, min, max);
  if (wrong !== null) return err({ code: 'XH_ERR_USAGE', message: wrong });
  const config = p.value.options['config'];
  if (config === true) return err({ code: 'XH_ERR_USAGE', message: '--config needs a file path' });
  return ok({ positionals: p.value.positionals, json: p.value.options['json'] === true, config, options: p.value.options });
}

/** Ends a command: JSON `{ok:false, code, message}` on stdout with --json, and the message on stderr. */
export function fail(error: XhError, io: CliIo, json: boolean): number {
  if (json) io.stdout(jsonLine({ ok: false, code: error.code, message: error.message }));
  return reportError(BIN, error, io);
}

export const exitOf = exitCodeFor;
