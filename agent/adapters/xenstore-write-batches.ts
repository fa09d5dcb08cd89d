import type { Result } from '../../shared/result.js';
import { sanitiseXenstoreValue } from '../parse/xenstore-value.js';
import type { ToolFailure } from './tool-failure.js';

/** One `xenstore-write P1 V1 P2 V2 …` of these pairs (the xenstore adapter's writeAll). */
export type WriteRun = (values: Readonly<Record<string, string>>) => Promise<Result<void, ToolFailure>>;

/** What one owner (a domU) needs written: its pairs land together, in one run, or not at all. */
export interface WriteGroup {
  readonly values: Readonly<Record<string, string>>;
}

export interface GroupFailure<G extends WriteGroup> {
  readonly group: G;
  readonly problem: string;
}

/**
 * Bytes of argv one run carries at most: some 40 domUs' pairs, so 80 domUs are two runs. Far
 * below Linux's bounds (128 KiB a string, ARG_MAX shared with the environment), and one
 * transaction touches the areas of a few dozen domUs, not all: a transaction another writer
 * changed meanwhile fails at its end, and the tool runs it again whole each time.
 */
export const XENSTORE_WRITE_ARG_BYTES = 4 * 1024;

/**
 * GROUPS written through as few runs of `xenstore-write` as the bound allows, each run's pairs in
 * one transaction. The tool (xenstore_client.c) writes the pairs in order and, at the first it
 * cannot write, says "could not write path P" on stderr, aborts the transaction (nothing of that
 * run is written, not even the pairs before P) and exits 1. So the group holding P has failed, and
 * the others of that run are written again without it: never more runs than groups and batches.
 * A refusal is P's only when the abort worked: when xenstored went away mid-run the write of P
 * fails and so does the abort ("couldn't end transaction" after it), and P is merely where the
 * tool stood when the connection dropped. Then, as for any other failure (xenstored down, the
 * run's timeout, a transaction that could not start or end), the run failed whole: each of its
 * groups failed with it and is tried again, none blamed. Resolves with the groups not written,
 * in order, each with why.
 */
export async function writeInBatches<G extends WriteGroup>(write: WriteRun, groups: readonly G[], maxArgBytes = XENSTORE_WRITE_ARG_BYTES): Promise<GroupFailure<G>[]> {
  const failed: GroupFailure<G>[] = [];
  for (const batch of batches(groups, maxArgBytes)) {
    let rest = batch;
    while (rest.length > 0) {
      const r = await write(Object.fromEntries(rest.flatMap((g) => Object.entries(g.values))));
      if (r.ok) break;
      const path = r.error.exitCode === 1 ? /could not write path (\S+)/.exec(r.error.stderr)?.[1] : undefined;
      const dropped = path !== undefined && r.error.stderr.includes("couldn't end transaction");
      const refused = path === undefined || dropped ? undefined : rest.find((g) => Object.hasOwn(g.values, path));
      if (path === undefined || refused === undefined) {
        const problem = dropped ? droppedAt(r.error, rest.length, path) : shortArgs(r.error, rest.length);
        failed.push(...rest.map((group) => ({ group, problem })));
        break;
      }
      // warnx, not warn: the tool prints no errno, so xenstored's refusal has no reason to quote
      failed.push({ group: refused, problem: `xenstore-write could not write ${path} (xenstored refused it; the tool prints no reason)` });
      rest = rest.filter((g) => g !== refused);
    }
  }
  return failed;
}

/** GROUPS in order, cut where the next would take a run's argv past MAX bytes (a group too big alone still runs, alone). */
function batches<G extends WriteGroup>(groups: readonly G[], max: number): G[][] {
  const out: G[][] = [];
  let cur: G[] = [];
  let bytes = 0;
  for (const g of groups) {
    // each argument and its terminating NUL, the value as the adapter passes it
    const size = Object.entries(g.values).reduce((n, [p, v]) => n + Buffer.byteLength(p) + Buffer.byteLength(sanitiseXenstoreValue(v)) + 2, 0);
    if (cur.length > 0 && bytes + size > max) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(g);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** A whole run's failure, said without its argv: a run for 50 domUs would be a line of 200 arguments. */
function shortArgs(f: ToolFailure, groups: number): string {
  const full = `${f.tool} ${f.args.join(' ')}`;
  return f.message.startsWith(full) ? `${shortRun(f, groups)}${f.message.slice(full.length)}` : f.message;
}

/** the run by its first path, past the `--` that ends the tool's options, and how many domUs' pairs it carried */
const shortRun = (f: ToolFailure, groups: number): string => `${f.tool} ${f.args.find((a) => a !== '--') ?? ''} … (the pairs of ${groups} domU${groups === 1 ? '' : 's'})`;

/** A run whose connection to xenstored dropped at PATH: the run's failure, not PATH's domU's. */
const droppedAt = (f: ToolFailure, groups: number, path: string): string =>
  `${shortRun(f, groups)}: xenstored went away mid-run (the tool could not write ${path}, then could not end its transaction), so nothing of the run was written`;
