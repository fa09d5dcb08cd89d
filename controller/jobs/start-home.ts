import { CAPABILITY } from '../../shared/protocol/agent-link.js';
import type { Move } from '../../shared/protocol/ctl-jobs.js';
import { AMBIGUOUS, type MoveContext, type MoveOutcome } from './move-context.js';
import { ask } from './port.js';
import { afterHostNamed } from '../../shared/text/after-host-named.js';

/**
 * A restore's start of a domU that runs nowhere, at its home (plan/start-home.ts decided the fleet
 * view proves "nowhere"): the home's agent runs `start` from its own config, deciding on fresh
 * reads under the guarded-autostart DRBD rules, and ends its away record. A start those rules
 * refuse (a peer not connected yet) is asked again a few times; a start whose end is unknown is an
 * alarm, never asked again (it may have started).
 */
export async function startHome(ctx: MoveContext, move: Move): Promise<MoveOutcome> {
  const { port } = ctx;
  if (!port.record(move.to)?.capabilities.includes(CAPABILITY.coldMigrate)) {
    return { kind: 'failed', attempts: 0, code: 'XH_ERR_REFUSED', message: `the agent of ${move.to} does not offer start: start ${move.name} there by hand` };
  }
  let last = '';
  for (let i = 1; i <= ctx.settings.coldStartAttempts; i++) {
    ctx.report(move, i === 1 ? 'started' : 'retrying', i, `${move.name} runs nowhere (its away record names ${move.from}, which does not run it): starting it at its home ${move.to}`);
    const up = await ask(port, move.to, { op: 'start', name: move.name, operationId: ctx.operationId, from: move.from, by: ctx.by }, { timeoutMs: ctx.settings.minCompletionMs * 5 });
    if (up.outcome.ok) return { kind: 'moved', how: 'cold', attempts: i, note: `started at its home ${move.to}: ${afterHostNamed(up.outcome.message, move.to)}` };
    const code = up.outcome.code ?? 'XH_ERR_INTERNAL';
    if (AMBIGUOUS.has(code)) return { kind: 'alarm', code, message: `the start of ${move.name} on ${move.to} ended unclearly (${afterHostNamed(up.outcome.message, move.to)}): check \`xenherdctl where ${move.name}\` before anything starts it` };
    last = `${code}: ${afterHostNamed(up.outcome.message, move.to)}`;
    if (code !== 'XH_ERR_REFUSED' || i === ctx.settings.coldStartAttempts || ctx.stopping()) return { kind: 'failed', attempts: i, code, message: `${move.to} did not start ${move.name} (${last}); it runs nowhere` };
    await port.clock.sleep(ctx.settings.coldStartRetryMs);
  }
  return { kind: 'failed', attempts: ctx.settings.coldStartAttempts, code: 'XH_ERR_REFUSED', message: `${move.to} did not start ${move.name} (${last}); it runs nowhere` };
}
