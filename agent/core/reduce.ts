import { onConnClosed, onControl, flushReplies } from './control.js';
import { decide } from './decide.js';
import { onRenameBadLine, onRenameExit, onRenameLine } from './rename-watch.js';
import { describeDomainSourceStarting, onDomainBadLine, onDomainExit, onDomainLine, onDomainPollTimer, onDomainRespawnTimer, resetDomainWatcher, startDomainSource, stopDomainSource } from './domain-watch.js';
import { describeDrbdSource, onDrbdBadLine, onDrbdExit, onDrbdLine, onDrbdPolled, onDrbdPollTimer, onDrbdProbed, onDrbdRespawnTimer, probeDrbdEarly, resetDrbdWatcher, stopDrbdSources } from './drbd.js';
import { log, type Step } from './effects.js';
import type { AgentEvent, BootRecordAgain } from './events.js';
import { onDomainsRead, onFullRead, onInfoRead, onReadFailed } from './reads.js';
import { requestFullRead, requestList } from './read-requests.js';
import { dropQueued, onCreated, onRechecked } from './starts.js';
import { onClaimBackoffEnd, onClaimed, onReleased, onReleaseRetry } from './claims.js';
import { onCommand, onCommandDone, onCommandProgress } from './commands.js';
import { onInspected } from './inspect-command.js';
import { maintenanceAfterList, onMaintenanceWritten } from './maintenance-command.js';
import { onPrimaryCheckTimer, onPrimaryProbed } from './failback.js';
import { closeLink, connectLink, heardFrom, onHeartbeatTimer, onLinkClosed, onLinkFailed, onLinkMessage, onLinkOpen, onLinkSilence, sendState } from './link.js';
import { statusLine } from './status.js';
import { onHomeAgainTimer, onLedgerRecordEnded } from './home-again.js';
import { onMismatchTimer } from './ledger-mismatches.js';
import { onStrandedTimer } from './stranded-half.js';
import { onLeftoverCreate } from './leftover-creates.js';
import type { AgentState } from './state.js';
import { arm, disarmAll, fired, type Fx } from './timers.js';
import { nameDom0InGuests, onNamesRead, onNamingTimer, onXenstoreWritten, settleReadBacks } from './xenstore-names.js';
import { onStartTimesRead, onStartTimesTimer, readStartTimes } from './start-times.js';
import { listLanded, noteDomainChange, onViewTimer, reportView } from './view-lag.js';
import { onStateDisksRead, readStateDisks } from './state-disks.js';

const INITIAL_FLEET_WAIT_MS = 10_000;

/**
 * The agent's reducer: one event and the time it is handled in, the next state and the effects to
 * run. Pure: everything it needs is in the state and the event.
 */
export function reduce(s: AgentState, ev: AgentEvent, now: number): Step<AgentState> {
  const fx: Fx = [];
  const state = handle(s, ev, now, fx);
  return { state, effects: fx };
}

function handle(s: AgentState, ev: AgentEvent, now: number, fx: Fx): AgentState {
  switch (ev.t) {
    case 'start': {
      // the link connects after the first read of the host: hello names the host as the
      // toolstack knows it (`xl info`, or its record), which is what the controller enrolled. The domain watch
      // starts at READY (onSettled): the first decisions read `xl list` anyway, and its first
      // line asks for another read then, so nothing is missed; before READY it would be one more
      // process starting beside the reads the decisions wait for
      const n = readStateDisks(probeDrbdEarly(s, fx) ? s : requestFullRead(s, fx), fx);
      // with a controller, the first decisions wait (bounded) for its view of where domUs run:
      // after a reboot, a guarded domU restarted elsewhere meanwhile must not be started here too
      return n.link.configured ? arm({ ...n, fleetWaitUntil: now + INITIAL_FLEET_WAIT_MS }, fx, 'initial-fleet', INITIAL_FLEET_WAIT_MS) : n;
    }
    case 'full-read':
      return connectFirst(onFullRead(s, fx, ev.read, now), fx);
    case 'state-disks-read':
      return onStateDisksRead(s, fx, ev.readings);
    case 'info-read':
      return onInfoRead(s, fx, ev.host, ev.memory, ev.xen, ev.problem);
    case 'drbd-probed':
      return requestFullRead(onDrbdProbed(s, fx, ev.loaded, ev.version), fx);
    case 'domains-read':
      return maintenanceAfterList(listLanded(onDomainsRead(s, fx, ev.read, now, ev.tookMs), fx, now), fx, now);
    case 'read-failed':
      return ev.read === 'full' ? connectFirst(onReadFailed(s, fx, ev.read, ev.message), fx) : maintenanceAfterList(listLanded(onReadFailed(s, fx, ev.read, ev.message), fx, now), fx, now);
    case 'watch-line':
      if (ev.watcher === 'drbd') return onDrbdLine(s, fx, ev.gen, ev.line);
      if (ev.watcher === 'renames') return onRenameLine(s, fx, ev.gen);
      // a line of the current watch asks for a list read: until it lands, the view is behind
      return ev.gen === s.domainWatcher.gen && s.domainWatcher.running ? noteDomainChange(onDomainLine(s, fx, ev.gen), fx, now) : s;
    case 'watch-bad-line':
      if (ev.watcher === 'renames') return onRenameBadLine(s, fx, ev.gen, ev.message, ev.text);
      return ev.watcher === 'drbd' ? onDrbdBadLine(s, fx, ev.gen, ev.message, ev.text) : onDomainBadLine(s, fx, ev.gen, ev.message, ev.text);
    case 'watch-exit': {
      const facts = { stoppedByUs: ev.stoppedByUs, notFound: ev.notFound, why: ev.why, cannotOpen: ev.cannotOpen };
      if (ev.watcher === 'renames') return onRenameExit(s, fx, ev.gen, facts);
      return ev.watcher === 'drbd' ? onDrbdExit(s, fx, ev.gen, facts) : onDomainExit(s, fx, ev.gen, facts);
    }
    case 'drbd-polled':
      for (const p of ev.problems) fx.push(log('warn', `cannot read DRBD resource ${p.resource}: ${p.message}`, { resource: p.resource, code: p.code }));
      return onDrbdPolled(s, ev.views, ev.problems);
    case 'timer':
      return onTimer(fired(s, ev.name), fx, ev.name, now);
    case 'control':
      return onControl(s, fx, ev.id, ev.conn, ev.req, now);
    case 'conn-closed':
      return onConnClosed(s, fx, ev.conn);
    case 'rechecked':
      return maybeStopped(onRechecked(s, fx, ev.name, ev.domains, ev.polled, now), fx);
    case 'released':
      return maybeStopped(onReleased(s, fx, ev.name, ev.problems), fx);
    case 'claimed':
      return maybeStopped(onClaimed(s, fx, ev.name, ev.promoted, ev.views, ev.problem), fx);
    case 'created':
      return maybeStopped(onCreated(s, fx, ev.name, ev.ok, ev.message, now), fx);
    case 'leftover-create':
      return onLeftoverCreate(s, fx, ev.name, ev.createPid, ev.running, now, ev.kept);
    case 'coexistence':
      for (const w of ev.warnings) fx.push(log('warn', w, { coexistence: true }));
      return { ...s, warnings: ev.warnings };
    case 'link-open':
      return onLinkOpen(s, fx, ev.gen, s.host);
    case 'link-primary-probed':
      return onPrimaryProbed(s, fx, ev.gen, ev.answers, now);
    case 'link-failed':
      return onLinkFailed(s, fx, ev.gen, ev.kind, ev.message, now, ev.retryAfterMs);
    case 'link-closed':
      return onLinkClosed(s, fx, ev.gen, ev.code, ev.reason, now);
    case 'link-bad-message':
      if (ev.gen === s.link.gen) fx.push(log('error', `controller link: a message this agent cannot read, closing the link: ${ev.why}`, { code: 'XH_ERR_PROTOCOL' }));
      if (ev.gen === s.link.gen) fx.push({ e: 'link-close', gen: ev.gen, code: 1002, reason: 'unreadable message' });
      return s;
    case 'link-message': {
      const n = heardFrom(s, fx, ev.gen);
      return ev.message.type === 'command' ? onCommand(n, fx, ev.gen, ev.message, now) : onLinkMessage(n, fx, ev.gen, ev.message, now);
    }
    case 'command-progress':
      return onCommandProgress(s, fx, ev.commandId, ev.line);
    case 'command-done':
      return onCommandDone(s, fx, ev.commandId, ev.outcome, now);
    case 'away-ended':
      return onLedgerRecordEnded(s, fx, ev.name, 'away', ev.problem);
    case 'visitor-ended':
      return onLedgerRecordEnded(s, fx, ev.name, 'visitor', ev.problem);
    case 'maintenance-written':
      return onMaintenanceWritten(s, fx, ev.problem, now);
    case 'inspected':
      return onInspected(s, fx, ev.commandId, ev.read, now);
    case 'xenstore-written':
      return onXenstoreWritten(s, fx, ev.named, ev.failed, now);
    case 'xenstore-names-read':
      return onNamesRead(s, fx, ev.domus, ev.read, now);
    case 'start-times-read':
      return settleReadBacks(onStartTimesRead(s, fx, ev.reads, now), fx, now);
    case 'config':
      return onConfig(withBootRecord(s, fx, ev.bootRecord), fx, ev.config, ev.configFile);
    case 'stop':
      return onStop(s, fx);
    case 'settled':
      return onSettled(s, fx, now);
  }
}

/** The first connection, once the host has been read (or could not be: then by the kernel's name). */
const connectFirst = (s: AgentState, fx: Fx): AgentState => (s.link.phase === 'off' && s.link.gen === 0 ? connectLink(s, fx) : s);

function onTimer(s: AgentState, fx: Fx, name: string, now: number): AgentState {
  if (s.phase === 'stopping' || s.phase === 'stopped') return s;
  const [kind] = name.split(':');
  switch (kind) {
    case 'resync':
      return requestFullRead(arm(s, fx, 'resync', s.config.events.resyncSeconds * 1000), fx);
    case 'defer':
      return requestFullRead(s, fx);
    case 'retry':
      return { ...s, dirty: true };
    case 'claim':
      return onClaimBackoffEnd(s, name.slice('claim:'.length));
    case 'release':
      return onReleaseRetry(s, fx, name.slice('release:'.length));
    case 'initial-fleet':
      if (s.phase === 'starting' && s.link.fleet === null) fx.push(log('warn', `the controller's view did not come within ${INITIAL_FLEET_WAIT_MS / 1000} s: deciding by the DRBD rules alone until it does`));
      return { ...s, dirty: true };
    case 'initial-dump':
    case 'fleet-stale':
    case 'replication':
      return { ...s, dirty: true };
    case 'state-disks':
      return readStateDisks(s, fx);
    case 'start-times':
      return onStartTimesTimer(s, fx, now);
    case 'xenstore-names':
      return onNamingTimer(s, fx);
    case 'view-behind':
      return onViewTimer(s, fx, now);
    case 'stranded':
      return onStrandedTimer(s, fx);
    case 'home-again':
      return onHomeAgainTimer(s, fx);
    case 'mismatch':
      return onMismatchTimer(s, fx);
    case 'migration-rows':
      return requestList(s, fx);
    case 'link-retry':
      return connectLink(s, fx);
    case 'link-silence':
      return onLinkSilence(s, fx, now);
    case 'primary-check':
      return onPrimaryCheckTimer(s, fx, now);
    case 'heartbeat':
      return onHeartbeatTimer(s, fx, now);
    case 'watchdog':
      fx.push({ e: 'watchdog' });
      return s.watchdogMs === null ? s : arm(s, fx, 'watchdog', s.watchdogMs);
    case 'respawn':
    case 'probe':
      return name.endsWith(':drbd') ? onDrbdRespawnTimer(s, fx) : onDomainRespawnTimer(s, fx);
    case 'poll':
      return name.endsWith(':drbd') ? onDrbdPollTimer(s, fx) : onDomainPollTimer(s, fx);
    default:
      fx.push(log('error', `unknown timer ${name}`, { code: 'XH_ERR_INTERNAL', at: now }));
      return s;
  }
}

/** The first decisions wait for the first full read and, bounded, for events2's initial dump. */
function readyToDecide(s: AgentState): boolean {
  if (s.fullRead.done < 1) return false;
  if (s.link.configured && s.link.fleet === null && s.timers.has('initial-fleet')) return false;
  const d = s.drbd;
  return d.availability !== 'ok' || d.watcher.mode === 'polling' || d.events.initialDone || !s.timers.has('initial-dump');
}

function onSettled(s: AgentState, fx: Fx, now: number): AgentState {
  let n = s;
  if (n.phase === 'starting' && readyToDecide(n)) {
    n = { ...n, phase: 'running' };
    n = decide(n, fx, now, false);
    const line = statusLine(n);
    // what runs now: no DRBD source without its tools or module, the domain source only starting (below)
    const sources = { drbd: describeDrbdSource(n), domains: describeDomainSourceStarting(n) };
    fx.push(log('info', `ready: ${line}`, { sources, toolstack: n.toolstack }));
    fx.push({ e: 'notify', ready: true, status: line });
    // held back until READY (core/xenstore-names.ts): its tool runs go out after READY=1
    n = readStartTimes(nameDom0InGuests(startDomainSource(n, fx), fx, now, true), fx);
    if (n.hostToConfirm && n.toolstack !== null) fx.push({ e: 'read-info', toolstack: n.toolstack });
    fx.push({ e: 'read-coexistence', guarded: n.guarded.filter((g) => g.error === null), toolstack: n.toolstack });
    n = arm({ ...n, lastStatusLine: line }, fx, 'resync', n.config.events.resyncSeconds * 1000);
    if (n.watchdogMs !== null) n = arm(n, fx, 'watchdog', n.watchdogMs);
  } else if (n.phase === 'running' && n.dirty) n = decide(n, fx, now);
  // not ready yet (or stopping): whatever makes it ready marks the state dirty again
  else n = { ...n, dirty: false };
  // a view gone behind is said before the state it makes stale, its return after the state that answers it
  if (n.phase === 'running') n = reportView(sendState(reportView(n, fx, now, 'lagging'), fx, now), fx, now, 'current');
  return flushReplies(n, fx, now);
}

/** A lost boot record read again at a reload: the loss as it stands now, and the domUs it names joining those handled. */
function withBootRecord(s: AgentState, fx: Fx, again: BootRecordAgain | undefined): AgentState {
  if (again === undefined) return s;
  const handled = new Set([...s.handledThisBoot, ...again.handled]);
  if (handled.size === s.handledThisBoot.size) return { ...s, bootRecordLost: again.lost };
  fx.push({ e: 'save-boot-record', names: [...handled].sort() });
  return { ...s, bootRecordLost: again.lost, handledThisBoot: handled };
}

function onConfig(s: AgentState, fx: Fx, config: AgentState['config'], configFile = s.configFile): AgentState {
  const sourcesChanged = JSON.stringify(config.events) !== JSON.stringify(s.config.events);
  let n: AgentState = { ...s, config, configFile };
  fx.push({ e: 'set-log-level', level: config.logLevel });
  if (n.phase === 'running') n = arm(n, fx, 'resync', config.events.resyncSeconds * 1000);
  if (sourcesChanged) {
    fx.push(log('info', 'events.* changed: the watchers restart with the new settings'));
    n = resetDomainWatcher(resetDrbdWatcher(n, fx), fx);
  }
  fx.push(log('info', 'configuration reloaded, every guarded domU decided again'));
  fx.push({ e: 'read-coexistence', guarded: n.guarded.filter((g) => g.error === null), toolstack: n.toolstack });
  return requestList(requestFullRead(n, fx), fx);
}

function onStop(s: AgentState, fx: Fx): AgentState {
  if (s.phase === 'stopping' || s.phase === 'stopped') return s;
  carriedOn(s, fx);
  let n = disarmAll(s, fx);
  n = closeLink(stopDomainSource(stopDrbdSources(n, fx), fx), fx);
  n = dropQueued({ ...n, phase: 'stopping' }, fx);
  return maybeStopped(n, fx);
}

/**
 * A controller's migrate, reverse, shutdown or start runs in a child process, which outlives this
 * agent (KillMode=process) and its pipes, and records its move in the ledger on its own
 * (agent/cli/broken-pipe.ts). The stop does not wait for it: a migration may take minutes, a
 * restart or upgrade must not, and the link closes now, so its result could reach nobody anyway.
 * Said here because this line is then all the journal has of it.
 */
function carriedOn(s: AgentState, fx: Fx): void {
  for (const c of s.commands) {
    if (c.op === 'inspect' || c.op === 'maintenance') continue;
    fx.push(log('info', `stopping while the controller's ${c.op} of ${c.name ?? '?'} runs (command ${c.commandId}): it carries on without this agent to its end and records its outcome in the ledger; its result will not reach the controller`, { commandId: c.commandId, op: c.op, domu: c.name ?? undefined }));
  }
}

/** Stopping, and no `xl create` runs any more: done. */
function maybeStopped(s: AgentState, fx: Fx): AgentState {
  if (s.phase !== 'stopping' || s.jobs.length > 0) return s;
  fx.push({ e: 'stopped' });
  return { ...s, phase: 'stopped' };
}
