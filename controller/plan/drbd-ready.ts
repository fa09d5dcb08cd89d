import { drbdNotReady, readinessOfLink } from '../../shared/drbd-readiness.js';
import type { Blocker } from '../../shared/protocol/ctl-jobs.js';
import type { FactDomu, PlanFacts } from './facts.js';

export type DrbdNotReady = Extract<Blocker, { kind: 'drbd-not-ready' }>;

/**
 * Why moving D from FROM to TO would put it on a DRBD pair that is not in step; null when every
 * resource of it is ready as FROM and TO report it. The agent's preflight refuses such a live
 * migration (and a cold start there would run on a stale replica), so a plan must not list it.
 * Each side is judged by its own report, against the other side: a split brain may show only on
 * one. A resource neither reports (a domU neither guards nor holds a standby replica of, or agents
 * older than standby reports) is left to the agent's preflight.
 */
export function drbdBlock(facts: PlanFacts, d: FactDomu, from: string, to: string): DrbdNotReady | null {
  for (const resource of d.resources) {
    for (const [host, other, side] of [[from, to, 'source'], [to, from, 'target']] as const) {
      const seen = facts.drbd(host, resource);
      if (seen === undefined) continue;
      const why = drbdNotReady(host, other, readinessOfLink(seen), side, d.replicaUnion);
      if (why !== null) return { kind: 'drbd-not-ready', resource, host, target: to, state: why.state, clearsUp: why.clearsUp, detail: why.text };
    }
  }
  return null;
}
