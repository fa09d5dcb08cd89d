import type { CliIo } from '../../../shared/cli/io.js';
import { firstPatternProblem } from '../../../shared/name-pattern.js';
import { DrbdAnswerSchema } from '../../../shared/protocol/ctl-drbd.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { drbdJson, drbdTable, mergeDrbd, type DrbdAsked } from '../drbd-lines.js';
import { DRBD_USAGE } from '../help/drbd.js';
import { jsonLine } from '../../../shared/text/printable.js';

/** How many patterns are asked at once, as `where` does: `drbd $(cat list)` must not open hundreds of connections. */
const AT_ONCE = 8;

/**
 * Some resource is not well: 2. 1 already means a PATTERN matched nothing (XH_ERR_NOT_FOUND, as
 * for where), and a script must tell the two apart; this command's usage and configuration errors
 * keep 64 and 78, as where's do, so 2 says only this (as check's 2 says its worst).
 */
export const DRBD_DEGRADED_EXIT = 2;

export async function drbd(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  // a bad pattern is a usage error (64) with the controller down too, as for where
  const inv = begin(argv, io, hooks, [], [0, Number.POSITIVE_INFINITY], DRBD_USAGE, (a) => firstPatternProblem(a.positionals));
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const patterns: (string | null)[] = args.positionals.length > 0 ? [...new Set(args.positionals)] : [null];
  const asked: DrbdAsked[] = [];
  for (let i = 0; i < patterns.length; i += AT_ONCE) {
    const batch = patterns.slice(i, i + AT_ONCE);
    const got = await Promise.all(batch.map((p) => client.get(p === null ? '/drbd' : `/drbd?pattern=${encodeURIComponent(p)}`, DrbdAnswerSchema)));
    for (const [j, r] of got.entries()) {
      if (r.ok) {
        asked.push({ pattern: batch[j] ?? null, answer: r.value });
        continue;
      }
      // only a controller without the route answers NOT_FOUND here: not "nothing matched" (1)
      const e = r.error.code === 'XH_ERR_NOT_FOUND' ? { code: 'XH_ERR_PROTOCOL' as const, message: `the controller does not answer GET /v1/drbd: it is older than this xenherdctl; upgrade it (${r.error.message})` } : r.error;
      return fail(e, io, json);
    }
  }
  const { resources, unmatched } = mergeDrbd(asked);
  if (json) io.stdout(jsonLine(drbdJson(asked)));
  else if (resources.length > 0) io.stdout(drbdTable(resources));
  else if (patterns[0] === null) io.stderr('xenherdctl: no Dom0 reports a DRBD resource\n');
  let code = resources.some((r) => !r.ok) ? DRBD_DEGRADED_EXIT : 0;
  for (const p of unmatched) code = fail({ code: 'XH_ERR_NOT_FOUND', message: `no DRBD resource, nor a domU using one, matches ${p} (xenherdctl drbd lists them all)` }, io, false);
  return code;
}
