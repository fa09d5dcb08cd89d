import type { CliIo } from '../../shared/cli/io.js';
import { parseArgv, type OptionSpec, type ParsedArgv } from '../../shared/cli/argv.js';
import type { Clock } from '../../shared/clock/clock.js';
import { exitCodeFor, type XhError } from '../../shared/errors.js';
import type { Result } from '../../shared/result.js';
import { err, ok } from '../../shared/result.js';
import { CtlClient } from './client.js';
import { loadCtlConfig, type CtlConfig } from './config.js';
import { jsonLine, printable } from '../../shared/text/printable.js';

/** What xenherdctl's composition root gives its commands. */
export interface CtlHooks {
  readonly clock: Clock;
  /** runs `ssh ARGS…` with the terminal attached (no shell); resolves to its exit code */
  readonly execSsh: (args: readonly string[]) => Promise<number>;
  /** stdout is a terminal: live progress redraws its lines (otherwise: plain log lines) */
  readonly isTty?: boolean;
  /** calls handler on Ctrl-C (SIGINT) until the returned function is called */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** runs ARGV (no shell) with the terminal attached: roll's --reboot-command; resolves to its exit code */
  readonly runCommand?: (argv: readonly string[]) => Promise<number>;
}

export const BIN = 'xenherdctl';

/** A typed error on stderr (or as JSON on stdout with --json); returns its exit code. */
export function fail(e: XhError, io: CliIo, json: boolean): number {
  if (json) io.stdout(jsonLine({ error: e }));
  io.stderr(`${BIN}: ${e.code}: ${printable(e.message)}\n`);
  return exitCodeFor(e.code);
}

export interface Invocation {
  readonly args: ParsedArgv;
  readonly json: boolean;
  readonly client: CtlClient;
  /** for the commands that ask every controller (jobs, cancel), not the one chosen */
  readonly config: CtlConfig;
}

/**
 * Parses argv (every command takes --json), checks the positional count and then, with CHECK,
 * the arguments themselves (a usage error, before anything else: a wrong argument is a 64 with
 * the controller down or unconfigured too), and loads the config.
 */
export function begin(
  argv: readonly string[],
  io: CliIo,
  hooks: CtlHooks,
  specs: readonly OptionSpec[],
  count: [number, number],
  usage: string,
  check?: (args: ParsedArgv) => string | null,
): Result<Invocation, XhError> {
  const a = parseArgv(argv, [...specs, { name: 'json', takesValue: false }]);
  if (!a.ok) return err({ code: 'XH_ERR_USAGE', message: `${a.error.message}; usage: ${BIN} ${usage}` });
  const n = a.value.positionals.length;
  if (n < count[0] || n > count[1]) return err({ code: 'XH_ERR_USAGE', message: `usage: ${BIN} ${usage}` });
  const problem = check?.(a.value) ?? null;
  if (problem !== null) return err({ code: 'XH_ERR_USAGE', message: problem });
  const c = loadCtlConfig(io.env, io.stderr);
  if (!c.ok) return c;
  const config = c.value;
  // the choice among standbys, and the schema of the hosts it asks each for, load only when some are configured
  const choice = { choose: async (needed: readonly string[]) => (await import('./controller-probe.js')).chooseAmong(config, hooks.clock, needed), note: io.stderr };
  return ok({ args: a.value, json: a.value.options['json'] === true, client: new CtlClient(config, hooks.clock, choice), config });
}

// the shared reader's: the commands import it from here, with begin and fail
export { wantsJson } from '../../shared/cli/argv.js';
