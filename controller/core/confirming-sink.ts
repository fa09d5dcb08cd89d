import type { Clock } from '../../shared/clock/clock.js';
import type { CommandOutcome, CommandRequest } from '../../shared/protocol/ctl-api.js';
import type { FleetIndex } from '../fleet/fleet-index.js';
import type { Freshness } from '../fleet/host-record.js';
import { peerTarget } from '../fleet/move-target.js';
import { runsPlainOn } from '../fleet/moved-shown.js';
import { arrivalWait, moveShown, type ArrivalLimits, type MoveShape } from '../plan/arrival-wait.js';
import { unheardText, unheardWaitText } from '../plan/arrival-words.js';
import type { CommandSink } from './pending-commands.js';

export interface ConfirmDeps {
  readonly index: FleetIndex;
  readonly clock: Clock;
  readonly fresh: Freshness;
  /** told after any host's record changed (the core's listeners) */
  readonly listeners: Set<(host: string) => void>;
  /** how long the reports get to show a move its agent called done (the jobs' own: the same rule) */
  readonly limits: ArrivalLimits;
}

/**
 * What the reports must show once an operator's migrate or reverse is done: NAME running on the
 * target (for a migrate whose agent picks it: the other host that runs it, else the peer it
 * would go to) and on none of the hosts it ran on. TO: the target in the operator's words.
 */
function expectation(d: ConfirmDeps, req: CommandRequest, host: string): { shape: () => MoveShape; to: string } {
  const record = (h: string) => d.index.record(h);
  const runners = (): string[] => [...(d.index.running.get(req.name)?.keys() ?? [])];
  if (req.op === 'migrate') {
    const named = req.target;
    const to = (): string | null => named ?? runners().find((h) => h !== host && runsPlainOn(record, req.name, h)) ?? peerTarget(d.index, req.name, host);
    return { shape: () => ({ name: req.name, from: [host], to: to() }), to: named ?? 'its peer' };
  }
  // reverse: the home pulls it back from wherever it ran when asked
  const from = runners().filter((h) => h !== host);
  return { shape: () => ({ name: req.name, from, to: host }), to: host };
}

/**
 * The sink of an operator's migrate or reverse: the agent's success is passed on once the
 * controller's own reports confirm the move; otherwise the operator gets XH_ERR_MIGRATION_UNKNOWN
 * — the agent's word and the reports disagree, and neither is guessed at (an agent that answers
 * "ok" without moving anything would else be believed). How long the reports are waited for is
 * the jobs' rule (plan/arrival-wait.ts): arrivalWaitMs, and past it, while a host they wait on
 * has not been heard from since the agent's answer, until it is, up to settleTimeoutMs (a
 * progress line says which host and since when).
 */
export function confirmingSink(d: ConfirmDeps, req: CommandRequest, host: string, sink: CommandSink): CommandSink {
  const { shape, to } = expectation(d, req, host);
  const record = (h: string) => d.index.record(h);
  const seen = () => moveShown(record, shape(), d.clock.now(), d.fresh.staleAfterMs);
  return {
    progress: (line) => sink.progress(line),
    done: (outcome, data) => {
      const moved = outcome.ok || outcome.code === 'XH_ERR_MIGRATION_PARTIAL';
      if (!moved || seen().shown) return sink.done(outcome, data);
      const { arrivalWaitMs } = d.limits;
      sink.progress(`${host}'s agent reports it done; waiting up to ${Math.round(arrivalWaitMs / 1000)} s for the reports to show ${req.name} on ${to}`);
      const movedAt = d.clock.now();
      const said = { agent: host, name: req.name, to, said: outcome.message };
      const told = new Set<string>();
      let cancel = (): void => undefined;
      const end = (o: CommandOutcome): void => {
        d.listeners.delete(check);
        cancel();
        sink.done(o, data);
      };
      const look = (): void => {
        const now = d.clock.now();
        const s = seen();
        if (s.shown) return end(outcome);
        const w = arrivalWait(record, s.waiting, movedAt, now, d.limits);
        if (w.kind === 'unconfirmed') {
          const message = `${host}'s agent reported ${req.name} moved to ${to} (${outcome.message}), but the reports do not show it within ${Math.round(w.waitedMs / 1000)} s (${to} must list it running and the host it left list it no more): where it runs is unknown here; check \`xenherdctl where ${req.name}\` and both hosts' xl list before anything else`;
          return end({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', message, detail: outcome.detail });
        }
        if (w.kind === 'unheard') return end({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', message: unheardText(said, w.unheard, w.waitedMs, now), detail: outcome.detail });
        if (w.unheard !== null && now - movedAt >= arrivalWaitMs && !told.has(w.unheard.host)) {
          told.add(w.unheard.host);
          sink.progress(unheardWaitText(said, w.unheard, now, d.limits));
        }
        cancel = d.clock.schedule(w.ms, look);
      };
      const check = (): void => {
        if (seen().shown) end(outcome);
      };
      d.listeners.add(check);
      look();
    },
  };
}
