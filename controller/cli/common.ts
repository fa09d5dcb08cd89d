import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { parseArgv, type OptionSpec, type ParsedArgv } from '../../shared/cli/argv.js';
import type { XhError } from '../../shared/errors.js';
import { exitCodeFor } from '../../shared/errors.js';
import { err, type Result } from '../../shared/result.js';
import { parseControllerConfig } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { DEFAULT_CONFIG_PATH } from './hooks.js';

export const BIN = 'xenherd-controller';

export function fail(e: XhError, io: CliIo): number {
  io.stderr(`${BIN}: ${e.code}: ${e.message}\n`);
  return exitCodeFor(e.code);
}

/** argv with its options and an exact range of positionals, or a usage error naming the usage line. */
export function parseCommand(argv: readonly string[], specs: readonly OptionSpec[], min: number, max: number, usage: string): Result<ParsedArgv, XhError> {
  const a = parseArgv(argv, specs);
  if (!a.ok) return a;
  const n = a.value.positionals.length;
  if (n < min || n > max) return err({ code: 'XH_ERR_USAGE', message: `usage: ${BIN} ${usage}` });
  return a;
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
