import type { CliIo } from '../../../shared/cli/io.js';
import { compilePattern, firstPatternProblem, matches as nameMatches } from '../../../shared/name-pattern.js';
import { WhereAnswerSchema, type WhereMatch } from '../../../shared/protocol/ctl-where.js';
import { mergeAnswers, whereJson, type Asked } from '../where-answers.js';
import { caseHint } from '../case-hint.js';
import { notKnownYet } from '../not-known-yet.js';
import type { XhError } from '../../../shared/errors.js';
import { hostHint } from '../host-hint.js';
import type { CtlClient } from '../client.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { table } from '../format.js';
import { jsonLine, printable } from '../../../shared/text/printable.js';
import { WHERE_USAGE } from '../help/where.js';
import { dom0Of, isStale, mayBeDownOf, mayRunNote, notInFleetReason, staleReason, staleWarning, unreportedNote, WHERE_PAD_UP_TO, whereColumns, type MayBeDown } from '../where-line.js';

/** How many patterns are asked at once: `where $(cat list)` must not open hundreds of connections. */
const AT_ONCE = 8;

export async function where(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  // checked here as the controller checks it: a bad pattern is a usage error (64) with the controller
  // down too, and one beyond Node's 16 KB header limit would otherwise be a reset connection (87)
  const inv = begin(argv, io, hooks, [{ name: 'quiet', short: 'q', takesValue: false }], [1, Number.POSITIVE_INFINITY], WHERE_USAGE, (a) => firstPatternProblem(a.positionals));
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  // a pattern given twice is asked once (as a domU two patterns match is shown once)
  const patterns = [...new Set(args.positionals)];
  const asked: Asked[] = [];
  for (let i = 0; i < patterns.length; i += AT_ONCE) {
    const batch = patterns.slice(i, i + AT_ONCE);
    const got = await Promise.all(batch.map((p) => client.get(`/where?pattern=${encodeURIComponent(p)}`, WhereAnswerSchema)));
    for (const [j, r] of got.entries()) {
      if (!r.ok) return fail(r.error, io, json);
      asked.push({ pattern: batch[j] as string, answer: r.value });
    }
  }
  const w = mergeAnswers(asked);
  const { matches, unreported, notListing } = w;
  const quiet = args.options['quiet'] === true;
  if (json) io.stdout(jsonLine(whereJson(w)));
  // a glob's answer lacks what runs on hosts not heard from yet: said once, unless a refusal below says it
  const globNote = patterns.some(isGlob) && unreported.length > 0 && w.unmatched.length === 0;
  if (quiet) {
    // only the Dom0, for `ssh root@$(xenherdctl where -q web01)`; warnings on stderr
    const hosts = matches.map((m) => ({ m, host: dom0Of(m) }));
    const stale = hosts.filter((h) => h.host !== null && isStale(h.m)).map((h) => h.m);
    const { reasons } = stale.length > 0 ? await staleReasons(client, stale) : NO_REASONS;
    for (const m of stale) io.stderr(`xenherdctl: warning: ${staleWarning(m, reasons, unreported, notListing)}\n`);
    if (globNote) io.stderr(`xenherdctl: warning: ${unreportedNote(unreported)}\n`);
    if (!json) for (const { host } of hosts) if (host !== null) io.stdout(`${printable(host)}\n`);
  } else if (!json && matches.length > 0) {
    const { reasons, down } = await staleReasons(client, matches, unreported);
    io.stdout(table(matches.map((m) => whereColumns(m, hooks.clock.now(), reasons, unreported, notListing, down)), WHERE_PAD_UP_TO));
    if (globNote) io.stderr(`xenherdctl: warning: ${unreportedNote(unreported)}\n`);
  }
  // every pattern answered, or each one that was not named on stderr: exit 1 if any
  let code = 0;
  for (const a of asked) {
    const missing = await notFound(client, a, quiet);
    if (missing !== null) code = fail(missing, io, false);
  }
  return code;
}

/**
 * Why pattern A answered nothing usable, or null: it matched no domU; with -q, none of its
 * matches runs on a host (there is no Dom0 to print). Within the controller's start-up grace, not
 * known yet (not-known-yet.ts) unless a spelling hint says the name is likely mistyped.
 */
async function notFound(client: CtlClient, a: Asked, quiet: boolean): Promise<XhError | null> {
  const { pattern, answer } = a;
  const unreported = answer.unreported ?? [];
  const incomplete = unreported.length > 0 ? `; ${unreportedNote(unreported)}` : '';
  if (answer.matches.length === 0) {
    const down = await mayBeDownWords(client, pattern, unreported);
    // a name the DRBD partners of a silent Dom0 know is no typo: no spelling hint then
    const hint = down === '' ? (await caseHint(client, pattern)) || (await hostHint(client, pattern)) : '';
    const yet = hint ? null : notKnownYet(`no domU matches ${pattern} on the Dom0s heard so far`, answer);
    if (yet !== null) return { ...yet, message: `${yet.message}${down}` };
    return { code: 'XH_ERR_NOT_FOUND', message: `no domU matches ${pattern}${hint || (down === '' ? ' (xenherdctl domains lists them all)' : ' on the Dom0s heard now')}${incomplete}${down}` };
  }
  if (!quiet || answer.matches.some((m) => dom0Of(m) !== null)) return null;
  const names = answer.matches.map((m) => m.name).join(', ');
  const down = await mayBeDownWords(client, pattern, unreported);
  const yet = notKnownYet(`${names} ${answer.matches.length === 1 ? 'runs' : 'run'} on no Dom0 heard so far`, answer);
  if (yet !== null) return { ...yet, message: `${yet.message}${down}` };
  const unseen = answer.matches.map((m) => mayRunNote(m, answer.notListing ?? [])).filter((n) => n !== null);
  const may = unseen.length > 0 ? `; ${unseen.join('; ')}` : '';
  return { code: 'XH_ERR_NOT_FOUND', message: `${names} ${answer.matches.length === 1 ? 'runs' : 'run'} on no host${may}${incomplete}${down}` };
}

/**
 * "; web1 and web2 may be down with xen1: ...", check's words (the hosts answer's `mayBeDown`) for
 * a pattern matching no domU while Dom0s UNREPORTED are not heard since the controller started:
 * xen1's DRBD partners hold web1's disk cut off from it, and web1 runs on no Dom0 that reports, so
 * alone "no domU matches web1" read as a name mistyped, not as a domU that may be down. '' when
 * none says so, or the hosts answer could not be had (an older controller sends no such words).
 */
async function mayBeDownWords(client: CtlClient, pattern: string, unreported: readonly string[]): Promise<string> {
  const p = compilePattern(pattern);
  if (unreported.length === 0 || !p.ok) return '';
  const { HostsAnswerSchema } = await import('../../../shared/protocol/ctl-hosts.js');
  const r = await client.get('/hosts', HostsAnswerSchema);
  if (!r.ok) return '';
  const said = r.value.hosts.flatMap((h) => (h.mayBeDown !== undefined && h.mayBeDown.domus.some((d) => nameMatches(p.value, d)) ? [h.mayBeDown.text] : []));
  return said.map((t) => `; ${t}`).join('');
}

const isGlob = (pattern: string): boolean => {
  const p = compilePattern(pattern);
  return p.ok && p.value.kind !== 'exact';
};

/**
 * Why each host behind a stale answer is not vouched for, from /v1/hosts: asked only when an
 * answer is stale, so a healthy fleet costs one request. Without it (an older controller, a
 * failed request) the line says "unreachable or behind" as before. With them, what the hosts'
 * `mayBeDown` says of the domUs (where-line.ts mayBeDownOf).
 */
async function staleReasons(client: CtlClient, matches: readonly WhereMatch[], unreported: readonly string[] = []): Promise<Reasons> {
  const stale = matches.filter(isStale);
  const silent = new Set(stale.flatMap((m) => m.places.filter((p) => !p.reachable).map((p) => p.host)));
  // a domU running nowhere may run on an enrolled host not heard from yet: say since when
  if (stale.some((m) => m.places.length === 0)) for (const h of unreported) silent.add(h);
  // one running nowhere whose home sends it elsewhere: that host may be one the controller forgot
  const awayTo = new Set(stale.flatMap((m) => (m.places.length === 0 && m.away !== null ? [m.away.currentHost] : [])));
  for (const h of awayTo) silent.add(h);
  if (silent.size === 0) return NO_REASONS;
  // built only now: a fresh answer, the usual one, never needs the hosts' schema
  const { HostsAnswerSchema } = await import('../../../shared/protocol/ctl-hosts.js');
  const r = await client.get('/hosts', HostsAnswerSchema);
  if (!r.ok) return NO_REASONS;
  const started = r.value.startedAt === undefined ? undefined : { startedAt: r.value.startedAt, at: r.value.at };
  const reasons = new Map<string, string>();
  for (const h of r.value.hosts) {
    const why = silent.has(h.host) ? staleReason(h, started) : null;
    if (why !== null) reasons.set(h.host, why);
  }
  const listed = new Set(r.value.hosts.map((h) => h.host));
  for (const h of awayTo) if (!listed.has(h)) reasons.set(h, notInFleetReason(h));
  return { reasons, down: mayBeDownOf(r.value.hosts) };
}

interface Reasons {
  readonly reasons: ReadonlyMap<string, string>;
  readonly down: MayBeDown;
}
const NO_REASONS: Reasons = { reasons: new Map(), down: new Map() };
