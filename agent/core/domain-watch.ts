import { log } from './effects.js';
import { requestList } from './read-requests.js';
import { stopRenameWatch } from './rename-watch.js';
import type { AgentState } from './state.js';
import { arm, disarm, type Fx } from './timers.js';
import { becameHealthy, exited, initialWatcher, spawned, type ExitFacts } from './watcher.js';

/**
 * When to read `xl list` again: on every `xenstore-watch @introduceDomain @releaseDomain` line (a
 * hint, never a fact: it also fires at registration and spuriously), or by polling where the
 * watch is unavailable, under the shared watcher supervision (core/watcher.ts).
 */
const withWatcher = (s: AgentState, domainWatcher: AgentState['domainWatcher']): AgentState => ({ ...s, domainWatcher });

export function describeDomainSource(s: AgentState): string {
  const w = s.domainWatcher;
  if (w.mode === 'polling') return `polling xl list every ${s.config.events.pollSeconds} s (${w.pollingWhy ?? 'polling'})`;
  return w.running ? 'xenstore-watch @introduceDomain @releaseDomain' : 'xenstore-watch (restarting)';
}

/**
 * For the `ready` line, said just before the source starts: xenstore-watch has not run yet and
 * may not be installed, or xenstored may be down (its fall-back line then says which).
 */
export function describeDomainSourceStarting(s: AgentState): string {
  if (s.domainWatcher.mode === 'polling') return describeDomainSource(s);
  return 'xenstore-watch @introduceDomain @releaseDomain, starting (polling xl list instead if it cannot run)';
}

function spawnWatch(s: AgentState, fx: Fx): AgentState {
  const w = spawned(s.domainWatcher);
  fx.push({ e: 'watch', watcher: 'domains', gen: w.gen });
  return withWatcher(s, w);
}

function startPolling(s: AgentState, fx: Fx): AgentState {
  if (s.timers.has('poll:domains')) return s;
  return arm(s, fx, 'poll:domains', s.config.events.pollSeconds * 1000);
}

/** The agent starts: the watch (or polling) begins before the first full read. */
export function startDomainSource(s: AgentState, fx: Fx): AgentState {
  return s.domainWatcher.mode === 'polling' ? startPolling(s, fx) : spawnWatch(s, fx);
}

export function stopDomainSource(s: AgentState, fx: Fx): AgentState {
  if (s.domainWatcher.running) fx.push({ e: 'unwatch', watcher: 'domains', gen: s.domainWatcher.gen });
  let n = withWatcher(s, { ...s.domainWatcher, running: false });
  for (const t of ['poll:domains', 'respawn:domains', 'probe:domains']) n = disarm(n, fx, t);
  return stopRenameWatch(n, fx);
}

export function onDomainLine(s: AgentState, fx: Fx, gen: number): AgentState {
  const w = s.domainWatcher;
  if (gen !== w.gen || !w.running) return s;
  let n = s;
  if (!w.healthy) {
    const h = becameHealthy(w);
    n = withWatcher(n, h.state);
    if (h.backToEvents) {
      fx.push(log('info', 'xenstore-watch works again: domain changes come from it, polling stopped', { source: 'domains' }));
      n = disarm(n, fx, 'poll:domains');
    }
  }
  return requestList(n, fx);
}

export function onDomainBadLine(s: AgentState, fx: Fx, gen: number, message: string, text: string): AgentState {
  if (gen !== s.domainWatcher.gen) return s;
  fx.push(log('warn', `unreadable xenstore-watch line: ${message}`, { code: 'XH_ERR_TOOL_OUTPUT', line: text.slice(0, 500) }));
  return s;
}

/**
 * The fall-back line. Where xenstore-watch could not open xenstore, xl cannot either: polling is
 * said to fail too, so "unavailable here" is not read as a tool missing that polling makes up for.
 */
function fallBackWords(facts: ExitFacts, pollSeconds: number): string {
  const polling = `polling xl list every ${pollSeconds} s instead`;
  switch (facts.cannotOpen) {
    case 'xenstore-down':
      return `xenstore-watch cannot run: xenstored is not running on this Dom0; ${polling}, which fails too until xenstored runs again`;
    case 'need-root':
      return `xenstore-watch cannot open xenstore: the agent does not run as root; ${polling}, which fails too until it does`;
    case null:
      return `xenstore-watch is unavailable here: ${polling}`;
  }
}

export function onDomainExit(s: AgentState, fx: Fx, gen: number, facts: ExitFacts): AgentState {
  const w = s.domainWatcher;
  if (gen !== w.gen) return s;
  if (s.phase === 'stopping' || s.phase === 'stopped') return withWatcher(s, { ...w, running: false });
  const r = exited(w, facts, s.config.events.respawnMaxSeconds * 1000);
  let n = withWatcher(s, r.state);
  const v = r.verdict;
  if (v.kind === 'respawn') {
    fx.push(log('warn', 'xenstore-watch ended: respawning it', { reason: facts.why, respawnInMs: v.delayMs }));
    return arm(n, fx, 'respawn:domains', v.delayMs);
  }
  if (v.kind === 'fall-back') {
    fx.push(log('warn', fallBackWords(facts, s.config.events.pollSeconds), { reason: facts.why }));
    n = requestList(startPolling(n, fx), fx);
  }
  return arm(n, fx, 'probe:domains', v.probeMs);
}

/** respawn:domains / probe:domains fired; events may have been missed meanwhile: read again. */
export function onDomainRespawnTimer(s: AgentState, fx: Fx): AgentState {
  if (s.phase === 'stopping' || s.phase === 'stopped' || s.domainWatcher.running || s.domainWatcher.pollOnly) return s;
  return requestList(spawnWatch(s, fx), fx);
}

export function onDomainPollTimer(s: AgentState, fx: Fx): AgentState {
  if (s.domainWatcher.mode !== 'polling' || s.phase === 'stopping' || s.phase === 'stopped') return s;
  return requestList(arm(s, fx, 'poll:domains', s.config.events.pollSeconds * 1000), fx);
}

export function resetDomainWatcher(s: AgentState, fx: Fx): AgentState {
  const n = stopDomainSource(s, fx);
  const fresh = { ...initialWatcher(s.config.events.domains === 'poll', 'events.domains is "poll" in the config'), gen: s.domainWatcher.gen };
  return startDomainSource(withWatcher(n, fresh), fx);
}
