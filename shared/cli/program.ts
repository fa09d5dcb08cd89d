import { ERROR_CATALOG, exitCodeFor, type ErrorCode, type XhError } from '../errors.js';
import { VERSION } from '../version.js';
import type { CliIo } from './io.js';
import { clipped, printableLines } from '../text/printable.js';
import { shellWord } from '../text/shell-word.js';

/** What --help shows of a subcommand: everything but what it does. */
export interface CommandHelp {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** full `COMMAND --help` text, starting with what it does; without it: the summary, then the usage */
  readonly help?: string;
}

/** One subcommand of a binary: its help and what it does. Returns the exit code. */
export interface Command extends CommandHelp {
  readonly run: (argv: readonly string[], io: CliIo) => Promise<number>;
}

export interface Program {
  readonly binary: string;
  readonly description: string;
  readonly commands: readonly Command[];
  /** the exit codes this binary uses, for --help (listed by number); without it: the whole catalog */
  readonly exitCodes?: readonly ErrorCode[];
  /** a line after the exit codes (e.g. codes passed through from elsewhere) */
  readonly exitCodesNote?: string;
  /** flags every command takes, so they may also come before the command (`xenherdctl --json where web1`) */
  readonly everyCommandFlags?: readonly string[];
}

/**
 * ARGV with the flags every command takes moved from before the command to just after it, as
 * operators type them (`--json` first, like git's or ip's global options). Anything else before the
 * command is left where it is, for runProgram to refuse with the line reordered.
 */
export function commandFirst(program: Program, argv: readonly string[]): readonly string[] {
  const flags = program.everyCommandFlags ?? [];
  let i = 0;
  while (i < argv.length && flags.includes(argv[i] as string)) i += 1;
  if (i === 0 || i === argv.length) return argv;
  return [argv[i] as string, ...argv.slice(0, i), ...argv.slice(i + 1)];
}

/** For options typed before the command: the same line with the command first, or null when no word names a command. */
const reordered = (program: Program, argv: readonly string[]): string | null => {
  const at = argv.findIndex((w) => program.commands.some((c) => c.name === w));
  if (at < 0) return null;
  return [program.binary, argv[at] as string, ...argv.slice(0, at), ...argv.slice(at + 1)].map(shellWord).join(' ');
};

/**
 * Of the options typed before the command, the first its usage does not name: suggesting the
 * line reordered would only lead to the next refusal (`-j hosts` → `hosts -j`, unknown too).
 */
const unknownBefore = (program: Program, argv: readonly string[]): { option: string; command: Command } | null => {
  const at = argv.findIndex((w) => program.commands.some((c) => c.name === w));
  const command = program.commands[program.commands.findIndex((c) => c.name === argv[at])];
  if (at < 0 || command === undefined) return null;
  const named = (o: string): boolean => new RegExp(`(^|[\\s\\[|])${o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([\\s\\]|=]|$)`).test(command.usage);
  const option = argv.slice(0, at).filter((w) => w.startsWith('-')).map((w) => w.split('=')[0] as string).find((o) => !named(o) && !(program.everyCommandFlags ?? []).includes(o));
  return option === undefined ? null : { option, command };
};

export function helpText(program: Program): string {
  const width = Math.max(0, ...program.commands.map((c) => c.name.length));
  const lines = [
    `${program.binary} ${VERSION}`,
    program.description,
    '',
    `usage: ${program.binary} COMMAND [OPTIONS]`,
    `       ${program.binary} COMMAND --help`,
    `       ${program.binary} --version | --help`,
    '',
  ];
  if (program.commands.length > 0) {
    lines.push('commands:');
    for (const c of program.commands) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`);
    lines.push('');
  }
  lines.push('exit codes:', '  0   success');
  // in the order of their numbers, as an operator scans for the one a script saw (the catalog's
  // own order groups codes by concern, not by number)
  const codes = [...(program.exitCodes ?? (Object.keys(ERROR_CATALOG) as ErrorCode[]))].sort((a, b) => exitCodeFor(a) - exitCodeFor(b));
  for (const code of codes) lines.push(`  ${String(ERROR_CATALOG[code].exit).padEnd(3)} ${code}`);
  if (program.exitCodesNote !== undefined) lines.push(program.exitCodesNote);
  return `${lines.join('\n')}\n`;
}

/**
 * Prints a typed error as `binary: CODE: message` and returns its exit code. The message may carry
 * another machine's words (a peer Dom0's refusal or the last line of its stderr, a tool's output),
 * so what could steer the operator's terminal is shown escaped; its line breaks stay.
 */
export function reportError(program: string, error: XhError, io: CliIo): number {
  io.stderr(`${program}: ${error.code}: ${printableLines(clipped(error.message, 4_000))}\n`);
  return exitCodeFor(error.code);
}

const commandHelp = (program: Program, c: Command): string => c.help ?? `${c.summary}\n\nusage: ${program.binary} ${c.usage}\n`;

export async function runProgram(program: Program, typed: readonly string[], io: CliIo): Promise<number> {
  const argv = commandFirst(program, typed);
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(helpText(program));
    return exitCodeFor('XH_ERR_USAGE');
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    // `help drain` is `drain --help`
    const [topic, ...more] = rest;
    if (first === 'help' && topic !== undefined) {
      const c = program.commands.find((x) => x.name === topic);
      if (!c || more.length > 0) return reportError(program.binary, { code: 'XH_ERR_USAGE', message: more.length > 0 ? `help takes one command name, not ${rest.length} words` : `no command ${JSON.stringify(clipped(topic))} (commands: ${program.commands.map((x) => x.name).join(', ') || 'none'})` }, io);
      io.stdout(commandHelp(program, c));
      return 0;
    }
    io.stdout(helpText(program));
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout(`${program.binary} ${VERSION}\n`);
    return 0;
  }
  const command = program.commands.find((c) => c.name === first);
  if (!command) {
    const known = program.commands.map((c) => c.name).join(', ') || 'none';
    const stray = first.startsWith('-') ? unknownBefore(program, argv) : null;
    if (stray !== null) return reportError(program.binary, { code: 'XH_ERR_USAGE', message: `unknown option ${JSON.stringify(clipped(stray.option))} (and options go after the command); usage: ${program.binary} ${stray.command.usage.split('\n')[0] ?? ''}` }, io);
    const fixed = first.startsWith('-') ? reordered(program, argv) : null;
    if (fixed !== null) return reportError(program.binary, { code: 'XH_ERR_USAGE', message: `${clipped(first)} comes before the command: options go after it, as in ${clipped(fixed, 300)}` }, io);
    return reportError(program.binary, { code: 'XH_ERR_USAGE', message: `unknown command ${JSON.stringify(first)} (commands: ${known}; see --help)` }, io);
  }
  // words after "--" belong to the command (xenherdctl ssh NAME -- CMD -h), not to --help
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout(commandHelp(program, command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    // Commands return typed errors; reaching here is a bug, reported with its stack for the issue.
    return reportError(program.binary, { code: 'XH_ERR_INTERNAL', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }, io);
  }
}
