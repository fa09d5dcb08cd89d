import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What a binary says about itself: its `--help`, and each listed command's `COMMAND --help`. Man
 * pages and bash completion are made from this, so they say what the binary says and nothing
 * else. A command whose `--help` fails (the ssh forced command `migrate2` takes its words from
 * SSH_ORIGINAL_COMMAND and refuses any other argument) is described by its summary alone.
 */
export interface CommandHelp {
  readonly name: string;
  readonly summary: string;
  /** the command's own `--help` text, or null when it has none */
  readonly help: string | null;
}

export interface BinaryHelp {
  readonly binary: string;
  readonly version: string;
  readonly description: string;
  /** the full top-level `--help` text */
  readonly help: string;
  readonly usage: readonly string[];
  readonly commands: readonly CommandHelp[];
  /** the `exit codes:` block, lines as printed */
  readonly exitCodes: readonly string[];
}

function runHelp(bundle: string, args: readonly string[], home: string): { status: number | null; stdout: string } {
  // a clean environment: nothing of the packager's shell may leak into the pages
  const r = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', timeout: 20_000, env: { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' } });
  return { status: r.status, stdout: r.stdout ?? '' };
}

/** The lines of the block that starts with `heading:` and ends at the next blank line. */
function block(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Parses a top-level help text as shared/cli/program.ts prints it. */
export function parseTopHelp(text: string): Omit<BinaryHelp, 'commands'> & { summaries: { name: string; summary: string }[] } {
  const lines = text.split('\n');
  const [binary = '', version = ''] = (lines[0] ?? '').split(' ');
  const usageAt = lines.findIndex((l) => l.startsWith('usage: '));
  if (!binary || usageAt < 0) throw new Error(`not a xenherd help text:\n${text}`);
  const description = lines.slice(1, usageAt).join('\n').trim();
  const usage: string[] = [];
  for (let i = usageAt; i < lines.length && (lines[i] ?? '').trim() !== ''; i++) usage.push((lines[i] ?? '').replace(/^(usage:| {6}) /, '').trim());
  const summaries = block(text, 'commands:').map((l) => {
    const m = /^ {2}(\S+)\s+(.*)$/.exec(l);
    if (!m) throw new Error(`${binary}: cannot read the command line ${JSON.stringify(l)}`);
    return { name: m[1] as string, summary: m[2] as string };
  });
  const exitAt = lines.indexOf('exit codes:');
  const exitCodes = exitAt < 0 ? [] : lines.slice(exitAt + 1).filter((l) => l.trim() !== '');
  return { binary, version, description, help: text, usage, summaries, exitCodes };
}

/** Runs BUNDLE --help and every listed command's --help. */
export function probeHelp(bundle: string): BinaryHelp {
  const home = mkdtempSync(join(tmpdir(), 'xenherd-help-'));
  try {
    const top = runHelp(bundle, ['--help'], home);
    if (top.status !== 0) throw new Error(`${bundle} --help exited ${top.status}`);
    const { summaries, ...rest } = parseTopHelp(top.stdout);
    const commands = summaries.map(({ name, summary }) => {
      const r = runHelp(bundle, [name, '--help'], home);
      return { name, summary, help: r.status === 0 && r.stdout.trim() !== '' ? r.stdout : null };
    });
    return { ...rest, commands };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
