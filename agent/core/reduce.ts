import { onConnClosed, onControl, flushReplies } from './control.js';
import { decide } from './decide.js';
import { onDomainBadLine, onDomainExit, onDomainLine, onDomainPollTimer, onDomainRespawnTimer, resetDomainWatcher, startDomainSource, stopDomainSource } from './domain-watch.js';
import { onDrbdBadLine, onDrbdExit, onDrbdLine, onDrbdPolled, onDrbdPollTimer, onDrbdRespawnTimer, resetDrbdWatcher, stopDrbdSources } from './drbd.js';
import { log, type Step } from './effects.js';
import type { AgentEvent } from './events.js';
import { onDomainsRead, onFullRead, onReadFailed, requestFullRead, requestList } from './reads.js';
import { dropQueued, onCreated, onRechecked } from './starts.js';
import { statusLine } from './status.js';
import type { AgentState } from './state.js';
import { arm, disarmAll, fired, type Fx } from './timers.js';

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
    case 'start':
      return requestFullRead(startDomainSource(s, fx), fx);
    case 'full-read':
      return onFullRead(s, fx, ev.read, now);
    case 'domains-read':
      return onDomainsRead(s, fx, ev.read);
    case 'read-failed':
      return onReadFailed(s, fx, ev.read, ev.message);
    case 'watch-line':
      return ev.watcher === 'drbd' ? onDrbdLine(s, fx, ev.gen, ev.line) : onDomainLine(s, fx, ev.gen);
    case 'watch-bad-line':
      return ev.watcher === 'drbd' ? onDrbdBadLine(s, fx, ev.gen, ev.message, ev.text) : onDomainBadLine(s, fx, ev.gen, ev.message, ev.text);
    case 'watch-exit': {
      const facts = { stoppedByUs: ev.stoppedByUs, notFound: ev.notFound, why: ev.why };
      return ev.watcher === 'drbd' ? onDrbdExit(s, fx, ev.gen, facts) : onDomainExit(s, fx, ev.gen, facts);
    }
    case 'drbd-polled':
      for (const p of ev.problems) fx.push(log('warn', `cannot read DRBD resource ${p.resource}: ${p.message}`, { resource: p.resource, code: p.code }));
      return onDrbdPolled(s, ev.views);
    case 'timer':
      return onTimer(fired(s, ev.name), fx, ev.name, now);
    case 'control':
      return onControl(s, fx, ev.id, ev.conn, ev.req, now);
    case 'conn-closed':
      return onConnClosed(s, fx, ev.conn);
    case 'rechecked':
      return maybeStopped(onRechecked(s, fx, ev.name, ev.domains, ev.polled), fx);
    case 'created':
      return maybeStopped(onCreated(s, fx, ev.name, ev.ok, ev.message, now), fx);
    case 'coexistence':
      for (const w of ev.warnings) fx.push(log('warn', w, { coexistence: true }));
      return { ...s, warnings: ev.warnings };
    case 'config':
      return onConfig(s, fx, ev.config);
    case 'stop':
      return onStop(s, fx);
    case 'settled':
      return onSettled(s, fx, now);
  }
}

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
    case 'initial-dump':
      return { ...s, dirty: true };
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
  const d = s.drbd;
  return d.availability !== 'ok' || d.watcher.mode === 'polling' || d.events.initialDone || !s.timers.has('initial-dump');
}

function onSettled(s: AgentState, fx: Fx, now: number): AgentState {
  let n = s;
  if (n.phase === 'starting' && readyToDecide(n)) {
    n = { ...n, phase: 'running' };
    n = decide(n, fx, now, false);
    const line = statusLine(n);
    const sources = { drbd: n.drbd.watcher.mode === 'polling' ? 'polling' : 'drbdsetup events2', domains: n.domainWatcher.mode === 'polling' ? 'polling' : 'xenstore-watch' };
    fx.push(log('info', `ready: ${line}`, { sources, toolstack: n.toolstack }));
    fx.push({ e: 'notify', ready: true, status: line });
    fx.push({ e: 'read-coexistence', guarded: n.guarded.filter((g) => g.error === null) });
    n = arm({ ...n, lastStatusLine: line }, fx, 'resync', n.config.events.resyncSeconds * 1000);
  } else if (n.phase === 'running' && n.dirty) n = decide(n, fx, now);
  // not ready yet (or stopping): whatever makes it ready marks the state dirty again
  else n = { ...n, dirty: false };
  return flushReplies(n, fx, now);
}

function onConfig(s: AgentState, fx: Fx, config: AgentState['config']): AgentState {
  const sourcesChanged = JSON.stringify(config.events) !== JSON.stringify(s.config.events);
  let n: AgentState = { ...s, config };
  fx.push({ e: 'set-log-level', level: config.logLevel });
  if (n.phase === 'running') n = arm(n, fx, 'resync', config.events.resyncSeconds * 1000);
  if (sourcesChanged) {
    fx.push(log('info', 'events.* changed: the watchers restart with the new settings'));
    n = resetDomainWatcher(resetDrbdWatcher(n, fx), fx);
  }
  fx.push(log('info', 'configuration reloaded, every guarded domU decided again'));
  fx.push({ e: 'read-coexistence', guarded: n.guarded.filter((g) => g.error === null) });
  return requestList(requestFullRead(n, fx), fx);
}

function onStop(s: AgentState, fx: Fx): AgentState {
  if (s.phase === 'stopping' || s.phase === 'stopped') return s;
  let n = disarmAll(s, fx);
  n = stopDomainSource(stopDrbdSources(n, fx), fx);
  n = dropQueued({ ...n, phase: 'stopping' }, fx);
  return maybeStopped(n, fx);
}

/** Stopping, and no `xl create` runs any more: done. */
function maybeStopped(s: AgentState, fx: Fx): AgentState {
  if (s.phase !== 'stopping' || s.jobs.length > 0) return s;
  fx.push({ e: 'stopped' });
  return { ...s, phase: 'stopped' };
}
