import type { Effect } from '../core/effects.js';
import type { AgentEvent } from '../core/events.js';
import type { AgentPorts } from './ports.js';
import { drbdAdapterFor, pollDrbd } from './read-host.js';

/**
 * The DRBD side of a start (core/claims.ts decides on what it learns): the resources taken
 * Primary one by one, stopping at the first refusal, then every one read again. DRBD makes a
 * promotion a state change both nodes agree on, so a peer that promoted at the same moment is
 * Primary in that second read on at least one of the two hosts.
 */
export async function runClaim(p: AgentPorts, e: Extract<Effect, { e: 'claim' }>): Promise<Extract<AgentEvent, { t: 'claimed' }>> {
  const drbd = drbdAdapterFor(p);
  const promoted: string[] = [];
  for (const r of e.promote) {
    const out = await drbd.primary(r);
    if (!out.ok) return { t: 'claimed', name: e.name, promoted, views: new Map(), problem: `drbdadm primary ${r}: ${out.error.message}` };
    promoted.push(r);
  }
  const read = await pollDrbd(p, e.check);
  const first = read.problems[0];
  return { t: 'claimed', name: e.name, promoted, views: read.views, problem: first ? `drbdadm status ${first.resource}: ${first.message}` : null };
}

/** `drbdadm secondary` of each resource; the failures, for the log (the resource then stays Primary). */
export async function runRelease(p: AgentPorts, e: Extract<Effect, { e: 'release' }>): Promise<string[]> {
  const drbd = drbdAdapterFor(p);
  const problems: string[] = [];
  for (const r of e.resources) {
    const out = await drbd.secondary(r);
    if (!out.ok) problems.push(`drbdadm secondary ${r}: ${out.error.message}`);
  }
  return problems;
}
