import type { Move } from '../../shared/protocol/ctl-jobs.js';
import { LINK_FEATURE } from '../../shared/protocol/agent-link.js';
import { moveShown } from '../plan/arrival-wait.js';
import { changeOr } from './confirm-arrival.js';
import type { MoveContext } from './move-context.js';
import { lookOnce } from './settle-move.js';

/**
 * The source's agent keeps this move's ALARM in its ledger (an unsettled record of this operation),
 * as its reports show it.
 */
export const keptAsAlarm = (ctx: MoveContext, move: Move): boolean => ctx.port.record(move.from)?.state?.ledger.unsettled?.[move.name]?.operationId === ctx.operationId;

/**
 * HOST's agent reports the ALARMs its ledger keeps (link feature `unsettled`): such an agent keeps
 * every XH_ERR_MIGRATION_UNKNOWN it answers a migrate with, before it answers. An older agent keeps
 * none, and its word alone is settled as before.
 */
export const keepsAlarms = (ctx: MoveContext, host: string): boolean => ctx.port.record(host)?.capabilities.includes(LINK_FEATURE.unsettled) === true;

/**
 * Before a move its source's agent answered with an ALARM it keeps ends as that ALARM: waits for the
 * controller's own reports to show what the job's ending tells a person, so that ending does not
 * depend on the order in which the two hosts' reports arrive. Each Dom0 reports on its own link:
 * the answer may come before the source's report of its record, and the target's report of the
 * arrival before or after either. Waited for: the record (from an agent that keeps them), and, when
 * the domU runs at the target (SETTLED; unknown: one fresh look at both hosts), the move as the
 * reports show it (there, and gone from the source). Up to arrivalWaitMs from ANSWEREDAT: past that
 * the ALARM stands all the same, with the reports as they are.
 */
export async function keptAlarmShown(ctx: MoveContext, move: Move, settled: 'at-target' | 'alarmed', answeredAt: number): Promise<void> {
  const { port } = ctx;
  const atTarget = settled === 'at-target' || (await lookOnce(ctx, move, answeredAt)) === 'at-target';
  const records = keepsAlarms(ctx, move.from);
  const shown = (): boolean =>
    (!records || keptAsAlarm(ctx, move)) && (!atTarget || moveShown((h) => port.record(h), { name: move.name, from: [move.from], to: move.to }, port.clock.now(), port.staleAfterMs).shown);
  const until = answeredAt + ctx.settings.arrivalWaitMs;
  while (!shown() && !ctx.aborted() && port.clock.now() < until) await changeOr(port, until - port.clock.now(), shown);
}
