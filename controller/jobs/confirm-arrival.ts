import type { Move } from '../../shared/protocol/ctl-jobs.js';
import { movedShown } from '../fleet/moved-shown.js';
import { arrivalWait, moveShown } from '../plan/arrival-wait.js';
import { unheardText } from '../plan/arrival-words.js';
import type { MoveContext, MoveOutcome } from './move-context.js';
import type { FleetPort } from './port.js';

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
 * A move the agents call done counts once the reports confirm it (plan/arrival-wait.ts: or a
 * silent source's last report is overtaken by the arrival), waited for as that judgement says, the
 * same as an operator's single migrate (core/confirming-sink.ts): arrivalWaitMs, and past it while
 * a host the reports wait on has not been heard from since, up to settleTimeoutMs. Otherwise an
 * alarm, hands off — the agent's word and the reports disagree, so neither is guessed at.
 */
export async function confirmArrival(ctx: MoveContext, move: Move, o: MoveOutcome): Promise<MoveOutcome> {
  if (o.kind !== 'moved' || move.from === move.to) return o;
  const { port } = ctx;
  const record = (h: string) => port.record(h);
  const seen = () => moveShown(record, { name: move.name, from: [move.from], to: move.to }, port.clock.now(), port.staleAfterMs);
  const shown = (): boolean => seen().shown;
  const movedAt = port.clock.now();
  const said = { agent: move.from, name: move.name, to: move.to, said: null };
  for (;;) {
    // shutting down: nothing is waited for any more
    const s = seen();
    if (s.shown || ctx.aborted()) return o;
    const now = port.clock.now();
    const w = arrivalWait(record, s.waiting, movedAt, now, ctx.settings);
    if (w.kind === 'unconfirmed') return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: unconfirmedMessage(move, w.waitedMs) };
    if (w.kind === 'unheard') return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: unheardText(said, w.unheard, w.waitedMs, now) };
    if (w.unheard !== null && now - movedAt >= ctx.settings.arrivalWaitMs && ctx.stopping()) {
      return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: `${unheardText(said, w.unheard, now - movedAt, now)} (the job is stopping)` };
    }
    await changeOr(port, w.ms, shown);
  }
}

/** Resolves when a change of the fleet makes WANTED true, or after MS. */
export function changeOr(port: FleetPort, ms: number, wanted: () => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    const finish = (): void => {
      unchange();
      cancel();
      resolve();
    };
    const unchange = port.onChange(() => {
      if (wanted()) finish();
    });
    const cancel = port.clock.schedule(ms, finish);
  });
}
