import { parseArgv, type OptionSpec } from '../../shared/cli/argv.js';
import type { CliIo } from '../../shared/cli/io.js';
import { reportError } from '../../shared/cli/program.js';
import { exitCodeFor, type XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

export const BIN = 'xenherd-agent';

export interface CommonArgs {
  readonly positionals: readonly string[];
  readonly json: boolean;
  readonly config: string | undefined;
  readonly options: Readonly<Record<string, string | true>>;
}

/** --json and --config for every migration command, plus the command's own options. */
export function parseCommon(argv: readonly string[], extra: readonly OptionSpec[], min: number, max: number, what: string): Result<CommonArgs, XhError> {
  const p = parseArgv(argv, [{ name: 'json', takesValue: false }, { name: 'config', takesValue: true }, ...extra]);
  if (!p.ok) return p;
  const n = p.value.positionals.length;
  if (n < min || n > max) return err({ code: 'XH_ERR_USAGE', message: `${what}: expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${n}` });
  const config = p.value.options['config'];
  if (config === true) return err({ code: 'XH_ERR_USAGE', message: '--config needs a file path' });
  return ok({ positionals: p.value.positionals, json: p.value.options['json'] === true, config, options: p.value.options });
}

/** Ends a command: JSON `{ok:false, code, message}` on stdout with --json, and the message on stderr. */
export function fail(error: XhError, io: CliIo, json: boolean): number {
  if (json) io.stdout(`${JSON.stringify({ ok: false, code: error.code, message: error.message })}\n`);
  return reportError(BIN, error, io);
}

export const exitOf = exitCodeFor;
