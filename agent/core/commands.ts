import { CLOSE } from '../../shared/link/link.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { CommandMessage } from '../../shared/protocol/agent-link.js';
import { refusalBeforeSpawn } from './command-checks.js';
import { finishCommand, upOn } from './command-result.js';
import { log } from './effects.js';
import { afterCommandFailed } from './state-disks.js';
import { onInspectCommand } from './inspect-command.js';
import { onMaintenanceCommand } from './maintenance-command.js';
import type { AgentState, RunningCommand } from './state.js';
import type { Fx } from './timers.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';

/**
 * Commands from the controller: each runs once (by id), its progress and its one result go back
 * on the link it came on. A link lost meanwhile does not stop the command; its outcome reaches the
 * controller through the next snapshot (the ledgers, xl list), never as a late result.
 *
 * `maintenance` and `inspect` are answered by the agent itself (core/maintenance-command.ts,
 * core/inspect-command.ts); migrate, reverse, shutdown and start run in a child process of the
 * agent's own CLI, after the checks only this agent's state can make (core/command-checks.ts).
 */

/**
 * Commands this agent runs at once: each of migrate, reverse, shutdown and start is a child Node
 * process (tens of MiB on a Dom0 that keeps its memory for guests), and the controller's jobs move
 * one domU per host at a time by default. More are refused as locked, which its jobs retry.
 */
export const MAX_CHILD_COMMANDS = 4;
/** everything at once, inspect and maintenance included: a controller that floods gets refusals */
export const MAX_COMMANDS = 32;
const isChild = (op: CommandMessage['op']): boolean => op !== 'inspect' && op !== 'maintenance';

const subjectOf = (c: CommandMessage): string | null => (c.op === 'maintenance' ? null : c.name);
const describe = (c: CommandMessage): string => (c.op === 'maintenance' ? `maintenance flag: ${MAINTENANCE_WORDS[c.state]} (by ${c.by}, operation ${c.operationId}, owner ${c.owner})` : `${c.op} ${c.name} (by ${c.by}${c.op === 'inspect' ? '' : `, operation ${c.operationId}`})`);

export function onCommand(s: AgentState, fx: Fx, gen: number, c: CommandMessage, now: number): AgentState {
  if (gen !== s.link.gen) return s;
  if (s.link.phase === 'hello') {
    // the controller speaks only after its welcome: a command before it is a fault, never run
    fx.push(log('error', `controller link: a command (${c.op}, id ${c.commandId}) before the controller's welcome, closing the link`, { code: 'XH_ERR_PROTOCOL' }));
    fx.push({ e: 'link-close', gen, code: CLOSE.protocol, reason: 'command before welcome' });
    return s;
  }
  // each maintenance command names the controller that sent it: what failback.ts asks of a lease
  if (c.op === 'maintenance' && s.link.owners[s.link.url.at] !== c.owner) s = { ...s, link: { ...s.link, owners: { ...s.link.owners, [s.link.url.at]: c.owner } } };
  if (s.commands.some((r) => r.commandId === c.commandId)) return s;
  if (s.link.doneIds.includes(c.commandId)) {
    fx.push(log('warn', `refusing command ${describe(c)} from the controller: id ${c.commandId} already ran on this link`, { commandId: c.commandId, op: c.op }));
    if (upOn(s, gen)) fx.push({ e: 'link-send', gen, message: { type: 'result', commandId: c.commandId, ok: false, code: 'XH_ERR_REFUSED', message: `command id ${c.commandId} already ran on ${s.host}: each command runs once`, detail: null } });
    return s;
  }
  const name = subjectOf(c);
  const fields = { commandId: c.commandId, op: c.op, domu: name ?? undefined, by: c.by, operationId: c.op === 'inspect' ? undefined : c.operationId };
  if (s.phase === 'stopping' || s.phase === 'stopped') {
    fx.push(log('warn', `refusing command ${describe(c)} from the controller: the agent is ${s.phase}`, fields));
    if (upOn(s, gen)) fx.push({ e: 'link-send', gen, message: { type: 'result', commandId: c.commandId, ok: false, code: 'XH_ERR_REFUSED', message: `the agent on ${s.host} is ${s.phase}`, detail: null } });
    return s;
  }
  const children = s.commands.filter((r) => isChild(r.op)).length;
  if (s.commands.length >= MAX_COMMANDS || (isChild(c.op) && children >= MAX_CHILD_COMMANDS)) {
    const busy = isChild(c.op) && children >= MAX_CHILD_COMMANDS ? `${children} migrate/reverse/shutdown/start commands` : `${s.commands.length} commands`;
    fx.push(log('warn', `refusing command ${describe(c)} from the controller: ${busy} already run here`, fields));
    if (upOn(s, gen)) fx.push({ e: 'link-send', gen, message: { type: 'result', commandId: c.commandId, ok: false, code: 'XH_ERR_LOCKED', message: `${s.host} already runs ${busy} (at most ${isChild(c.op) ? MAX_CHILD_COMMANDS : MAX_COMMANDS} at once): try again when one ends`, detail: null } });
    return s;
  }
  // inspect and maintenance come every few seconds while a job runs; a flag that changes is logged where it changes
  fx.push(log(c.op === 'inspect' || c.op === 'maintenance' ? 'debug' : 'info', `controller command: ${describe(c)}`, fields));
  const running: RunningCommand = { commandId: c.commandId, op: c.op, name, by: c.by, gen, startedAt: now };
  const n: AgentState = { ...s, commands: [...s.commands, running] };
  switch (c.op) {
    case 'maintenance':
      return onMaintenanceCommand(n, fx, c, now);
    case 'inspect':
      return onInspectCommand(n, fx, c, now);
    default: {
      const refusal = refusalBeforeSpawn(n, c);
      if (refusal) return finishCommand(n, fx, c.commandId, { ok: false, code: refusal.code, message: refusal.message, detail: null }, null, now);
      fx.push({ e: 'run-command', command: c });
      return n;
    }
  }
}

export function onCommandProgress(s: AgentState, fx: Fx, commandId: string, line: string): AgentState {
  const c = s.commands.find((r) => r.commandId === commandId);
  if (c && upOn(s, c.gen)) fx.push({ e: 'link-send', gen: c.gen, message: { type: 'progress', commandId, line: line.slice(0, 2000) } });
  return s;
}

export type { CommandOutcome };

/** A child process's command ended: facts may have changed (a domU moved), so decide again. */
export function onCommandDone(s: AgentState, fx: Fx, commandId: string, o: CommandOutcome, now: number): AgentState {
  const c = s.commands.find((x) => x.commandId === commandId);
  if (c !== undefined) afterCommandFailed(fx, c, o);
  const n = finishCommand(s, fx, commandId, o, null, now);
  return n === s ? s : { ...n, dirty: true };
}
