import type { FleetIndex } from './fleet-index.js';
import { ageOf, isReachable, type Freshness, type HostRecord } from './host-record.js';
import { byKeyName, nameOrder } from '../../shared/name-order.js';
import { viewNotCurrent } from './view-not-current.js';
import { reportsElsewhereSince } from './reports-elsewhere.js';
import { reportsElsewhereText } from '../../shared/text/utc-time.js';
import { spanText } from '../../shared/text/span-text.js';

/**
 * Where a domU no host reports running may still run unseen: on a Dom0 that could run it (one its
 * DRBD resources name in any config of it the fleet reports, one claiming it as home or guarding
 * it, one a ledger sends it to) whose word the controller lacks: enrolled and not reported since
 * the controller started, unreachable (its last report is no proof of what runs there now), or
 * unable to list its domains. A Dom0 outside the fleet does not count: revoked, it was declared
 * gone (conflicts.ts says what that leaves). When no config says which Dom0s hold its disks, any
 * Dom0 unheard could. Without this, a controller just
 * restarted calls a domU that runs on a Dom0 not yet reported "running nowhere", and advice to
 * start it elsewhere starts a second copy. Each entry is "HOST (why)"; empty: every such Dom0 is heard.
 */
export function unseenPlaces(index: FleetIndex, name: string, fresh: Freshness): string[] {
  const out = unseenByHost(index, name, fresh);
  return [...out].sort(([a], [b]) => nameOrder(a, b)).map(([, entry]) => entry);
}

/**
 * Whether NAME is not seen running only for want of Dom0s not heard from since the controller
 * started (and at least one such): within the start-up grace the one WARNING about those Dom0s
 * speaks for it (fleet-check.ts), as they are most likely still reconnecting.
 */
export function unseenOnlyUnreported(index: FleetIndex, name: string, fresh: Freshness): boolean {
  const hosts = [...unseenByHost(index, name, fresh).keys()];
  return hosts.length > 0 && hosts.every((h) => neverHeard(index.record(h)));
}

const neverHeard = (r: HostRecord | undefined): boolean => r !== undefined && r.state === null && r.lastSeen === null;

/** unseenPlaces' entries by host */
function unseenByHost(index: FleetIndex, name: string, fresh: Freshness): Map<string, string> {
  const out = new Map<string, string>();
  // a target two homes' ledgers share is said of the first home by name, not of the last the index met
  for (const [home, rec] of byKeyName(index.away.get(name) ?? [])) {
    const r = index.record(rec.currentHost);
    const why = r === undefined || out.has(rec.currentHost) ? null : unheard(r, fresh);
    if (why !== null) out.set(rec.currentHost, `${rec.currentHost} (${home}'s ledger sends ${name} there; ${why})`);
  }
  const { hosts, disksNamed } = holdersOf(index, name);
  const candidates = disksNamed ? [...hosts] : [...index.hostRecords()].map((r) => r.host);
  for (const h of candidates) {
    const r = index.record(h);
    const why = r === undefined || out.has(h) ? null : unheard(r, fresh);
    if (why !== null) out.set(h, `${h} (${why})`);
  }
  return out;
}

/** Why the controller does not know what runs on R now; null when it does. */
function unheard(r: HostRecord, fresh: Freshness): string | null {
  if (neverHeard(r)) return 'not heard from since the controller started';
  const elsewhere = reportsElsewhereSince(r);
  if (elsewhere !== null) return `${reportsElsewhereText(elsewhere)}: not known here`;
  if (r.state === null || !isReachable(r, fresh.now, fresh.staleAfterMs)) {
    const age = ageOf(r, fresh.now);
    return `unreachable, last heard ${age === null ? 'never' : `${spanText(age)} ago`}`;
  }
  return viewNotCurrent(r) ? 'its agent cannot list its domains now' : null;
}

/** The Dom0s that hold something NAME runs from, as the reports say: its configs' DRBD hosts, its home claims and guards; disksNamed: some config names its disks' hosts. */
function holdersOf(index: FleetIndex, name: string): { hosts: Set<string>; disksNamed: boolean } {
  const hosts = new Set<string>();
  let disksNamed = false;
  const knowers = [index.homes.get(name), index.guarded.get(name), index.away.get(name), index.visitors.get(name)];
  for (const m of knowers) for (const h of m?.keys() ?? []) hosts.add(h);
  for (const h of [...hosts]) {
    for (const c of index.record(h)?.state?.domus ?? []) {
      if (c.name !== name) continue;
      for (const res of c.resources) {
        if (res.hosts.length > 0) disksNamed = true;
        for (const x of res.hosts) hosts.add(x);
      }
    }
    const peer = index.homes.get(name)?.get(h)?.peer;
    if (peer !== null && peer !== undefined) hosts.add(peer);
  }
  return { hosts, disksNamed };
}
