import type { CliIo } from '../../../shared/cli/io.js';
import { compilePattern } from '../../../shared/name-pattern.js';
import { HostsAnswerSchema } from '../../../shared/protocol/ctl-hosts.js';
import { WhereAnswerSchema, type WhereMatch } from '../../../shared/protocol/ctl-where.js';
import { caseHint } from '../case-hint.js';
import { hostHint } from '../host-hint.js';
import type { CtlClient } from '../client.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { table } from '../format.js';
import { printable } from '../../../shared/text/printable.js';
import { WHERE_USAGE } from '../help/where.js';
import { dom0Of, isStale, mayRunNote, notInFleetReason, staleReason, staleWarning, unreportedNote, whereColumns } from '../where-line.js';

export async function where(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  // checked here as the controller checks it: a bad pattern is a usage error (64) with the controller
  // down too, and one beyond Node's 16 KB header limit would otherwise be a reset connection (87)
  const inv = begin(argv, io, hooks, [{ name: 'quiet', short: 'q', takesValue: false }], [1, 1], WHERE_USAGE, (a) => {
    const p = compilePattern(a.positionals[0] as string);
    return p.ok ? null : p.error;
  });
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const pattern = args.positionals[0] as string;
  const r = await client.get(`/where?pattern=${encodeURIComponent(pattern)}`, WhereAnswerSchema);
  if (!r.ok) return fail(r.error, io, json);
  const matches = r.value.matches;
  // enrolled Dom0s not heard from since the controller started: what runs there is not in the answer
  const unreported = r.value.unreported ?? [];
  // Dom0s that cannot list their domains: a match running nowhere may run there unseen
  const notListing = r.value.notListing ?? [];
  const incomplete = unreported.length > 0 ? `; ${unreportedNote(unreported)}` : '';
  const quiet = args.options['quiet'] === true;
  if (json) io.stdout(`${JSON.stringify({ ...r.value, matches: matches.map((m) => ({ ...m, stale: isStale(m) })) })}\n`);
  if (matches.length === 0) {
    const hint = (await caseHint(client, pattern)) || (await hostHint(client, pattern));
    return fail({ code: 'XH_ERR_NOT_FOUND', message: `no domU matches ${pattern}${hint || ' (xenherdctl domains lists them all)'}${incomplete}` }, io, false);
  }
  if (quiet) {
    // only the Dom0, for `ssh root@$(xenherdctl where -q web01)`; warnings on stderr
    const hosts = matches.map((m) => ({ m, host: dom0Of(m) }));
    const stale = hosts.filter((h) => h.host !== null && isStale(h.m)).map((h) => h.m);
    const reasons = await staleReasons(client, stale);
    for (const m of stale) io.stderr(`xenherdctl: warning: ${staleWarning(m, reasons, unreported, notListing)}\n`);
    if (isGlob(pattern) && unreported.length > 0) io.stderr(`xenherdctl: warning: ${unreportedNote(unreported)}\n`);
    const found = hosts.filter((h) => h.host !== null);
    if (!json) for (const { host } of found) io.stdout(`${printable(host as string)}\n`);
    const unseen = matches.map((m) => mayRunNote(m, notListing)).filter((n) => n !== null);
    const may = unseen.length > 0 ? `; ${unseen.join('; ')}` : '';
    if (found.length === 0) return fail({ code: 'XH_ERR_NOT_FOUND', message: `${matches.map((m) => m.name).join(', ')} ${matches.length === 1 ? 'runs' : 'run'} on no host${may}${incomplete}` }, io, false);
    return 0;
  }
  if (json) return 0;
  const reasons = await staleReasons(client, matches, unreported);
  io.stdout(table(matches.map((m) => whereColumns(m, hooks.clock.now(), reasons, unreported, notListing))));
  if (isGlob(pattern) && unreported.length > 0) io.stderr(`xenherdctl: warning: ${unreportedNote(unreported)}\n`);
  return 0;
}

const isGlob = (pattern: string): boolean => {
  const p = compilePattern(pattern);
  return p.ok && p.value.kind !== 'exact';
};

/**
 * Why each host behind a stale answer is not vouched for, from /v1/hosts: asked only when an
 * answer is stale, so a healthy fleet costs one request. Without it (an older controller, a
 * failed request) the line says "unreachable or behind" as before.
 */
async function staleReasons(client: CtlClient, matches: readonly WhereMatch[], unreported: readonly string[] = []): Promise<ReadonlyMap<string, string>> {
  const stale = matches.filter(isStale);
  const silent = new Set(stale.flatMap((m) => m.places.filter((p) => !p.reachable).map((p) => p.host)));
  // a domU running nowhere may run on an enrolled host not heard from yet: say since when
  if (stale.some((m) => m.places.length === 0)) for (const h of unreported) silent.add(h);
  // one running nowhere whose home sends it elsewhere: that host may be one the controller forgot
  const awayTo = new Set(stale.flatMap((m) => (m.places.length === 0 && m.away !== null ? [m.away.currentHost] : [])));
  for (const h of awayTo) silent.add(h);
  if (silent.size === 0) return new Map();
  const r = await client.get('/hosts', HostsAnswerSchema);
  if (!r.ok) return new Map();
  const started = r.value.startedAt === undefined ? undefined : { startedAt: r.value.startedAt, at: r.value.at };
  const reasons = new Map<string, string>();
  for (const h of r.value.hosts) {
    const why = silent.has(h.host) ? staleReason(h, started) : null;
    if (why !== null) reasons.set(h.host, why);
  }
  const listed = new Set(r.value.hosts.map((h) => h.host));
  for (const h of awayTo) if (!listed.has(h)) reasons.set(h, notInFleetReason(h));
  return reasons;
}
