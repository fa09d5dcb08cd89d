import { err, ok, type Result } from '../../shared/result.js';
import { unsanitiseXenstoreValue } from '../parse/xenstore-value.js';
import type { ToolOutput } from './exec.js';
import type { ToolFailure } from './tool-failure.js';
import { explainXenstoreFailure } from './toolstack-explain.js';

/** One `xenstore-read` of PATHS, exit codes 0 and 1 taken as answers. */
export type ReadRun = (paths: readonly string[]) => Promise<Result<ToolOutput, ToolFailure>>;

/**
 * PATHS' values through as few runs of `xenstore-read P1 P2 …` as it takes. The tool
 * (xenstore_client.c) reads them in one transaction and prints each value sanitised on a line of
 * its own (a newline in a value is printed `\n`), so line i is path i; at the first path it cannot
 * read it says "couldn't read path P" on stderr and exits 1, having printed the values before P.
 * That path is then no such node (null), as for a single read, and the rest are asked again: one run
 * for the whole list unless nodes are missing, never more runs than paths. Any other exit 1
 * (xenstored down, a transaction that could not start or end) is a failure of the whole read.
 */
export async function readAllFrom(run: ReadRun, paths: readonly string[]): Promise<Result<(string | null)[], ToolFailure>> {
  const values: (string | null)[] = [];
  let rest = paths;
  while (rest.length > 0) {
    const r = await run(rest);
    if (!r.ok) return err(shortNamed(r.error, 'xenstore-read', rest));
    const printed = r.value.stdout === '' ? [] : r.value.stdout.replace(/\n$/, '').split('\n');
    if (r.value.exitCode === 0 && printed.length === rest.length) return ok([...values, ...printed.map(unsanitiseXenstoreValue)]);
    const missing = /couldn't read path (\S+)/.exec(r.value.stderr)?.[1];
    if (r.value.exitCode !== 1 || missing === undefined || printed.length >= rest.length || rest[printed.length] !== missing) return err(xenstoreFailure('xenstore-read', [], rest, r.value));
    values.push(...printed.map(unsanitiseXenstoreValue), null);
    rest = rest.slice(printed.length + 1);
  }
  return ok(values);
}

/** "P1 and 59 more paths": a read of every domain's node named in a log line of sensible length */
const named = (paths: readonly string[]): string => (paths.length === 1 ? (paths[0] ?? '') : `${paths[0] ?? ''} and ${paths.length - 1} more paths`);

/** A failure of TOOL run on PATHS (the runner's timeout, xenstored down as explained) naming the paths as `named` does, its args kept whole. */
export function shortNamed(f: ToolFailure, tool: string, paths: readonly string[], options: readonly string[] = []): ToolFailure {
  const full = [tool, ...options, ...paths].join(' ');
  return f.message.startsWith(full) ? { ...f, message: `${tool} ${named(paths)}${f.message.slice(full.length)}` } : f;
}

/** TOOL's answer on PATHS that is none of those it gives: its exit code and first line of stderr, or, exit 0, how many lines it printed. */
export function xenstoreFailure(tool: string, options: readonly string[], paths: readonly string[], out: ToolOutput): ToolFailure {
  const first = out.stderr.trim().split('\n')[0] ?? '';
  const lines = out.stdout === '' ? 0 : out.stdout.replace(/\n$/, '').split('\n').length;
  const how = out.exitCode === 0 ? `printed ${lines} line${lines === 1 ? '' : 's'} for ${paths.length} paths` : `exit code ${out.exitCode}${first ? `: ${first}` : ''}`;
  const args = [...options, ...paths];
  return shortNamed(explainXenstoreFailure({ code: 'XH_ERR_TOOL_FAILED', tool, args, exitCode: out.exitCode, signal: null, stdout: out.stdout, stderr: out.stderr, message: `${tool} ${named(paths)}: ${how}` }), tool, paths, options);
}
