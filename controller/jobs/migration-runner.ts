import type { ErrorCode } from '../../shared/errors.js';
import type { Move } from '../../shared/protocol/ctl-jobs.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import { xenBlock } from '../plan/eligibility.js';
import { coldMove } from './cold-move.js';
import { confirmArrival } from './confirm-arrival.js';
import { keepsAlarms, keptAlarmShown, keptAsAlarm } from './kept-alarm.js';
import { AMBIGUOUS, LEFT_TO_AGENT, RETRYABLE, type MoveContext, type MoveOutcome } from './move-context.js';
import type { AgentAnswer, AgentCall } from './port.js';
import { pairNotReady, waitForPair } from './pair-wait.js';
import { settleMove } from './settle-move.js';
import { startHome } from './start-home.js';
import { afterHostNamed } from '../../shared/text/after-host-named.js';

/**
 * One move, to its end: up to maxAttempts live migrations by the source's agent, each watched
 * for progress and bounded by a deadline scaled by memory and link speed. An ambiguous ending
 * (unknown outcome, link lost, timeout) is settled by asking both agents before anything else:
 * at the target is a success, at the source may be retried, anything else is an alarm — so a
 * domU is never started twice because a failure was believed. After the last failed attempt, the
 * cold fallback if the job allows it.
 */
export async function runMove(ctx: MoveContext, move: Move): Promise<MoveOutcome> {
  // nothing runs to migrate: a start at its home (plan/start-home.ts)
  if (move.why === 'start-home') return startHome(ctx, move);
  // a move is done when the reports show it, not on the source agent's word alone
  return confirmArrival(ctx, move, await migrate(ctx, move));
}

async function migrate(ctx: MoveContext, move: Move): Promise<MoveOutcome> {
  // placed by --cold-fallback on an older Xen release: the older tools refuse the live stream, so no attempt is made
  const facts = ctx.port.facts();
  if (ctx.coldFallback && xenBlock(facts.host(move.from), facts.host(move.to)) !== null) return coldMove(ctx, move, 0);
  let last: { code: ErrorCode; message: string } = { code: 'XH_ERR_INTERNAL', message: 'no attempt made' };
  let attempt = 0;
  while (attempt < ctx.settings.maxAttempts) {
    attempt++;
    ctx.report(move, attempt === 1 ? 'started' : 'retrying', attempt, attempt === 1 ? null : `attempt ${attempt} after ${last.code}: ${last.message}`);
    const t0 = ctx.port.clock.now();
    const a = await migrateOnce(ctx, move, attempt);
    const o = a.outcome;
    if (o.ok || o.code === 'XH_ERR_MIGRATION_PARTIAL') {
      ctx.speed.observe(move.memMiB, ctx.port.clock.now() - t0);
      return { kind: 'moved', how: 'live', attempts: attempt, note: o.ok ? null : `moved, but ${o.message}` };
    }
    const code = o.code ?? 'XH_ERR_INTERNAL';
    last = { code, message: o.message };
    if (AMBIGUOUS.has(code)) {
      const answeredAt = ctx.port.clock.now();
      ctx.report(move, 'settling', attempt, `${code}: ${o.message}: asking ${move.from} and ${move.to} where ${move.name} is`);
      const v = await settleMove(ctx, move, attempt);
      // kept: its report shows the record, or its agent keeps every such ALARM and that report is yet to come
      const kept = code === 'XH_ERR_MIGRATION_UNKNOWN' && (keptAsAlarm(ctx, move) || keepsAlarms(ctx, move.from));
      // the source's ALARM stands in its ledger wherever the domU runs (a link lost mid-move leaves it at the target): its words say what was seen
      if (kept && (v.verdict === 'at-target' || v.verdict === 'alarmed')) {
        await keptAlarmShown(ctx, move, v.verdict, answeredAt);
        return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: `${move.from}'s agent: ${afterHostNamed(o.message, move.from)}` };
      }
      if (v.verdict === 'at-target') return { kind: 'moved', how: 'live', attempts: attempt, note: `settled after ${code}: it runs on ${move.to}${v.unheard === undefined ? '' : unheardNote(v.unheard, move)}` };
      if (v.verdict === 'unwatched') return { kind: 'alarm', code, message: `${LEFT_TO_AGENT} (after ${code}: ${v.message})`, unwatched: true };
      if (v.verdict === 'alarmed') return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: `after ${code}, ${move.name}: ${v.message}` };
      if (v.verdict !== 'at-source') {
        const what = v.verdict === 'both' ? 'runs on both hosts' : v.verdict === 'neither' ? 'runs on neither host' : 'could not be settled';
        return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: `after ${code}, ${move.name} ${what} (${v.message})` };
      }
      last = { code, message: `${o.message}; settled: it still runs on ${move.from}` };
    } else if (!RETRYABLE.has(code) && !(code === 'XH_ERR_REFUSED' && pairNotReady(ctx.port.facts(), move)?.clearsUp === true)) {
      // a refusal while the reports show the pair out of step in a way that clears up (the
      // preflight's DRBD check, the target gone) is worth the wait below; any other is final
      return { kind: 'failed', attempts: attempt, code, message: o.message };
    }
    if (ctx.stopping()) return { kind: 'failed', attempts: attempt, code: last.code, message: `${last.message} (not retried: the job is stopping)` };
    if (attempt < ctx.settings.maxAttempts) {
      await ctx.port.clock.sleep(ctx.settings.retryDelayMs * attempt);
      await waitForPair(ctx, move, attempt);
    }
    if (ctx.stopping()) return { kind: 'failed', attempts: attempt, code: last.code, message: `${last.message} (not retried: the job is stopping)` };
  }
  if (ctx.coldFallback && !ctx.stopping()) return coldMove(ctx, move, attempt);
  return { kind: 'failed', attempts: attempt, code: last.code, message: last.message };
}

/** Why a move settled without its source counts, and what the source's own record does when it is heard again. */
const unheardNote = (source: string, move: Move): string =>
  `, where it arrived by migration after ${source} was last heard from; ${source} has not answered, but its agent told ${move.to} the move is done: its own ledger has it, and its next report shows it (\`xenherdctl where ${move.name}\`)`;

async function migrateOnce(ctx: MoveContext, move: Move, attempt: number): Promise<AgentAnswer> {
  const budget = ctx.speed.budget(move.memMiB);
  let call: AgentCall | null = null;
  let cancelWatch = (): void => undefined;
  const stuck: CommandOutcome = {
    ok: false,
    code: 'XH_ERR_TIMEOUT',
    message: `no progress from ${move.from} for ${Math.round(budget.progressTimeoutMs / 1000)} s`,
    detail: null,
  };
  const watch = (): void => {
    cancelWatch();
    cancelWatch = ctx.port.clock.schedule(budget.progressTimeoutMs, () => call?.expire(stuck));
  };
  const reason = ctx.reason;
  const c = ctx.port.call(
    move.from,
    { op: 'migrate', name: move.name, target: move.to, reason, operationId: ctx.operationId, by: ctx.by },
    {
      timeoutMs: budget.completionMs,
      onProgress: (line) => {
        watch();
        ctx.report(move, 'progress', attempt, line);
      },
    },
  );
  if (!c.ok) return { outcome: { ok: false, code: c.error.code, message: c.error.message, detail: null }, data: null };
  call = c.value;
  watch();
  try {
    return await call.answer;
  } finally {
    cancelWatch();
  }
}
