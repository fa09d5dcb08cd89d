import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { ResultData } from '../../shared/protocol/agent-link.js';
import { log } from './effects.js';
import type { AgentState } from './state.js';
import type { Fx } from './timers.js';

/** How many ended command ids a link remembers (ids are the controller's UUIDs: a repeat is a fault). */
export const DONE_IDS_KEPT = 256;

/** The link a command came on is still the one up: its progress and result can go back on it. */
export const upOn = (s: AgentState, gen: number): boolean => s.link.phase === 'up' && s.link.gen === gen;

/** Ends a running command: logged, its one result sent on the link it came on (if still up). */
export function finishCommand(s: AgentState, fx: Fx, commandId: string, o: CommandOutcome, data: ResultData | null, now: number): AgentState {
  const c = s.commands.find((r) => r.commandId === commandId);
  if (!c) return s;
  const what = `${c.op}${c.name === null ? '' : ` ${c.name}`}`;
  const fields = { commandId, op: c.op, domu: c.name ?? undefined, by: c.by, ok: o.ok, code: o.code, ms: now - c.startedAt };
  const quiet = c.op === 'inspect' || c.op === 'maintenance';
  fx.push(log(o.ok ? (quiet ? 'debug' : 'info') : 'warn', `controller command ${what} ${o.ok ? 'done' : 'failed'}: ${o.message}`, fields));
  if (upOn(s, c.gen)) {
    const result = { type: 'result' as const, commandId, ok: o.ok, code: o.ok ? null : (o.code ?? 'XH_ERR_INTERNAL'), message: o.message.slice(0, 2000), detail: o.detail?.slice(0, 8000) ?? null };
    fx.push({ e: 'link-send', gen: c.gen, message: data === null ? result : { ...result, data } });
  }
  const commands = s.commands.filter((r) => r.commandId !== commandId);
  if (c.gen !== s.link.gen) return { ...s, commands };
  return { ...s, commands, link: { ...s.link, doneIds: [...s.link.doneIds.slice(-(DONE_IDS_KEPT - 1)), commandId] } };
}
