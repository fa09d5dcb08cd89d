import type { Move } from '../../shared/protocol/ctl-jobs.js';
import { isCurrent, isReachable, type HostRecord } from '../fleet/host-record.js';
import { arrivedWhileSilent } from '../plan/settle.js';
import type { MoveContext, MoveOutcome } from './move-context.js';
import type { FleetPort } from './port.js';
import { movedShown } from '../fleet/moved-shown.js';

/**
 * The controller's own reports show NAME moved: TO lists it running (not a migration half) and
 * FROM lists it no more. The source agent's word alone is not enough: an agent that says "ok"
 * without moving anything would otherwise empty a drain that never happened.
 */
export const reportsShowMoved = (port: FleetPort, name: string, from: string, to: string): boolean => movedShown((h) => port.record(h), name, from, to);

/**
 * Or FROM is silent and its last report, still listing NAME, is overtaken: TO, current, runs the
 * very domain it was seen receiving after FROM was last heard from (plan/settle.ts
 * arrivedWhileSilent, the proof `where` accepts). FROM's next report shows it gone.
 */
export function arrivalOvertakesSilentSource(port: FleetPort, name: string, from: string, to: string): boolean {
  const now = port.clock.now();
  const s = port.record(from);
  const t = port.record(to);
  if (s === undefined || t?.state == null || !isCurrent(t, now, port.staleAfterMs)) return false;
  const source = { host: from, reachable: isReachable(s, now, port.staleAfterMs), lastSeen: s.lastSeen };
  return arrivedWhileSilent(source, t.state.domains.filter((d) => d.baseName === name), t.arrivedAt?.[name]);
}

/** The sentence of a move the agent called done and the reports do not show, within waitedMs. */
export const unconfirmedMessage = (move: Move, waitedMs: number): string =>
  `${move.from}'s agent reported ${move.name} moved to ${move.to}, but the reports do not show it within ${Math.round(waitedMs / 1000)} s ` +
  `(${move.to} must list it running and ${move.from} list it no more): where it runs is unknown here; check \`xenherdctl where ${move.name}\` and both hosts' xl list before anything else`;

/** The sentence of a move the agent called done whose target was not heard from since, within waitedMs. */
export const targetUnheardMessage = (move: Move, waitedMs: number): string =>
  `${move.from}'s agent reported ${move.name} moved to ${move.to}, but ${move.to} was not heard from since (its agent unreachable for ${spanText(waitedMs)}): ` +
  `where it runs is unknown here; check \`xenherdctl where ${move.name}\` once ${move.to} reports again, and both hosts' xl list before anything else`;

const spanText = (ms: number): string => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/** TO's agent was heard from after AT on a link that is open now: its reports since are its word on the move. */
const heardSince = (r: HostRecord | undefined, at: number): boolean => r !== undefined && r.linkUp && r.lastSeen !== null && r.lastSeen > at;

/**
 * A move the agents call done counts once the reports confirm it, waited for up to
 * arrivalWaitMs (reports follow every change, and at least every heartbeat): otherwise an alarm,
 * hands off — the agent's word and the reports disagree, so neither is guessed at. A target the
 * controller has not heard from since the source said "moved" (its link down, or silent) has not
 * had its say: that wait does not run out until it is heard again, up to settleTimeoutMs, as an
 * ambiguous ending is settled (settle-move.ts); a link that comes back brings a snapshot at once.
 */
export async function confirmArrival(ctx: MoveContext, move: Move, o: MoveOutcome): Promise<MoveOutcome> {
  if (o.kind !== 'moved' || move.from === move.to) return o;
  const { port } = ctx;
  const shown = (): boolean => reportsShowMoved(port, move.name, move.from, move.to) || arrivalOvertakesSilentSource(port, move.name, move.from, move.to);
  const movedAt = port.clock.now();
  const { arrivalWaitMs, settleTimeoutMs, settleRetryMs } = ctx.settings;
  for (;;) {
    // shutting down: nothing is waited for any more
    if (shown() || ctx.aborted()) return o;
    const waited = port.clock.now() - movedAt;
    if (waited >= arrivalWaitMs) {
      if (heardSince(port.record(move.to), movedAt)) return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: unconfirmedMessage(move, waited) };
      if (waited >= settleTimeoutMs) return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: targetUnheardMessage(move, waited) };
      if (ctx.stopping()) return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: `${targetUnheardMessage(move, waited)} (the job is stopping)` };
    }
    // heartbeats tell no listener: past arrivalWaitMs the target's silence is looked at again this often
    const next = waited < arrivalWaitMs ? arrivalWaitMs - waited : Math.min(settleRetryMs, settleTimeoutMs - waited);
    await changeOr(port, next, shown);
  }
}

/** Resolves when a change of the fleet makes WANTED true, or after MS. */
function changeOr(port: FleetPort, ms: number, wanted: () => boolean): Promise<void> {
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
