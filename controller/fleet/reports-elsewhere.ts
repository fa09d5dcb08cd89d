import { CLOSE, FAILBACK_REASON } from '../../shared/link/link.js';
import { reportsElsewhereText } from '../../shared/text/utc-time.js';
import type { HostRecord } from './host-record.js';

/**
 * A Dom0 whose agent left this controller for another: it closed its link saying it goes back to
 * the primary, as an agent on a standby does once the primary answers again. It is not lost (its
 * agent reports, elsewhere), so no CRITICAL for it; and what it last reported here is no word on
 * what runs there now: the primary moves domUs on, and the next Dom0 to report here again (after
 * another failover) would otherwise show a domU beside its old row on this one, a running-on-two-
 * hosts alert for the moment until this Dom0 reports too. So its running rows, DRBD roles and
 * unsettled migrations are dropped when it leaves, its homes and configs kept (they say what it
 * holds, not what runs), and `where` names it as a place this controller does not hear.
 */

/** When R's agent closed its link to go back to the primary (this controller's clock), while that link is still down; else null. */
export function reportsElsewhereSince(r: HostRecord): number | null {
  const c = r.linkClosed;
  if (r.linkUp || c === undefined) return null;
  return c.code === CLOSE.goingAway && c.reason === FAILBACK_REASON ? c.at : null;
}

/** R as kept once its agent went to another controller: what it ran, its DRBD roles and its unsettled migrations dropped; R itself otherwise. */
export function leftForElsewhere(r: HostRecord): HostRecord {
  if (reportsElsewhereSince(r) === null || r.state === null) return r;
  const { agentDomains: _kept, ...rest } = r;
  const { unsettled: _unsettled, ...ledger } = r.state.ledger;
  return { ...rest, state: { ...r.state, domains: [], drbd: { ...r.state.drbd, resources: [] }, ledger } };
}

/** "xen1 reports to another controller since 15:57:15 UTC" */
export const reportsElsewhereWords = (host: string, at: number): string => `${host} ${reportsElsewhereText(at)}`;
