import type { InspectReport } from '../../shared/protocol/agent-link.js';
import { CAPABILITY } from '../../shared/protocol/agent-link.js';
import type { Move } from '../../shared/protocol/ctl-jobs.js';
import { isoOnControllerClock, isReachable } from '../fleet/host-record.js';
import { settleMigration, settleWithoutSource, sourceTold, type SettleVerdict, type SourceHeard } from '../plan/settle.js';
import type { MoveContext } from './move-context.js';
import { lostSourceWords } from '../plan/lost-host.js';
import { ask } from './port.js';
import { unsettledMessage, type UnsettledMigration } from '../fleet/unsettled.js';

/**
 * Settles where a domU is after an ambiguous ending, before anything else is done to it: both
 * agents are asked (`inspect`: fresh xl list and DRBD roles) until the answer is not "still
 * moving", or the settle timeout, a job cancel or --timeout ends it as unsettled; an ALARM an agent
 * reported (its ledger's unsettled record) is final at once. An agent that does not offer inspect is
 * read from its next full report after the ending instead. A source that stays silent (its link to
 * the controller down: the migration between the Dom0s goes on without it) is not waited for once
 * the target shows the domU arrived after it was last heard, and that the source's agent told it the
 * move is done (plan/settle.ts settleWithoutSource): then `unheard` names it; its own ledger has
 * recorded the move, which its next report shows.
 */
export async function settleMove(ctx: MoveContext, move: Move, attempt: number): Promise<SettleOutcome> {
  const endedAt = ctx.port.clock.now();
  const deadline = endedAt + ctx.settings.settleTimeoutMs;
  let last = 'neither agent answered';
  let reported = '';
  // the ending came from this controller's own stop (its links closing under a running command):
  // the agents go on with the move. A stop that comes while an earlier ending is being settled (an
  // agent that crashed mid-move) leaves that ending unknown, for a person: no agent may know it.
  // A lost flag ends no command: an ambiguous ending then is one of its own, as unknown as ever.
  const causedByStop = ctx.abortedWhy()?.ownStop === true;
  for (;;) {
    // an ALARM the agent reported (its ledger's unsettled record) is final: both halves stay for a person
    const alarmed = alarmOf(ctx, move);
    if (alarmed !== null) return { verdict: 'alarmed', message: alarmed };
    const [a, b] = await Promise.all([look(ctx, move.from, move.name, endedAt), look(ctx, move.to, move.name, endedAt)]);
    if (a && b) {
      const v = settleMigration(a, b);
      if (v.verdict !== 'in-flight') return v;
      last = `still moving: ${v.message}`;
    } else {
      // the source silent, the target's fresh read proves the arrival: the source is not waited for
      const v = b && !a ? settleWithoutSource(sourceHeard(ctx, move.from), b, ctx.port.record(move.to)?.arrivedAt?.[move.name], toldTarget(ctx, move)) : null;
      if (v !== null) return { ...v, unheard: move.from };
      // the source taken as gone (plan/lost-host.ts) and the target holding nothing of it: no answer is coming to wait for
      const gone = b && !a ? lostSourceWords(ctx.port.facts(), move, b) : null;
      if (gone !== null) return { verdict: 'unsettled', message: gone };
      last = `waiting for ${[a ? null : move.from, b ? null : move.to].filter(Boolean).join(' and ')} to answer`;
    }
    if (last !== reported) ctx.report(move, 'settling', attempt, last);
    reported = last;
    if (ctx.port.clock.now() >= deadline) return { verdict: 'unsettled', message: last };
    // no ending known, but none wrong either: the agents finish the move on their own
    const aborted = ctx.abortedWhy();
    if (aborted !== null) return causedByStop ? { verdict: 'unwatched', message: last } : { verdict: 'unsettled', message: `${last}; ${aborted.words}` };
    // a cancel or the job's --timeout ends the wait too: what is still moving is left for a person
    if (ctx.stopping()) return { verdict: 'unsettled', message: `${last}; the job is stopping` };
    await ctx.port.clock.sleep(ctx.settings.settleRetryMs);
  }
}

export interface SettleOutcome {
  /** unwatched: the controller's stop ended the move's command, and it stopped asking before either answer settled it */
  readonly verdict: SettleVerdict | 'unsettled' | 'alarmed' | 'unwatched';
  readonly message: string;
  /** at-target settled without the source's answer: the source's name, not heard from since before the arrival */
  readonly unheard?: string;
}


/** The target's last report shows the source's agent told it the move is done (plan/settle.ts sourceTold). */
const toldTarget = (ctx: MoveContext, move: Move): boolean =>
  sourceTold(ctx.port.record(move.to)?.state?.ledger, move.name, ctx.port.facts().domu(move.name)?.home === move.to);

/** HOST as the controller last heard it, on its clock now. */
function sourceHeard(ctx: MoveContext, host: string): SourceHeard {
  const r = ctx.port.record(host);
  return { host, reachable: r !== undefined && isReachable(r, ctx.port.clock.now(), ctx.port.staleAfterMs), lastSeen: r?.lastSeen ?? null };
}

/**
 * The unsettled records of the move's domU in the two hosts' ledgers, as the fleet view shows them,
 * worded as every other ALARM of the controller is (fleet/unsettled.ts); null: none.
 */
function alarmOf(ctx: MoveContext, move: Move): string | null {
  const us: UnsettledMigration[] = [];
  for (const host of [move.from, move.to]) {
    const u = ctx.port.record(host)?.state?.ledger.unsettled?.[move.name];
    if (u) us.push({ host, peer: u.peer, since: isoOnControllerClock(ctx.port.record(host), u.since), operationId: u.operationId, operation: u.operation });
  }
  return us.length === 0 ? null : `${unsettledMessage(move.name, us)}; both hosts are left as they are`;
}

/** One fresh look at both hosts of MOVE (reports after SINCE for an agent without inspect): where it is now; null when either did not answer. */
export async function lookOnce(ctx: MoveContext, move: Move, since: number): Promise<SettleVerdict | null> {
  const [a, b] = await Promise.all([look(ctx, move.from, move.name, since), look(ctx, move.to, move.name, since)]);
  return a && b ? settleMigration(a, b).verdict : null;
}

async function look(ctx: MoveContext, host: string, name: string, since: number): Promise<InspectReport | null> {
  const r = ctx.port.record(host);
  if (!r?.linkUp) return null;
  if (!r.capabilities.includes(CAPABILITY.inspect)) return fromView(ctx, host, name, since);
  const a = await ask(ctx.port, host, { op: 'inspect', name, by: ctx.by }, { timeoutMs: 30_000 });
  return a.outcome.ok && a.data?.kind === 'inspect' ? a.data : null;
}

/** The host's own report, if it came after the ending (an agent sends one on every xl list change). */
function fromView(ctx: MoveContext, host: string, name: string, since: number): InspectReport | null {
  const r = ctx.port.record(host);
  if (!r?.state || r.lastSeen === null || r.lastSeen <= since) return null;
  const rows = r.state.domains.filter((d) => d.baseName === name).slice(0, 4);
  const mine = new Set(r.state.domus.find((d) => d.name === name)?.resources.map((x) => x.name) ?? []);
  return { kind: 'inspect', host, name, rows, resources: r.state.drbd.resources.filter((x) => mine.has(x.name)).slice(0, 64), busy: false };
}
