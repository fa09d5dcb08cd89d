import { err, ok, type Result } from '../../shared/result.js';
import type { ToolOutput } from './exec.js';
import type { ToolFailure } from './tool-failure.js';
import { shortNamed, xenstoreFailure } from './xenstore-read-all.js';

/** One `xenstore-list -p` of PATHS, exit codes 0 and 1 taken as answers. */
export type ListRun = (paths: readonly string[]) => Promise<Result<ToolOutput, ToolFailure>>;

/**
 * The names of PATHS' children through as few runs of `xenstore-list -p P1 P2 …` as it takes. The
 * tool (xenstore_client.c) lists them in one transaction, each child on a line of its own after
 * "P/" (-p), every list in the order asked, so a line belongs to the path before its last slash,
 * and a path with no line has no children. At the first path that is no node it says "could not
 * list path P" on stderr and exits 1, having printed the lists before P: that path is then null
 * and the rest asked again, as xenstore-read-all.ts does for values. Any other answer (xenstored
 * down, a line of no path asked, in the order asked) fails the whole listing.
 */
export async function listAllFrom(run: ListRun, paths: readonly string[]): Promise<Result<(string[] | null)[], ToolFailure>> {
  const lists: (string[] | null)[] = [];
  let rest = paths;
  while (rest.length > 0) {
    const r = await run(rest);
    if (!r.ok) return err(shortNamed(r.error, 'xenstore-list', rest, ['-p']));
    const missing = r.value.exitCode === 1 ? /could not list path (\S+)/.exec(r.value.stderr)?.[1] : undefined;
    const upTo = r.value.exitCode === 0 ? rest.length : missing === undefined ? -1 : rest.indexOf(missing);
    const got = upTo < 0 ? null : childrenOf(rest.slice(0, upTo), r.value.stdout);
    if (got === null) return err(xenstoreFailure('xenstore-list', ['-p'], rest, r.value));
    lists.push(...got);
    if (upTo === rest.length) break;
    lists.push(null);
    rest = rest.slice(upTo + 1);
  }
  return ok(lists);
}

/** STDOUT's lines as the children of PATHS, in order; null when a line is no child of the path it should be under. */
function childrenOf(paths: readonly string[], stdout: string): string[][] | null {
  const lists: string[][] = paths.map(() => []);
  let at = 0;
  for (const line of stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n')) {
    const slash = line.lastIndexOf('/');
    // the root's children: "//child" from the tool as released, "/child" once fixed (March 2026)
    const dir = slash === 0 ? '/' : line.slice(0, slash);
    const child = line.slice(slash + 1);
    while (at < paths.length && paths[at] !== dir) at++;
    const list = lists[at];
    if (slash < 0 || child === '' || list === undefined) return null;
    list.push(child);
  }
  return lists;
}
