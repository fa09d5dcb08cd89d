import type { Move } from '../../shared/protocol/ctl-jobs.js';
import { blockCutAtBothEnds, drbdBlock } from '../plan/drbd-ready.js';
import { leftover, waitsOnCutLink } from '../plan/leftover-text.js';
import type { PlanFacts } from '../plan/facts.js';
import type { MoveContext } from './move-context.js';

/** How often the reports are looked at while a move waits for its pair. */
const LOOK_EVERY_MS = 1_000;

/**
 * Why MOVE cannot be tried again now, as the reports show it, whether that clears up by itself,
 * and whether it is its DRBD link both ends report cut (given CUT_LINK_SETTLE_MS, not minutes); null when it can.
 */
export function pairNotReady(facts: PlanFacts, move: Move): { readonly text: string; readonly clearsUp: boolean; readonly cut: boolean } | null {
  const target = facts.host(move.to);
  if (target === undefined || !target.reachable) return { text: `${move.to} does not answer (its agent is unreachable)`, clearsUp: true, cut: false };
  const d = facts.domu(move.name);
  const block = d === undefined ? null : drbdBlock(facts, d, move.from, move.to);
  return block === null ? null : { text: block.detail, clearsUp: block.clearsUp, cut: waitsOnCutLink(leftover(move.name, move.from, block)) && blockCutAtBothEnds(facts, move.from, block) };
}

/**
 * Before another attempt of MOVE: its target answers and its DRBD pair is in step, as the reports
 * show. A target that went away mid-move (a reboot, a power loss) and the pair reconnecting and
 * resyncing after it are what a drain waits for before a move starts (up to transientWaitMs);
 * an attempt made at once would only meet the agent's preflight refusing it, and end the move.
 * Waiting ends when the pair is ready, when it needs a person (a split brain: the attempt's
 * refusal then says why), when transientWaitMs has passed, or when the job stops.
 */
export async function waitForPair(ctx: MoveContext, move: Move, attempt: number): Promise<void> {
  const start = ctx.port.clock.now();
  let said = '';
  let cutSince: number | null = null;
  // a source drains one move at a time by default: a move that held its slot while its target
  // was powered off kept every other domU of the drain waiting, those with healthy targets too
  let takeBack: (() => Promise<void>) | null = null;
  try {
    for (;;) {
      if (ctx.stopping() || ctx.aborted()) return;
      const why = pairNotReady(ctx.port.facts(), move);
      const now = ctx.port.clock.now();
      cutSince = why?.cut === true ? (cutSince ?? now) : null;
      // a link both ends report cut comes back with the network: the next attempt's refusal says so, minutes earlier
      if (cutSince !== null && now - cutSince >= ctx.settings.cutLinkSettleMs) return;
      if (why === null || !why.clearsUp || now - start >= ctx.settings.transientWaitMs) return;
      const upTo = why.cut ? `${Math.round(ctx.settings.cutLinkSettleMs / 1000)} s, both ends report the link cut` : `${Math.round(ctx.settings.transientWaitMs / 60_000)} min`;
      if (`${upTo}${why.text}` !== said) ctx.report(move, 'retrying', attempt, `waiting before attempt ${attempt + 1} (up to ${upTo}): ${why.text}`);
      said = `${upTo}${why.text}`;
      takeBack ??= ctx.stepAside?.() ?? null;
      await ctx.port.clock.sleep(LOOK_EVERY_MS);
    }
  } finally {
    if (takeBack !== null) await takeBack();
  }
}
