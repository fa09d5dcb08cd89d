import type { Alert, AlertKind } from '../../shared/protocol/ctl-api.js';
import type { FleetIndex } from './fleet-index.js';
import { ageOf, isReachable, type Freshness } from './host-record.js';
import { liveLinkTo, type LiveLink } from './live-partner-word.js';
import { nameOrder } from '../../shared/name-order.js';

/**
 * An alert before the controller stamps when it first saw it. `settleMs`, when set, is how long
 * this finding must stand before it is an alert instead of its kind's grace (alert-book.ts): a
 * shape that is also a moment of ordinary work waits that long, the same kind in another shape
 * does not. It never leaves the controller (`asAlert`).
 */
export type Finding = Omit<Alert, 'since'> & { readonly settleMs?: number };

export const finding = (kind: AlertKind, subject: string, hosts: readonly string[], message: string, settleMs?: number): Finding => ({
  id: `${kind}:${subject}`,
  kind,
  subject,
  hosts: [...hosts].sort(nameOrder),
  message,
  ...(settleMs === undefined ? {} : { settleMs }),
});

/** FINDING as the alert it becomes, first seen at SINCE. */
export function asAlert(f: Finding, since: number): Alert {
  // `since` before the spread: a key added after one takes V8 a slow path per object
  const { settleMs: _settle, ...rest } = f;
  return { since, ...rest };
}

/** The domU or DRBD resource a subject names: all of it, or its part before '@' (`web01@xen1`, `r0@xen1+xen2`). */
export const subjectName = (subject: string): string => subject.split('@')[0] ?? subject;

/** The domU an alert is about (what `where NAME` lists it under); null for a DRBD resource's. */
export const domuOf = (a: Pick<Alert, 'kind' | 'subject'>): string | null => (a.kind === 'drbd-primary-on-both' ? null : subjectName(a.subject));

/** HOST, and how old its report is when it is not reachable: a finding's message says what it rests on. */
function hostNote(index: FleetIndex, host: string, fresh: Freshness): string {
  const r = index.record(host);
  // reachable but unable to read xl list: its rows are the ones it read before (blind-rows.ts)
  if (r?.viewLag?.view === 'unknown' && isReachable(r, fresh.now, fresh.staleAfterMs)) return `${host} (its agent cannot read xl list, for ${Math.round((fresh.now - r.viewLag.since) / 1000)} s)`;
  if (!r || isReachable(r, fresh.now, fresh.staleAfterMs)) return host;
  const age = ageOf(r, fresh.now);
  return `${host} (unreachable, ${age === null ? unheardSinceStart(fresh) : `last heard ${Math.round(age / 1000)} s ago`})`;
}

/**
 * A host with no word since this controller started: it remembers nothing older, so "never" would
 * claim more than it knows (after a restart a Dom0 up for months reads so until it reports).
 */
export const unheardSinceStart = (fresh: Freshness): string =>
  `not heard from since the controller started${fresh.startedAt === undefined ? '' : ` ${Math.round(Math.max(0, fresh.now - fresh.startedAt) / 1000)} s ago`}`;

/** HOSTS for a finding's message: `xen1 and xen2 (unreachable, last heard 40 s ago)`. */
export const hostList = (index: FleetIndex, hosts: readonly string[], fresh: Freshness): string => hosts.map((h) => hostNote(index, h, fresh)).join(' and ');

/**
 * For a finding that rests on unreachable hosts' last reports (a domU on two hosts, a resource
 * Primary on both): what the operator checks, and how it ends. The report may be true (a
 * partitioned Dom0 still runs the domU: the finding stays), or the Dom0 died with it; only a look
 * at that Dom0 tells, and a Dom0 gone for good leaves the fleet by revoking its token. A silent
 * host a live partner's DRBD is connected to on one of RESOURCES is up (live-partner-word.ts
 * liveLinkTo): said so, never that it may be down, for that advice starts a second copy.
 */
export function silentHostsNote(index: FleetIndex, hosts: readonly string[], fresh: Freshness, resources: readonly string[] = []): string {
  const silent = hosts.filter((h) => {
    const r = index.record(h);
    return r !== undefined && !isReachable(r, fresh.now, fresh.staleAfterMs);
  });
  if (silent.length === 0) return '';
  const up = silent.map((h) => [h, liveLinkTo(index, resources, h, fresh)] as const).filter((x): x is readonly [string, LiveLink] => x[1] !== null);
  const unknown = silent.filter((h) => !up.some(([u]) => u === h));
  const alive = up.map(([h, l]) => `; ${h} is unreachable but up: ${l.witness}'s DRBD ${l.resource} is connected to it now and sees it ${l.role}, so only its agent is silent and its part is no dead Dom0's last report: both copies may be writing; shut down the one that must not run (one started by hand beside ${h}), then see to ${h}'s agent`);
  if (unknown.length === 0) return alive.join('');
  const them = unknown.join(' and ');
  const one = unknown.length === 1;
  return `${alive.join('')}; ${them} ${one ? 'is' : 'are'} unreachable, so ${one ? 'its part rests on its' : 'their part rests on their'} last report: if ${one ? 'it is' : 'they are'} down (check ${one ? 'its' : 'their'} console), that copy is gone too and this clears when ${one ? 'it reports' : 'they report'} again; a Dom0 gone for good: \`xenherd-controller revoke HOST\``;
}
