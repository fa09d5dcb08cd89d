import type { HostBlock, PlanOf } from '../../shared/protocol/ctl-jobs.js';
import { targetBlock } from './eligibility.js';
import type { FactDomu, PlanFacts } from './facts.js';
import { hostWhy } from './leftover-text.js';

/** The most domUs a home's group names; the count says how many there are. */
const NAMED_UP_TO = 5;

/** domUs running on an online Dom0 whose home takes none now, by home, in words (MESSAGE) as the rebalance plan carries them */
export type ClosedHome = NonNullable<PlanOf<'rebalance'>['closedHomes']>[number];

/**
 * The domUs away from a home that takes no domUs now (in maintenance, restoring, unheard), which a
 * rebalance leaves where they are: it moves domUs among the Dom0s taking them. After a roll stopped
 * half-way, "the fleet is balanced" alone read as if every domU were home while a dozen waited for
 * a restore. By home, names sorted. RUNNING: the domUs on the Dom0s that take domUs now, as the
 * rebalance planner has already gathered them (read again here, they were a second pass over a
 * fleet of 40,000 domUs in one slice of its planning).
 */
export function closedHomes(facts: PlanFacts, running: readonly { readonly d: FactDomu; readonly h: string }[]): ClosedHome[] {
  const byHome = new Map<string, string[]>();
  const whyOf = new Map<string, HostBlock | null>();
  for (const { d, h } of running) {
    if (d.home === null || d.home === h) continue;
    let why = whyOf.get(d.home);
    if (why === undefined) whyOf.set(d.home, (why = targetBlock(facts.host(d.home))));
    if (why === null) continue;
    const names = byHome.get(d.home);
    if (names === undefined) byHome.set(d.home, [d.name]);
    else names.push(d.name);
  }
  return [...byHome]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([home, names]) => closedHome(home, whyOf.get(home) ?? 'unreachable', names.sort()));
}

/** What brings a home's domUs back, for the sentence below. */
function whatBringsThem(home: string, why: HostBlock): string {
  if (why === 'maintenance' || why === 'draining') return `\`xenherdctl restore ${home}\` brings them home`;
  if (why === 'restoring') return 'its restore is bringing them home';
  return `\`xenherdctl restore ${home}\` once it is back brings them home`;
}

/** HOME's group in words: "xen1 is in maintenance: 3 (a1, a2, b1), `xenherdctl restore xen1` brings them home". */
export function closedHome(home: string, why: HostBlock, names: readonly string[]): ClosedHome {
  const named = names.slice(0, NAMED_UP_TO).join(', ');
  const more = names.length > NAMED_UP_TO ? ` and ${names.length - NAMED_UP_TO} more` : '';
  return { home, why, names: [...names], message: `${hostWhy(home, why)}: ${names.length} (${named}${more}), ${whatBringsThem(home, why)}` };
}

/** "; N domU(s) stay away from homes that take none now: …", or '' when there are none. */
export function closedHomesWords(closed: readonly ClosedHome[]): string {
  if (closed.length === 0) return '';
  const count = closed.reduce((n, c) => n + c.names.length, 0);
  return `; ${count} domU(s) stay away from homes that take none now, which a rebalance does not move: ${closed.map((c) => c.message).join('; ')}`;
}
