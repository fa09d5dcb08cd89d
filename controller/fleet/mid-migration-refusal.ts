import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { spanText } from '../../shared/text/span-text.js';
import type { FleetIndex } from './fleet-index.js';
import { hostList } from './finding.js';
import { noDisksThere } from './foreign-halves.js';
import { halfBound, halfOutlived, halfStoodMs } from './half-standing.js';
import { isCurrent, type Freshness } from './host-record.js';
import { nameOrder } from '../../shared/name-order.js';

/** One row of NAME a host reports. */
export interface HostRow {
  readonly host: string;
  readonly d: LinkDomain;
}

/** What the fleet shows of NAME's migration halves: each row as shown, and, when no migration explains a half any more, why and where to look. */
interface HalvesJudged {
  readonly shown: string;
  readonly unexplained: { readonly why: string; readonly hosts: readonly string[] } | null;
}

/**
 * NAME's rows (ROWS: every row of NAME, each with its host) judged: each half with the host it
 * stands on and for how long, and whether a migration may still explain it. Once a half has
 * outlived any migration (half-standing.ts), or stands where NAME's disks are not
 * (foreign-halves.ts), waiting will not end it. JUDGED: the hosts whose halves are judged (the
 * others are only shown).
 */
function judgeHalves(index: FleetIndex, name: string, rows: readonly HostRow[], fresh: Freshness, judged: (host: string) => boolean = () => true): HalvesJudged {
  const stood = [...rows].sort((a, b) => nameOrder(a.host, b.host)).map((x) => ({ ...x, ms: x.d.migration === null ? null : halfStoodMs(index.record(x.host), x.d, fresh.now) }));
  const shown = stood.map((x) => (x.ms === null ? `${x.d.name} on ${x.host}` : `${x.d.name} on ${x.host} for ${spanText(x.ms)}`)).join(', ');
  const why: string[] = [];
  const hosts = new Set<string>();
  for (const x of stood) {
    if (x.d.migration === null || !judged(x.host)) continue;
    const at = hostList(index, [x.host], fresh);
    const foreign = noDisksThere(index, name, x.host, fresh);
    if (foreign !== null) why.push(`${x.d.name} stands on ${at}, which holds no replica of ${name}'s disks (${foreign.resource} is on ${foreign.hosts.join(' and ')}, as ${foreign.by}'s config says): no migration of ${name} runs there`);
    else if (x.ms !== null && halfOutlived(index.record(x.host), x.d, x.ms)) why.push(`${x.d.name} has stood on ${at} for ${spanText(x.ms)}, longer than ${halfBound(x.d)}`);
    else continue;
    hosts.add(x.host);
  }
  return { shown, unexplained: why.length === 0 ? null : { why: why.join('; '), hosts: [...hosts].sort(nameOrder) } };
}

const unexplainedText = (name: string, shown: string, why: string): string => `${name} shows a migration half no migration explains any more (${shown}): ${why}, so waiting will not end it`;
const checkText = (name: string, hosts: readonly string[]): string =>
  `Check ${hosts.join(' and ')} by hand (xenherd-agent status ${name} there; xl list): xenherdctl status says what the fleet shows of it (migration-stranded)`;

/**
 * Why a migrate or a reverse of NAME is refused while the fleet shows a migration half of it
 * (ROWS: every row of NAME; route.ts). "Wait for it to finish" while a migration may still be
 * running; once no migration explains a half (judgeHalves), what to look at instead.
 */
export function midMigrationRefusal(index: FleetIndex, name: string, rows: readonly HostRow[], fresh: Freshness): string {
  const { shown, unexplained } = judgeHalves(index, name, rows, fresh);
  if (unexplained === null) return `${name} is being migrated right now (${shown}): wait for it to finish`;
  return `${unexplainedText(name, shown, unexplained.why)}; nothing was sent. ${checkText(name, unexplained.hosts)}`;
}

/**
 * The same judgement for a plan (drain, restore, rebalance, roll), which leaves NAME alone while a
 * half of it stands: null while a migration may still explain every half (the plan waits for it),
 * else the sentence its leftover says, for waiting will not end it. Only a half on a host whose
 * report is current is judged (as a plan judges a sender's half for its ALARM): a host behind may
 * show a half its toolstack has already ended.
 */
export function unexplainedHalves(index: FleetIndex, name: string, rows: readonly HostRow[], fresh: Freshness): string | null {
  const current = (h: string): boolean => {
    const r = index.record(h);
    return r !== undefined && isCurrent(r, fresh.now, fresh.staleAfterMs);
  };
  const { shown, unexplained } = judgeHalves(index, name, rows, fresh, current);
  return unexplained === null ? null : `${unexplainedText(name, shown, unexplained.why)}. ${checkText(name, unexplained.hosts)}`;
}
