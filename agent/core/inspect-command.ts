import type { CommandMessage, InspectReport } from '../../shared/protocol/agent-link.js';
import { busyWith } from './busy.js';
import { finishCommand } from './command-result.js';
import type { InspectRead } from './events.js';
import { linkDomain, linkDrbdResource } from './host-state.js';
import type { AgentState } from './state.js';
import type { Fx } from './timers.js';

/**
 * The controller's `inspect NAME`: where NAME is now, from reads made for the question (never
 * the last snapshot: the controller asks to settle a migration whose ending was unclear, and the
 * snapshot may predate it). The reads are an effect; the answer is built here when they return.
 */
type InspectCommand = Extract<CommandMessage, { op: 'inspect' }>;

/** NAME's DRBD resources as this agent knows them (guarded dir, visitors, config dir); null: read its config. */
function knownResources(s: AgentState, name: string): readonly string[] | null {
  const g = s.guarded.find((x) => x.name === name && x.error === null);
  if (g) return g.drbdResources;
  const d = s.domus.find((x) => x.name === name);
  return d ? d.resources.map((r) => r.name) : null;
}

export function onInspectCommand(s: AgentState, fx: Fx, c: InspectCommand, now: number): AgentState {
  if (s.toolstack === null) return finishCommand(s, fx, c.commandId, { ok: false, code: 'XH_ERR_TOOL_NOT_FOUND', message: `no toolstack (xl or xm) answers on ${s.host}: cannot list its domains${s.toolstackProblem === null ? '' : ` (${s.toolstackProblem})`}`, detail: null }, null, now);
  // with DRBD absent or unloaded, drbdadm would load the module: nothing of it is read then
  fx.push({ e: 'inspect', commandId: c.commandId, host: s.host, name: c.name, toolstack: s.toolstack, resources: knownResources(s, c.name), readDrbd: s.drbd.availability === 'ok', config: s.config });
  return s;
}

export function onInspected(s: AgentState, fx: Fx, commandId: string, read: InspectRead, now: number): AgentState {
  const c = s.commands.find((r) => r.commandId === commandId);
  if (!c || c.name === null) return s;
  if (!read.ok) return finishCommand(s, fx, commandId, { ok: false, code: read.code, message: read.message, detail: null }, null, now);
  const name = c.name;
  const rows = read.rows.filter((d) => d.baseName === name).flatMap((d) => linkDomain(d) ?? []);
  const report: InspectReport = { kind: 'inspect', host: s.host, name, rows: rows.slice(0, 4), resources: read.resources.slice(0, 64).map((r) => linkDrbdResource(r, s.link.accepts)), busy: busyWith(s, name, commandId) };
  const where = rows.length === 0 ? `${name} is not listed on ${s.host}` : `${s.host} lists ${rows.map((r) => `${r.name} (${r.state})`).join(', ')}`;
  return finishCommand(s, fx, commandId, { ok: true, code: null, message: where, detail: null }, report, now);
}
