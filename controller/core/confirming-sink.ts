import type { Clock } from '../../shared/clock/clock.js';
import type { CommandRequest } from '../../shared/protocol/ctl-api.js';
import type { FleetIndex } from '../fleet/fleet-index.js';
import { goneFrom, runsPlainOn } from '../fleet/moved-shown.js';
import type { CommandSink } from './pending-commands.js';

export interface ConfirmDeps {
  readonly index: FleetIndex;
  readonly clock: Clock;
  /** told after any host's record changed (the core's listeners) */
  readonly listeners: Set<(host: string) => void>;
  /** how long the reports get to show a move its agent called done */
  readonly confirmMs: number;
}

/**
 * What the reports must show once an operator's migrate or reverse is done: NAME running on the
 * target (any host but the source when the agent picks it) and on none of the hosts it ran on.
 */
function expectation(d: ConfirmDeps, req: CommandRequest, host: string): { shown: () => boolean; to: string } {
  const record = (h: string) => d.index.record(h);
  if (req.op === 'migrate') {
    const to = req.target;
    const shown = (): boolean => goneFrom(record, req.name, host) && (to !== null ? runsPlainOn(record, req.name, to) : [...(d.index.running.get(req.name)?.keys() ?? [])].some((h) => h !== host && runsPlainOn(record, req.name, h)));
    return { shown, to: to ?? 'its peer' };
  }
  // reverse: the home pulls it back from wherever it ran when asked
  const from = [...(d.index.running.get(req.name)?.keys() ?? [])].filter((h) => h !== host);
  return { shown: () => runsPlainOn(record, req.name, host) && from.every((h) => goneFrom(record, req.name, h)), to: host };
}

/**
 * The sink of an operator's migrate or reverse: the agent's success is passed on once the
 * controller's own reports confirm the move, within confirmMs; otherwise the operator gets
 * XH_ERR_MIGRATION_UNKNOWN — the agent's word and the reports disagree, and neither is guessed at
 * (an agent that answers "ok" without moving anything would else be believed).
 */
export function confirmingSink(d: ConfirmDeps, req: CommandRequest, host: string, sink: CommandSink): CommandSink {
  const { shown, to } = expectation(d, req, host);
  return {
    progress: (line) => sink.progress(line),
    done: (outcome, data) => {
      const moved = outcome.ok || outcome.code === 'XH_ERR_MIGRATION_PARTIAL';
      if (!moved || shown()) return sink.done(outcome, data);
      sink.progress(`${host}'s agent reports it done; waiting up to ${Math.round(d.confirmMs / 1000)} s for the reports to show ${req.name} on ${to}`);
      const finish = (): void => {
        d.listeners.delete(check);
        cancel();
        if (shown()) return sink.done(outcome, data);
        const message = `${host}'s agent reported ${req.name} moved to ${to} (${outcome.message}), but the reports do not show it within ${Math.round(d.confirmMs / 1000)} s (${to} must list it running and the host it left list it no more): where it runs is unknown here; check \`xenherdctl where ${req.name}\` and both hosts' xl list before anything else`;
        sink.done({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', message, detail: outcome.detail }, data);
      };
      const check = (): void => {
        if (shown()) finish();
      };
      d.listeners.add(check);
      const cancel = d.clock.schedule(d.confirmMs, finish);
    },
  };
}
