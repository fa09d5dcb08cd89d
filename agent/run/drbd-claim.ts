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
  // on disk first: an agent that dies between the promotion and xl create leaves the resources
  // Primary with nothing running, which the next one would defer as "something else holds it"
  // for ever; it reads this record at start and gives them back (run/agent-core.ts)
  if (e.promote.length > 0) {
    try {
      p.intents.write({ name: e.name, pid: e.pid, configPath: e.configPath, at: new Date(p.clock.now()).toISOString(), claimed: [...e.promote] });
    } catch (err) {
      return { t: 'claimed', name: e.name, promoted, views: new Map(), problem: `cannot record the claim in the state dir, so nothing was promoted: ${String(err)}` };
    }
  }
  for (const r of e.promote) {
    const out = await drbd.primary(r);
    // a refusal leaves it Secondary, but a timeout may have come after DRBD promoted it: given back
    // with the others (a Secondary one is given back as a no-op)
    if (!out.ok) return { t: 'claimed', name: e.name, promoted: [...promoted, r], views: new Map(), problem: `drbdadm primary ${r}: ${out.error.message}` };
    promoted.push(r);
  }
  const read = await pollDrbd(p, e.check);
  const first = read.problems[0];
  return { t: 'claimed', name: e.name, promoted, views: read.views, problem: first ? `drbdadm status ${first.resource}: ${first.message}` : null };
}

/**
 * `drbdadm secondary` of each resource, then the start record goes; the failures, for the log (the
 * resource then stays Primary; DRBD refuses while a domain holds the device open, so a domU
 * running on it is never touched).
 */
export async function runRelease(p: AgentPorts, e: Extract<Effect, { e: 'release' }>): Promise<string[]> {
  const drbd = drbdAdapterFor(p);
  const problems: string[] = [];
  for (const r of e.resources) {
    const out = await drbd.secondary(r);
    if (!out.ok) problems.push(`drbdadm secondary ${r}: ${out.error.message}`);
  }
  // kept while one stays Primary: an agent started after this one gives it back then
  if (problems.length === 0) p.intents.remove(e.name);
  return problems;
}
