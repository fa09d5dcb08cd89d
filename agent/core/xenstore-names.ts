import { andList } from '../../shared/text/and-list.js';
import { keptSince, type NamedAlready } from '../decide/kept-since.js';
import { log, type Effect } from './effects.js';
import type { NamesReadAnswer } from './events.js';
import { requestList } from './read-requests.js';
import { afterGivingUp, earliestDue, isDue, isSlow, lastQuickTry, QUICK_RETRY_MS, retryWait, SLOW_RETRY_MS } from './retry-schedule.js';
import type { AgentState } from './state.js';
import { arm, disarm, type Fx } from './timers.js';

/**
 * Every running domU learns its Dom0 from xenstore (it reads `data/xenherd/dom0` and
 * `data/xenherd/since` in its own area): written once per domain id, so again when a domU arrives
 * here by migration (it has a new id here). A kernel command-line token would go stale on the
 * first migration; this follows the domU. Every domU new here goes in one effect, written in as
 * few `xenstore-write` runs as their pairs fit (adapters/xenstore-write-batches.ts): at READY on
 * a Dom0 with 80 domUs that is two tool runs, not 80. A domU's two keys are always in the same
 * run, one transaction: it sees both or neither.
 *
 * A write that failed (xenstored down at boot, a run that timed out) is tried again on the
 * retry schedule (retry-schedule.ts): a guest left unnamed would go on reading the Dom0 it ran on
 * before, the very staleness this exists to end.
 *
 * `since` says when the domU came to run on THIS Dom0, so an agent restart (systemctl restart, a
 * package upgrade) must not move it: the domUs named at READY have their areas read back first, in
 * one effect, and keep the `since` they hold when it is still this Dom0's (decide/kept-since.ts).
 * A domU listed later is new here (created, or arrived by migration) and is written at once.
 */
export interface Naming {
  readonly name: string;
  /** when this Dom0 first set out to name it: every try writes this `since` */
  readonly since: string;
  /** its area is read back before it is written: named at READY, when it may have been named by this Dom0's agent before */
  readonly readFirst: boolean;
  /** what its area held, read back, while Xen's start time of the domain is still being read (the verdict needs it) */
  readonly readBack?: NamedAlready;
  /** tries (a read back or a write) asked for this domain id so far */
  readonly tries: number;
  /** 'reading' or 'writing': a try is out; a time: tried again at the first list read from then; null: named */
  readonly next: 'reading' | 'writing' | number | null;
}

const TIMER = 'xenstore-names';

/** the domUs this Dom0 names, by domain id: running here under their own name, no migration half */
export function namedDomus(domains: NonNullable<AgentState['domains']>): Map<number, string> {
  const live = new Map<number, string>();
  for (const d of domains) {
    if (d.domid === null || d.domid === 0 || d.migration !== null || d.baseName === null || d.state === 'dying' || d.state === 'shutdown') continue;
    live.set(d.domid, d.name);
  }
  return live;
}

/**
 * Called with every list read: the domUs new here and those whose retry is due, written in one
 * effect. A retry waits for a list read (the timer asks for one) so that it writes only into the
 * area of a domain the read just showed: writing into the area of one gone meanwhile would leave
 * xenstore a node of a domain that is no more. Those waiting out the slow period ride along with
 * any write, so domUs given up at different times share one run.
 */
export function nameDom0InGuests(s: AgentState, fx: Fx, now: number, atReady = false): AgentState {
  // not before READY: the first decisions (events2's initial dump, the decisions themselves)
  // should not share the machine with tool runs they do not need; the domUs are named at READY
  // (reduce.ts) and on every list read after
  if (s.domains === null || s.phase !== 'running') return s;
  const live = namedDomus(s.domains);
  const namings = new Map([...s.xenstoreNamed].filter(([id, n]) => live.get(id) === n.name));
  const since = new Date(now).toISOString();
  const fresh = [...live].filter(([domid]) => !namings.has(domid)).map(([domid, name]): [number, Naming] => [domid, { name, since, readFirst: atReady, tries: 0, next: null }]);
  const anyDue = fresh.length > 0 || [...namings.values()].some((n) => isDue(n, now));
  const due = [...fresh, ...[...namings].filter(([, n]) => isDue(n, now) || (anyDue && isSlow(n)))];
  for (const [domid, n] of due) namings.set(domid, { ...n, tries: n.tries + 1, next: n.readFirst ? 'reading' : 'writing' });
  const toRead = due.filter(([, n]) => n.readFirst);
  if (toRead.length > 0) fx.push({ e: 'xenstore-read-names', domus: toRead.map(([domid, n]) => ({ domid, name: n.name })) });
  const toWrite = due.filter(([, n]) => !n.readFirst);
  if (toWrite.length > 0) fx.push(writeEffect(s.host, toWrite));
  if (due.length === 0 && namings.size === s.xenstoreNamed.size) return s;
  return armNext({ ...s, xenstoreNamed: namings }, fx, now);
}

const writeEffect = (host: string, due: readonly (readonly [number, Naming])[]): Effect => ({
  e: 'xenstore-write',
  domus: due.map(([domid, n]) => {
    const area = `/local/domain/${domid}/data/xenherd`;
    return { domid, name: n.name, values: { [`${area}/dom0`]: host, [`${area}/since`]: n.since } };
  }),
});

/**
 * What the areas of the domUs named at READY held: a `since` still this Dom0's is kept and that
 * domU is named as it stands, no write; the others are written as any new here, a value that
 * should have been kept and could not be said once, naming the domU and the value. A read that
 * failed is a failed try (onXenstoreWritten): read back again on the retry schedule, never
 * written over unread. Xen's start time of each domain is read at READY too: a verdict waits for
 * it while it is being read (settleReadBacks, called again when it lands).
 */
export function onNamesRead(s: AgentState, fx: Fx, domus: Written, read: NamesReadAnswer, now: number): AgentState {
  if (!read.ok) return onXenstoreWritten(s, fx, [], domus.map((d) => ({ ...d, problem: read.problem })), now);
  const namings = new Map(s.xenstoreNamed);
  for (const r of read.reads) {
    const n = namings.get(r.domid);
    if (n?.name === r.name && n.next === 'reading') namings.set(r.domid, { ...n, readBack: { dom0: r.dom0, since: r.since } });
  }
  return settleReadBacks({ ...s, xenstoreNamed: namings }, fx, now);
}

/** The domUs read back whose start time is known or not to be had: each `since` kept, or written anew. */
export function settleReadBacks(s: AgentState, fx: Fx, now: number): AgentState {
  const namings = new Map(s.xenstoreNamed);
  const kept: { domid: number; name: string }[] = [];
  const toWrite: [number, Naming][] = [];
  for (const [domid, n] of s.xenstoreNamed) {
    const start = s.startTimes.get(domid);
    const started = start?.name === n.name ? start : undefined;
    if (n.readBack === undefined || n.next !== 'reading' || started?.next === 'reading') continue;
    const v = keptSince(n.readBack, s.host, now, started?.at ?? null);
    const { readBack: _read, ...rest } = n;
    const next: Naming = { ...rest, since: v.keep ?? n.since, readFirst: false, next: 'writing' };
    namings.set(domid, next);
    if (v.keep !== null) kept.push({ domid, name: n.name });
    else toWrite.push([domid, next]);
    if (v.keep === null && v.why !== null) {
      fx.push(log('warn', `${where([{ domid, name: n.name }])} names this Dom0 but its data/xenherd/since cannot be kept: ${v.why}; written anew as ${n.since}`, { domu: n.name }));
    }
  }
  if (kept.length === 0 && toWrite.length === 0) return s;
  if (toWrite.length > 0) fx.push(writeEffect(s.host, toWrite));
  return onXenstoreWritten({ ...s, xenstoreNamed: namings }, fx, kept, [], now);
}

/** The retry timer fired: a list read, whose answer writes what is due (above). */
export const onNamingTimer = (s: AgentState, fx: Fx): AgentState => (s.phase === 'running' ? requestList(s, fx) : s);

type Written = readonly { readonly domid: number; readonly name: string }[];
type Failed = readonly { readonly domid: number; readonly name: string; readonly problem: string }[];

/**
 * The answer of one xenstore-write effect: the domUs NAMED and those FAILED. A failure is tried
 * again (retry-schedule.ts) without a word until the quick tries are over; then one warning per
 * cause: a run that failed whole (xenstored down) fails every domU in it, said once, not once per
 * domU. The domUs named after that are said too, once.
 */
export function onXenstoreWritten(s: AgentState, fx: Fx, named: Written, failed: Failed, now: number): AgentState {
  const namings = new Map(s.xenstoreNamed);
  const held = (domid: number, name: string): Naming | undefined => {
    const n = namings.get(domid);
    return n?.name === name && (n.next === 'writing' || n.next === 'reading') ? n : undefined;
  };
  const late: { domid: number; name: string }[] = [];
  for (const d of named) {
    const n = held(d.domid, d.name);
    if (n === undefined) continue;
    namings.set(d.domid, { ...n, next: null });
    if (afterGivingUp(n.tries)) late.push(d);
  }
  const givenUp = new Map<string, { domid: number; name: string }[]>();
  for (const f of failed) {
    const n = held(f.domid, f.name);
    if (n === undefined) continue;
    namings.set(f.domid, { ...n, next: now + retryWait(n.tries) });
    if (lastQuickTry(n.tries)) givenUp.set(f.problem, [...(givenUp.get(f.problem) ?? []), f]);
  }
  for (const [problem, ds] of givenUp) {
    fx.push(log('warn', `cannot name this Dom0 in ${where(ds)} after ${QUICK_RETRY_MS.length + 1} tries, tried again every ${SLOW_RETRY_MS / 60_000} minutes: ${problem}`, domuField(ds)));
  }
  if (late.length > 0) fx.push(log('info', `named this Dom0 in ${where(late)} at last: ${late.length === 1 ? 'its guest reads' : 'their guests read'} it from data/xenherd/dom0`, domuField(late)));
  return armNext({ ...s, xenstoreNamed: namings }, fx, now);
}

const where = (ds: Written): string => {
  const [one] = ds;
  return ds.length === 1 && one !== undefined ? `${one.name}'s xenstore area (domain ${one.domid})` : `the xenstore areas of ${andList(ds.map((d) => `${d.name} (domain ${d.domid})`))}`;
};

/** a lone domU is its own field */
const domuField = (ds: Written): Record<string, string> => (ds.length === 1 && ds[0] !== undefined ? { domu: ds[0].name } : {});

/** The retry timer armed for the earliest try due, or disarmed when none is. */
function armNext(s: AgentState, fx: Fx, now: number): AgentState {
  const due = earliestDue(s.xenstoreNamed.values());
  return due === null ? disarm(s, fx, TIMER) : arm(s, fx, TIMER, due - now);
}
