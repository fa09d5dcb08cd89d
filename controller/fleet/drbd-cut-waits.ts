import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import { andList as and } from '../../shared/text/and-list.js';
import type { LostPrimary } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import { hostList } from './finding.js';
import { isReachable, type Freshness } from './host-record.js';
import { lostPrimaryText } from './lost-primary.js';
import { downWithUnreportedResourceText, type DownWithUnreported } from './down-with-unreported.js';
import { nameOrder } from '../../shared/name-order.js';
import { usersRunningOn } from './resource-users.js';

/**
 * What the cut links of one Dom0's report of a resource wait for. DRBD 9 may have several peers
 * cut at once (a three-node resource whose two other Dom0s are dead): each unheard one is said,
 * with what may be down with it, as `xenherdctl drbd`'s flags say each side.
 */
export interface CutWaits {
  /** the text after the side's bad states: where to look */
  readonly hint: string;
  /** lost-primary and may-be-down words, one per unheard Dom0 they concern ('' when none) */
  readonly words: readonly string[];
  /** every cut link goes to a Dom0 nobody hears from: the line follows from that Dom0's own */
  readonly onlyWaits: boolean;
  /** the unheard Dom0 the line waits for, when one is: the one whose domUs may be down, else the only one */
  readonly waitsFor?: string;
  /** every cut link goes to one of several unheard Dom0s and no words name one of them (so no waitsFor): all of them, in name order */
  readonly waitsForAll?: readonly string[];
  /** with waitsFor: the domUs down with it if it is down */
  readonly mayBeDown?: readonly string[];
  /** the unheard Dom0s that held the resource Primary when last heard, for each one's own line */
  readonly lostPrimaries: readonly LostPrimary[];
}

const heard = (index: FleetIndex, fresh: Freshness, h: string): boolean => {
  const r = index.record(h);
  return r !== undefined && r.state !== null && isReachable(r, fresh.now, fresh.staleAfterMs);
};

/**
 * Something heard now writes RES: a peer HOST's DRBD is connected to is Primary, or a Dom0 RES
 * names as a peer reports it Primary itself. Then no Dom0 unheard took its Primary along.
 */
function writtenNow(index: FleetIndex, fresh: Freshness, res: LinkDrbdResource): boolean {
  return res.peers.some((p) => (p.connection === 'Connected' && p.role === 'Primary') || (heard(index, fresh, p.name) && index.record(p.name)?.state?.drbd.resources.some((o) => o.name === res.name && o.role === 'Primary') === true));
}

/** Where to look for links HOST reports cut to CUTHOSTS (the fleet's Dom0s at their other end; none: not known). */
function cutHint(index: FleetIndex, fresh: Freshness, name: string, unheard: readonly string[], reporting: readonly string[]): string {
  const on = unheard.length + reporting.length <= 1 ? 'both' : 'each';
  const status = `drbdadm status ${name} on ${on}`;
  if (unheard.length + reporting.length === 0) return `: replication is down; look at the peer's Dom0 (is it up, is ${name} up there?) and the network between them: ${status}`;
  const dom0s = (hs: readonly string[]): string => `${hs.length === 1 ? 'Dom0' : 'Dom0s'} ${hostList(index, hs, fresh)}`;
  if (reporting.length === 0) return `: replication is down, waiting for its peer ${dom0s(unheard)}: see to ${and(unheard)} first (${unheard.length === 1 ? 'is it' : 'are they'} up?), then to ${name} there and the network between them: ${status}`;
  const real = `: replication is down while its peer ${dom0s(reporting)} ${reporting.length === 1 ? 'is' : 'are'} up and reporting: is ${name} up there, and the network between them? ${status}`;
  return unheard.length === 0 ? real : `${real}; it waits for ${dom0s(unheard)} too: see to ${unheard.length === 1 ? 'it (is it' : 'them (are they'} up?)`;
}

/**
 * What HOST's report RES, cut off from CUTHOSTS, waits for and what that means. An unheard Dom0
 * that held RES Primary when last heard took the writes along (lost-primary.ts); one not heard since
 * the controller started may have taken domUs down (DOWNS, down-with-unreported.ts).
 */
export function cutWaits(index: FleetIndex, fresh: Freshness, host: string, res: LinkDrbdResource, cutHosts: readonly string[], downs: ReadonlyMap<string, DownWithUnreported>): CutWaits {
  const unheard = cutHosts.filter((h) => !heard(index, fresh, h)).sort(nameOrder);
  const reporting = cutHosts.filter((h) => heard(index, fresh, h)).sort(nameOrder);
  const hint = cutHint(index, fresh, res.name, unheard, reporting);
  const written = writtenNow(index, fresh, res);
  const words: string[] = [];
  const lostPrimaries: LostPrimary[] = [];
  const downsOf = new Map<string, readonly string[]>();
  for (const h of unheard) {
    const lost = written ? null : lostPrimaryText(index, fresh, [host], res, h);
    if (lost !== null) {
      words.push(lost);
      const domus = usersRunningOn(index, res.name, h);
      lostPrimaries.push({ host: h, resource: res.name, domus, heardOn: host });
      downsOf.set(h, domus);
      continue;
    }
    const d = downs.get(h);
    const down = d === undefined ? null : downWithUnreportedResourceText(d, res.name, host);
    if (down === null || d === undefined) continue;
    words.push(down);
    downsOf.set(h, d.domusOf.get(res.name) ?? []);
  }
  const onlyWaits = unheard.length > 0 && reporting.length === 0;
  const waitsFor = !onlyWaits ? undefined : ([...downsOf.keys()][0] ?? (unheard.length === 1 ? unheard[0] : undefined));
  const mayBeDown = waitsFor === undefined ? undefined : downsOf.get(waitsFor);
  // the line clears once they are all back: xenherdctl says such lines once per set of Dom0s, as it does per Dom0
  const waitsForAll = onlyWaits && waitsFor === undefined && unheard.length > 1 ? unheard : undefined;
  return { hint, words, onlyWaits, lostPrimaries, ...(waitsFor === undefined ? {} : { waitsFor }), ...(waitsForAll === undefined ? {} : { waitsForAll }), ...(mayBeDown === undefined ? {} : { mayBeDown }) };
}
