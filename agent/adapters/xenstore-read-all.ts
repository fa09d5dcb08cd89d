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
    if (!r.ok) return err(shortNamed(r.error, rest));
    const printed = r.value.stdout === '' ? [] : r.value.stdout.replace(/\n$/, '').split('\n');
    if (r.value.exitCode === 0 && printed.length === rest.length) return ok([...values, ...printed.map(unsanitiseXenstoreValue)]);
    const missing = /couldn't read path (\S+)/.exec(r.value.stderr)?.[1];
    if (r.value.exitCode !== 1 || missing === undefined || printed.length >= rest.length || rest[printed.length] !== missing) return err(failure(rest, r.value));
    values.push(...printed.map(unsanitiseXenstoreValue), null);
    rest = rest.slice(printed.length + 1);
  }
  return ok(values);
}

/** "P1 and 59 more paths": a read of every domain's node named in a log line of sensible length */
const named = (paths: readonly string[]): string => (paths.length === 1 ? (paths[0] ?? '') : `${paths[0] ?? ''} and ${paths.length - 1} more paths`);

/** A failure (the runner's timeout, xenstored down as explained) naming the paths as `named` does, its args kept whole. */
function shortNamed(f: ToolFailure, paths: readonly string[]): ToolFailure {
  const full = `xenstore-read ${paths.join(' ')}`;
  return f.message.startsWith(full) ? { ...f, message: `xenstore-read ${named(paths)}${f.message.slice(full.length)}` } : f;
}

function failure(paths: readonly string[], out: ToolOutput): ToolFailure {
  const first = out.stderr.trim().split('\n')[0] ?? '';
  const lines = out.stdout === '' ? 0 : out.stdout.replace(/\n$/, '').split('\n').length;
  const how = out.exitCode === 0 ? `printed ${lines} line${lines === 1 ? '' : 's'} for ${paths.length} paths` : `exit code ${out.exitCode}${first ? `: ${first}` : ''}`;
  return shortNamed(explainXenstoreFailure({ code: 'XH_ERR_TOOL_FAILED', tool: 'xenstore-read', args: [...paths], exitCode: out.exitCode, signal: null, stdout: out.stdout, stderr: out.stderr, message: `xenstore-read ${named(paths)}: ${how}` }), paths);
}
