import { CAPABILITY } from '../../shared/protocol/agent-link.js';
import type { Move } from '../../shared/protocol/ctl-jobs.js';
import { drbdBlock } from '../plan/drbd-ready.js';
import { AMBIGUOUS, type MoveContext, type MoveOutcome } from './move-context.js';
import { ask } from './port.js';
import { afterHostNamed } from '../../shared/text/after-host-named.js';

/**
 * The cold fallback for a domU that failed every live attempt (still at its source), or whose
 * target runs an older Xen release (ATTEMPTS 0: none was made): a clean
 * shutdown and DRBD demote at the source, then a start at the target under the target agent's
 * own DRBD rules (never with a peer Primary). A start the rules defer is asked again a few times;
 * a domU shut down and not started is an alarm, never retried elsewhere.
 */
export async function coldMove(ctx: MoveContext, move: Move, attempts: number): Promise<MoveOutcome> {
  const { port } = ctx;
  for (const h of [move.from, move.to]) {
    if (!port.record(h)?.capabilities.includes(CAPABILITY.coldMigrate)) {
      return { kind: 'failed', attempts, code: 'XH_ERR_REFUSED', message: `no cold fallback: the agent of ${h} does not offer shutdown/start` };
    }
  }
  const facts = port.facts();
  const d = facts.domu(move.name);
  if (!d?.configOn.includes(move.to)) {
    return { kind: 'failed', attempts, code: 'XH_ERR_REFUSED', message: `no cold fallback: ${move.to} holds no config for ${move.name} to start it from` };
  }
  // a start on a pair split-brained, cut or resyncing runs it on a replica missing writes: checked before anything is shut down
  const drbd = drbdBlock(facts, d, move.from, move.to);
  if (drbd !== null) return { kind: 'failed', attempts, code: 'XH_ERR_REFUSED', message: `no cold fallback, ${move.name} still runs on ${move.from}: DRBD ${drbd.detail}` };
  const why = attempts === 0 ? `${move.to} runs an older Xen release than ${move.from}, which no live migration goes to` : `live migration failed ${attempts} times`;
  ctx.report(move, 'cold', attempts, `${why}: shutting ${move.name} down on ${move.from} to start it on ${move.to}`);
  const down = await ask(port, move.from, { op: 'shutdown', name: move.name, operationId: ctx.operationId, target: move.to, by: ctx.by }, { timeoutMs: ctx.settings.minCompletionMs * 5 });
  if (!down.outcome.ok) {
    const code = down.outcome.code ?? 'XH_ERR_INTERNAL';
    if (code === 'XH_ERR_MIGRATION_PARTIAL' || AMBIGUOUS.has(code)) return { kind: 'alarm', code, message: `the cold shutdown of ${move.name} on ${move.from} ended unclearly: ${afterHostNamed(down.outcome.message, move.from)}` };
    return { kind: 'failed', attempts, code, message: `cold fallback: ${move.from} did not shut ${move.name} down: ${afterHostNamed(down.outcome.message, move.from)}` };
  }
  ctx.report(move, 'cold', attempts, `${move.name} is down on ${move.from}; starting it on ${move.to}`);
  let last = '';
  for (let i = 1; i <= ctx.settings.coldStartAttempts; i++) {
    const up = await ask(port, move.to, { op: 'start', name: move.name, operationId: ctx.operationId, from: move.from, by: ctx.by }, { timeoutMs: ctx.settings.minCompletionMs * 5 });
    if (up.outcome.ok) return { kind: 'moved', how: 'cold', attempts, note: `cold-moved: shut down on ${move.from}, started on ${move.to}` };
    last = `${up.outcome.code}: ${afterHostNamed(up.outcome.message, move.to)}`;
    if (up.outcome.code !== 'XH_ERR_REFUSED' || i === ctx.settings.coldStartAttempts) break;
    ctx.report(move, 'cold', attempts, `${move.to} does not start ${move.name} yet (${afterHostNamed(up.outcome.message, move.to)}); asking again`);
    await port.clock.sleep(ctx.settings.coldStartRetryMs);
  }
  return { kind: 'alarm', code: 'XH_ERR_REFUSED', message: `${move.name} was shut down on ${move.from} and ${move.to} did not start it (${last}): start it by hand where its DRBD roles allow` };
}
