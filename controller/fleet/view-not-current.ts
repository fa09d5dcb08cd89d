import { spanText } from '../../shared/text/span-text.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import type { CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import { isLive } from './live-row.js';
import { isReachable, type Freshness, type HostRecord } from './host-record.js';
import { andList } from '../../shared/text/and-list.js';

/**
 * How long a reachable host's agent may say its view of its domains is behind or unknown before
 * check says so. The agent gives up on one `xl list` after 15 s and says "unknown" at once, and it
 * says "behind" after 2 s of a domain change not read back (a busy toolstack mid-migration takes
 * seconds): a minute is four such reads, past any one slow read, yet a hung toolstack is said
 * long before a deferred start would be (5 min).
 */
export const VIEW_NOT_CURRENT_GRACE_MS = 60_000;

/** At most this many of a host's domUs are named on its line; the rest are counted. */
const NAMED_DOMUS = 5;

/** The domUs HOST defers the start of because it cannot list its domains: whether they run there is what is unknown. */
export const deferredForDomainsUnknown = (r: HostRecord): string[] =>
  (r.state?.guarded ?? []).filter((g) => g.decision === 'defer' && g.reason === 'domains-unknown').map((g) => g.name);

/** Whether R's agent says its view of its domains is not current (behind or unknown). */
export const viewNotCurrent = (r: HostRecord): boolean => (r.viewLag ?? null) !== null;

/** "web1", "web1 and web2", "web1, web2, ... and 7 more" */
function named(names: readonly string[]): string {
  if (names.length > NAMED_DOMUS) return `${names.slice(0, NAMED_DOMUS).join(', ')} and ${names.length - NAMED_DOMUS} more`;
  return andList(names);
}

/** Whether a host other than HOST reports a live, plain (not migrating) row of NAME: then it runs there, wherever else it may. */
const runsElsewhere = (index: FleetIndex, name: string, host: string): boolean =>
  [...(index.running.get(name) ?? [])].some(([h, rows]) => h !== host && rows.some((d) => d.migration === null && isLive(d)));

/**
 * A reachable host whose agent has said for more than VIEW_NOT_CURRENT_GRACE_MS that it cannot
 * read its domains (`xl list` fails or hangs), or that its reading is behind, is a WARNING: what
 * the controller holds of it is old (the rows it read before: blind-rows.ts), so `where` and the other checks cannot say what runs
 * there. Its domUs deferred for that reason are named here: the agent does not know whether they
 * run, and neither does anyone else (deferredDomus leaves them to this line).
 */
export function viewsNotCurrent(index: FleetIndex, fresh: Freshness): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const r of index.hostRecords()) {
    const lag = r.viewLag ?? null;
    if (lag === null || fresh.now - lag.since <= VIEW_NOT_CURRENT_GRACE_MS || !isReachable(r, fresh.now, fresh.staleAfterMs)) continue;
    const since = `since ${utcMinuteText(lag.since)} (${spanText(fresh.now - lag.since)})`;
    const fix = `look at xl and xenstored on ${r.host}: does \`xl list\` answer there?`;
    const deferred = deferredForDomainsUnknown(r).filter((n) => !runsElsewhere(index, n, r.host));
    const which = deferred.length === 0 ? '' : ` (whether ${named(deferred)} ${deferred.length === 1 ? 'runs' : 'run'} there is unknown: its agent defers ${deferred.length === 1 ? 'its start' : 'their starts'} until it can tell)`;
    if (lag.view === 'unknown') {
      out.push({ status: 'WARNING', kind: 'view-not-current', subject: r.host, short: `${r.host} cannot list its domains`, text: `${r.host}: its agent cannot read its domains (xl list) ${since}: what runs there is unknown${which}; ${fix}` });
    } else {
      out.push({ status: 'WARNING', kind: 'view-not-current', subject: r.host, short: `${r.host}: xl list behind`, text: `${r.host}: its agent's view of its domains is behind ${since}: a domain change there is not read back by xl list, so what runs there may have changed; ${fix}` });
    }
  }
  return out;
}
