import type { HostBlock } from '../../shared/protocol/ctl-jobs.js';
import { targetBlock } from './eligibility.js';
import type { PlanFacts } from './facts.js';
import { hostWhy } from './leftover-text.js';

/** The most domUs a home's group names; the count says how many there are. */
const NAMED_UP_TO = 5;

/** domUs running on an online Dom0 whose home takes none now, by home */
export interface ClosedHome {
  readonly home: string;
  readonly why: HostBlock;
  readonly names: readonly string[];
}

/**
 * The domUs away from a home that takes no domUs now (in maintenance, restoring, unheard), which a
 * rebalance leaves where they are: it moves domUs among the Dom0s taking them. After a roll stopped
 * half-way, "the fleet is balanced" alone read as if every domU were home while a dozen waited for
 * a restore. By home, names sorted.
 */
export function closedHomes(facts: PlanFacts): ClosedHome[] {
  const byHome = new Map<string, string[]>();
  const whyOf = new Map<string, HostBlock | null>();
  for (const h of facts.hostNames()) {
    if (targetBlock(facts.host(h)) !== null) continue;
    for (const d of facts.domusOn(h)) {
      if (d.home === null || d.home === h) continue;
      let why = whyOf.get(d.home);
      if (why === undefined) whyOf.set(d.home, (why = targetBlock(facts.host(d.home))));
      if (why === null) continue;
      byHome.set(d.home, [...(byHome.get(d.home) ?? []), d.name]);
    }
  }
  return [...byHome]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([home, names]) => ({ home, why: whyOf.get(home) ?? 'unreachable', names: [...names].sort() }));
}

/** What brings a home's domUs back, for the sentence below. */
function whatBringsThem(c: ClosedHome): string {
  if (c.why === 'maintenance' || c.why === 'draining') return `\`xenherdctl restore ${c.home}\` brings them home`;
  if (c.why === 'restoring') return 'its restore is bringing them home';
  return `\`xenherdctl restore ${c.home}\` once it is back brings them home`;
}

/** "; N domU(s) stay away from homes that take none now: …", or '' when there are none. */
export function closedHomesWords(closed: readonly ClosedHome[]): string {
  if (closed.length === 0) return '';
  const count = closed.reduce((n, c) => n + c.names.length, 0);
  const each = closed.map((c) => {
    const named = c.names.slice(0, NAMED_UP_TO).join(', ');
    const more = c.names.length > NAMED_UP_TO ? ` and ${c.names.length - NAMED_UP_TO} more` : '';
    return `${hostWhy(c.home, c.why)}: ${c.names.length} (${named}${more}), ${whatBringsThem(c)}`;
  });
  return `; ${count} domU(s) stay away from homes that take none now, which a rebalance does not move: ${each.join('; ')}`;
}
