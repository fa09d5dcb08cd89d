import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { parseArgv, type OptionSpec, type ParsedArgv } from '../../shared/cli/argv.js';
import type { XhError } from '../../shared/errors.js';
import { exitCodeFor } from '../../shared/errors.js';
import { err, type Result } from '../../shared/result.js';
import { redactTokens } from '../../shared/text/redact-token.js';
import { parseControllerConfig } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { DEFAULT_CONFIG_PATH } from './hooks.js';
import { printableLines } from '../../shared/text/printable.js';
export { shellWord } from '../../shared/text/shell-word.js';

export const BIN = 'xenherd-controller';

/**
 * E on stderr; with JSON (the command was given --json), also as `{"error": {code, message}}` on
 * stdout, as xenherdctl does: a provisioning script that reads the answer from stdout reads the
 * failure there too, not an empty line.
 */
export function fail(e: XhError, io: CliIo, json = false): number {
  // an argument echoed back may be a token pasted in the wrong place: its secret never reaches the terminal
  if (json) io.stdout(`${redactTokens(JSON.stringify({ error: e }))}\n`);
  // it may also quote what a hand edit put in a file (a key of tokens.json) or argv: escaped, as the agent's error lines are
  io.stderr(`${BIN}: ${e.code}: ${printableLines(redactTokens(e.message))}\n`);
  return exitCodeFor(e.code);
}


/**
 * argv with its options and an exact range of positionals, or a usage error naming the usage line.
 * NEEDS says what each option's value is ("read or operate"): an option given as its last word,
 * or followed by another option (`--role --config FILE`, which would take "--config" as the role
 * and leave FILE a stray positional), is refused as "--role needs a value (read or operate)".
 */
export function parseCommand(argv: readonly string[], specs: readonly OptionSpec[], min: number, max: number, usage: string, needs: Readonly<Record<string, string>> = {}): Result<ParsedArgv, XhError> {
  const missing = optionWithoutValue(argv, specs);
  if (missing !== null) return err({ code: 'XH_ERR_USAGE', message: `--${missing} needs a value${needs[missing] === undefined ? '' : ` (${needs[missing]})`}` });
  const a = parseArgv(argv, specs);
  if (!a.ok) return a;
  const n = a.value.positionals.length;
  if (n < min || n > max) return err({ code: 'XH_ERR_USAGE', message: `usage: ${BIN} ${usage}` });
  return a;
}

/** The first value-taking option (`--x`, not `--x=V`) with no word after it, or a long option there instead. */
function optionWithoutValue(argv: readonly string[], specs: readonly OptionSpec[]): string | null {
  const takesValue = new Set(specs.filter((s) => s.takesValue).map((s) => s.name));
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') return null;
    if (!word.startsWith('--') || word.includes('=') || !takesValue.has(word.slice(2))) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) return word.slice(2);
    i++;
  }
  return null;
}

export function loadConfig(file: string | undefined): Result<ControllerConfig & { file: string }, XhError> {
  const path = file ?? DEFAULT_CONFIG_PATH;
  const read = readRegularFileSync(path, { symlinks: 'follow' });
  if (!read.ok) {
    const missing = read.error.errno === 'ENOENT';
    return err({
      code: 'XH_ERR_CONFIG',
      message: missing ? `no config at ${path}: make one with \`${BIN} init --dir DIR\` and pass --config DIR/controller.json` : read.error.message,
    });
  }
  const c = parseControllerConfig(read.value, path);
  return c.ok ? { ok: true, value: { ...c.value, file: path } } : c;
}

export const optionString = (a: ParsedArgv, name: string): string | undefined => {
  const v = a.options[name];
  return typeof v === 'string' ? v : undefined;
};

/** A subcommand whose `--help` says what it does first, then how to call it. */
export const withHelp = (c: Omit<Command, 'help'>): Command => ({ ...c, help: `${c.summary}\n\nusage: ${BIN} ${c.usage}\n` });
