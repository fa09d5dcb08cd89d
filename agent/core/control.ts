import { CONTROL_PROTOCOL_VERSION, type ControlRequest, type ControlResponse } from '../../shared/protocol/agent-control.js';
import { forceVerdict } from '../decide/autostart-all.js';
import { nearestWord } from '../../shared/text/nearest-word.js';
import { DEFAULT_CONFIG_PATH } from '../config/schema.js';
import { log } from './effects.js';
import { leftoverRefusal } from './leftover-creates.js';
import { requestFullRead } from './read-requests.js';
import { enqueue, failure } from './start-queue.js';
import { dropUnforced } from './starts.js';
import { statusOf } from './status.js';
import { afterWriteFailed } from './state-disks.js';
import type { AgentState, ReplyError } from './state.js';
import type { Fx } from './timers.js';

/**
 * Requests on the control socket (`xenherd-agent autostart …`, and the holds of migration
 * commands). Answers that must reflect a fresh read wait in `waitingReplies` until that read has
 * completed and the agent has decided again.
 */
const iso = (ms: number): string => new Date(ms).toISOString();

function reply(fx: Fx, id: number, response: ControlResponse, keepOpen = false): void {
  fx.push({ e: 'reply', id, response, keepOpen });
}
const refuse = (fx: Fx, id: number, error: ReplyError): void => reply(fx, id, failure(error));

/** Reply after the next full read (one started after this request) and the decisions on it. */
function afterNextRead(s: AgentState, fx: Fx, id: number, message: string): AgentState {
  const n = requestFullRead(s, fx);
  const afterRead = n.fullRead.done + (s.fullRead.running ? 2 : 1);
  return { ...n, waitingReplies: [...n.waitingReplies, { id, afterRead, message }] };
}

/** Replies whose read has completed, with the status as now decided. */
export function flushReplies(s: AgentState, fx: Fx, now: number): AgentState {
  const due = s.waitingReplies.filter((w) => w.afterRead <= s.fullRead.done);
  if (due.length === 0) return s;
  const status = statusOf(s, now);
  for (const w of due) reply(fx, w.id, { v: CONTROL_PROTOCOL_VERSION, ok: true, message: w.message, status });
  return { ...s, waitingReplies: s.waitingReplies.filter((w) => w.afterRead > s.fullRead.done) };
}

export function onControl(s: AgentState, fx: Fx, id: number, conn: number, req: ControlRequest, now: number): AgentState {
  switch (req.op) {
    case 'status':
      reply(fx, id, { v: CONTROL_PROTOCOL_VERSION, ok: true, message: '', status: statusOf(s, now) });
      return s;
    case 'reload': {
      // the caller hears a loss the reload did not end (a boot record still unreadable), not only the journal
      const lost = s.bootRecordLost === null ? '' : `; autostart still starts no guarded domU on its own: what it handled this boot is not known (${s.bootRecordLost.why})`;
      return afterNextRead(s, fx, id, `re-read this host and decided every guarded domU again${lost}`);
    }
    case 'rescan':
      // the one journal line of a migration's re-read: why the host is read again, not a config reload
      fx.push(log('info', `reading the host again: ${req.why}`, { rescan: true }));
      return afterNextRead(s, fx, id, 're-read this host and decided every guarded domU again');
    case 'write-failed':
      afterWriteFailed(fx, { role: req.role, what: req.what });
      reply(fx, id, { v: CONTROL_PROTOCOL_VERSION, ok: true, message: 'reading the state dirs again' });
      return s;
    case 'stop':
      fx.push(log('warn', 'guarded autostart stopped by the operator: nothing will be started until `autostart start`'));
      return { ...dropUnforced(s), enabled: false, dirty: true, waitingReplies: [...s.waitingReplies, { id, afterRead: s.fullRead.done, message: 'guarded autostart stopped: decisions are still made and shown, nothing is started' }] };
    case 'start':
      fx.push(log('info', 'guarded autostart (re)started by the operator'));
      return afterNextRead({ ...s, enabled: true }, fx, id, 'guarded autostart running: every guarded domU decided again');
    case 'force':
      return force(s, fx, id, req);
    case 'hold':
      return hold(s, fx, id, conn, req, now);
  }
}

function force(s: AgentState, fx: Fx, id: number, req: Extract<ControlRequest, { op: 'force' }>): AgentState {
  const g = s.guarded.find((x) => x.name === req.name);
  if (!g) {
    refuse(fx, id, notGuardedHere(s, req.name));
    return s;
  }
  const decision = s.records.get(req.name)?.decision ?? undefined;
  const verdict = forceVerdict(decision, s.host);
  if (!verdict.allowed) {
    refuse(fx, id, { code: 'XH_ERR_REFUSED', message: `${req.name}: ${verdict.why}` });
    return s;
  }
  const held = s.holds.find((h) => h.hold.name === req.name);
  if (held) {
    const h = held.hold;
    refuse(fx, id, { code: 'XH_ERR_LOCKED', message: `${req.name} is being migrated (${h.purpose}, operation ${h.operation}, by ${h.by}): not started` });
    return s;
  }
  const leftover = leftoverRefusal(s, req.name);
  if (leftover !== null) {
    refuse(fx, id, { code: 'XH_ERR_LOCKED', message: leftover });
    return s;
  }
  const n = enqueue(s, fx, g.name, g.configPath, { reason: req.reason, operator: req.operator }, id);
  if (n === null) {
    refuse(fx, id, { code: 'XH_ERR_REFUSED', message: `${req.name}: a start is already in progress` });
    return s;
  }
  // past a silent host's last report: the journal keeps which report the operator judged stale
  const past = decision?.kind !== 'skip' || decision.withoutSilent === undefined ? '' : decision.reason === 'migrated-away' ? ` past its ledger's away record (${decision.detail})` : ` past a host the controller no longer hears from (${decision.detail})`;
  fx.push(log('warn', `operator forces the start of ${req.name}${past}: ${req.reason}`, { domu: req.name, forced: true, operator: req.operator, reason: req.reason, decision: decision ?? null }));
  return n;
}

/**
 * Why NAME cannot be forced here. A standby replica (its config in the config dir, its DRBD
 * resources naming this host) is the usual ask when its home died: guarded autostart never starts
 * another Dom0's domU, so the refusal says how a person does it, and how to record it after. That
 * is a request refused (XH_ERR_REFUSED). A name guarded nowhere here is a well-formed command
 * about a domU this agent does not know, often a typo: not found, with the name likely meant.
 */
function notGuardedHere(s: AgentState, name: string): ReplyError {
  const plain = `${name} is not a guarded domU here (configs in ${s.config.guardedDir})`;
  const standby = s.domus.find((d) => d.name === name && d.source === 'config-dir' && d.resources.length > 0);
  if (!standby) return { code: 'XH_ERR_NOT_FOUND', message: unknownName(s, name) };
  const me = s.host;
  const homes = [...new Set(standby.resources.flatMap((r) => r.hosts).filter((h) => h !== me))];
  const home = homes.length === 1 ? (homes[0] as string) : 'HOME';
  const resources = standby.resources.map((r) => r.name).join(' ');
  const peer = home === 'HOME' ? 'its home' : home;
  const message =
    `${plain}: this Dom0 holds a standby replica of it (${s.config.migration.configDir}/${name}.cfg, DRBD ${resources}), and guarded autostart starts only its own. ` +
    `If ${peer} is down and you have checked ${name} runs nowhere: ${deadPeerCheck(peer, name, resources)}; ` +
    `then \`drbdadm primary ${resources}\`, \`xl create ${s.config.migration.configDir}/${name}.cfg\`, ` +
    `then \`xenherd-agent reconcile ${name} --home ${home}\` records it here as a visitor, so that \`xenherdctl restore ${home}\` brings it back`;
  return { code: 'XH_ERR_REFUSED', message };
}

/**
 * What tells PEER dead before RESOURCES are promoted here, in the words drbdadm prints on DRBD 8.4
 * and 9. `drbdadm primary` is no such check: with allow-two-primaries (live migration needs it) it
 * passes beside a connected Primary, and NAME would then run twice on one set of disks.
 */
const deadPeerCheck = (peer: string, name: string, resources: string): string =>
  `first \`drbdadm cstate ${resources}\` must not read Connected (with ${peer} gone: WFConnection, Connecting or StandAlone, and \`drbdadm status ${resources}\` shows the peer by its connection: alone, no role:); ` +
  `Connected with the peer role:Primary means ${peer} is up and runs ${name}: stop, promote nothing (\`drbdadm primary\` passes beside a connected Primary when two primaries are allowed); ` +
  `to be sure ${peer} is dead, power it off, then check again`;

/** NAME guarded nowhere here: where guarded domUs come from, and the one likely meant (or what to look at). */
function unknownName(s: AgentState, name: string): string {
  const names = [...new Set(s.guarded.map((g) => g.name))];
  const meant = nearestWord(name, names);
  const hint =
    meant !== null ? `did you mean ${meant}?` : names.length === 0 ? 'no domU is guarded here' : `\`xenherd-agent autostart status\` lists the ${names.length} guarded here`;
  // the file this agent read, not the default path: an agent run with --config reads another
  const from = s.configFile === null ? `the default: this agent read no config file, ${DEFAULT_CONFIG_PATH} being absent` : `guardedDir in ${s.configFile}, the agent config it runs with`;
  const dir = `${s.config.guardedDir} (${from})`;
  return `${name} is not a guarded domU on ${s.host}: no config in the guarded dir ${dir} defines it; ${hint}`;
}

function hold(s: AgentState, fx: Fx, id: number, conn: number, req: Extract<ControlRequest, { op: 'hold' }>, now: number): AgentState {
  if (s.phase === 'stopping' || s.phase === 'stopped') {
    refuse(fx, id, { code: 'XH_ERR_REFUSED', message: 'the agent is stopping' });
    return s;
  }
  if (s.jobs.some((j) => j.name === req.name)) {
    refuse(fx, id, { code: 'XH_ERR_LOCKED', message: `an xl create of ${req.name} by the agent is running` });
    return s;
  }
  const leftover = leftoverRefusal(s, req.name);
  if (leftover !== null) {
    refuse(fx, id, { code: 'XH_ERR_LOCKED', message: leftover });
    return s;
  }
  const other = s.holds.find((h) => h.hold.name === req.name)?.hold;
  if (other) {
    refuse(fx, id, { code: 'XH_ERR_LOCKED', message: `${req.name} is held by ${other.by} (${other.purpose}, operation ${other.operation}, since ${other.since})` });
    return s;
  }
  const h = { name: req.name, purpose: req.purpose, operation: req.operation, by: req.by, since: iso(now) };
  fx.push(log('info', `${req.name} held for ${req.purpose} by ${req.by}: not started meanwhile`, { domu: req.name, hold: req.purpose, operation: req.operation, by: req.by }));
  // the answer carries the hold only: a status per hold would grow traffic with the square of the holds
  reply(fx, id, { v: CONTROL_PROTOCOL_VERSION, ok: true, message: `${req.name} held for ${req.purpose} (operation ${req.operation}) until this connection closes`, hold: h }, true);
  return { ...s, holds: [...s.holds, { hold: h, conn }] };
}

/**
 * The client of a hold went away (done, or killed): the domU is decided again on a fresh read.
 * A stopping agent closes the connections itself: the command holding the domU still runs, so the
 * line says the hold ends with the agent, not that the command let the domU go.
 */
export function onConnClosed(s: AgentState, fx: Fx, conn: number): AgentState {
  const mine = s.holds.filter((h) => h.conn === conn);
  if (mine.length === 0) return s;
  const n: AgentState = { ...s, holds: s.holds.filter((h) => h.conn !== conn), dirty: true };
  const stopping = s.phase === 'stopping' || s.phase === 'stopped';
  for (const { hold: h } of mine) {
    const fields = { domu: h.name, hold: h.purpose, operation: h.operation };
    if (stopping) fx.push(log('info', `${h.name} still held by ${h.by}, which runs on: this agent is stopping, so the hold ends here (a migration command asks the next agent to hold ${h.name})`, fields));
    else fx.push(log('info', `${h.name} released by ${h.by}: reading the host again`, fields));
  }
  return stopping ? n : requestFullRead(n, fx);
}
