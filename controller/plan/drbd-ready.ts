import { drbdNotReady, drbdSideSeen, readinessOfLink, type DrbdNotReady as NotReadyWhy } from '../../shared/drbd-readiness.js';
import type { Blocker, Leftover } from '../../shared/protocol/ctl-jobs.js';
import { cutState } from './leftover-text.js';
import type { FactDomu, PlanFacts } from './facts.js';

export type DrbdNotReady = Extract<Blocker, { kind: 'drbd-not-ready' }>;

/**
 * Why moving D from FROM to TO would put it on a DRBD pair that is not in step; null when every
 * resource of it is ready as FROM and TO report it. The agent's preflight refuses such a live
 * migration (and a cold start there would run on a stale replica), so a plan must not list it.
 * Each side is judged by its own report, against the other side: a split brain may show only on
 * one. A side a person must act on decides before one that would clear up: a link cut shows as
 * StandAlone on one end and WFConnection on the other, and the WFConnection end alone read as a
 * wait of minutes for something that never comes by itself. When both ends are out of step, the
 * sentence names both. A resource neither reports (a domU neither guards nor holds a standby
 * replica of, or agents older than standby reports) is left to the agent's preflight.
 */
export function drbdBlock(facts: PlanFacts, d: FactDomu, from: string, to: string): DrbdNotReady | null {
  for (const resource of d.resources) {
    const sides: { readonly host: string; readonly why: NotReadyWhy; readonly seen: string }[] = [];
    for (const [host, other, side] of [[from, to, 'source'], [to, from, 'target']] as const) {
      const seen = facts.drbd(host, resource);
      if (seen === undefined) continue;
      const view = readinessOfLink(seen);
      const why = drbdNotReady(host, other, view, side, d.replicaUnion);
      if (why !== null) sides.push({ host, why, seen: drbdSideSeen(host, other, view, d.replicaUnion) });
    }
    const first = sides.find((s) => !s.why.clearsUp) ?? sides[0];
    if (first === undefined) continue;
    const also = sides.find((s) => s !== first);
    // "r0 on xen1 is WFConnection (…), and r0 on xen2 is StandAlone (…): FIX", the fix the deciding side's
    const detail = also === undefined ? first.why.text : first.why.text.startsWith(first.seen) ? `${first.seen}, and ${also.seen}${first.why.text.slice(first.seen.length)}` : `${first.why.text}; ${also.seen}`;
    return { kind: 'drbd-not-ready', resource, host: first.host, target: to, state: first.why.state, clearsUp: first.why.clearsUp, detail };
  }
  return null;
}

/**
 * Whether both ends of the DRBD pair that keeps L from moving report its link cut now (each a
 * link-down word towards the other: the network between them gone, or StandAlone): a link that
 * went, not the one end's blink, nor an end not heard (that one's report may say Connected).
 */
export const cutAtBothEnds = (facts: PlanFacts, l: Leftover): boolean => l.host !== null && blockCutAtBothEnds(facts, l.host, l.blocker);

/** cutAtBothEnds for a move from FROM that blocker B keeps back. */
export function blockCutAtBothEnds(facts: PlanFacts, from: string, b: Blocker): boolean {
  if (b.kind !== 'drbd-not-ready') return false;
  return ([[from, b.target, 'source'], [b.target, from, 'target']] as const).every(([host, other, side]) => {
    const seen = facts.drbd(host, b.resource);
    const why = seen === undefined ? null : drbdNotReady(host, other, readinessOfLink(seen), side);
    return why !== null && cutState(why.state);
  });
}
