import type { Move } from '../../shared/protocol/ctl-jobs.js';
import type { MoveContext, MoveOutcome } from './move-context.js';
import type { FleetPort } from './port.js';
import { movedShown } from '../fleet/moved-shown.js';

/**
 * The controller's own reports show NAME moved: TO lists it running (not a migration half) and
 * FROM lists it no more. The source agent's word alone is not enough: an agent that says "ok"
 * without moving anything would otherwise empty a drain that never happened.
 */
export const reportsShowMoved = (port: FleetPort, name: string, from: string, to: string): boolean => movedShown((h) => port.record(h), name, from, to);

/** The sentence of a move the agent called done and the reports do not show, within waitedMs. */
export const unconfirmedMessage = (move: Move, waitedMs: number): string =>
  `${move.from}'s agent reported ${move.name} moved to ${move.to}, but the reports do not show it within ${Math.round(waitedMs / 1000)} s ` +
  `(${move.to} must list it running and ${move.from} list it no more): where it runs is unknown here; check \`xenherdctl where ${move.name}\` and both hosts' xl list before anything else`;

/**
 * A move the agents call done counts once the reports confirm it, waited for up to
 * arrivalWaitMs (reports follow every change, and at least every heartbeat): otherwise an alarm,
 * hands off — the agent's word and the reports disagree, so neither is guessed at.
 */
export async function confirmArrival(ctx: MoveContext, move: Move, o: MoveOutcome): Promise<MoveOutcome> {
  if (o.kind !== 'moved' || move.from === move.to) return o;
  const { port } = ctx;
  const shown = (): boolean => reportsShowMoved(port, move.name, move.from, move.to);
  // shutting down: nothing is waited for any more
  if (shown() || ctx.aborted()) return o;
  const waitMs = ctx.settings.arrivalWaitMs;
  const ok = await new Promise<boolean>((resolve) => {
    const finish = (v: boolean): void => {
      unchange();
      cancel();
      resolve(v);
    };
    const unchange = port.onChange(() => {
      if (shown()) finish(true);
    });
    const cancel = port.clock.schedule(waitMs, () => finish(shown()));
  });
  return ok ? o : { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: unconfirmedMessage(move, waitMs) };
}
