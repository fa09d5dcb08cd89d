import type { DrbdResourceView } from '../../shared/inventory.js';
import type { LinkDomuConfig } from '../../shared/protocol/agent-link-state.js';
import { unknownEvents2Kind, type Events2Line } from '../parse/events2.js';
import { emptyDrbdState, reduceDrbd } from '../state/drbd-reducer.js';
import { viewsFromEvents } from '../state/drbd-view.js';
import type { DrbdAvailabilityWord } from '../state/snapshot.js';
import { log } from './effects.js';
import type { AgentState, DrbdFacts } from './state.js';
import { arm, disarm, type Fx } from './timers.js';
import { becameHealthy, exited, initialWatcher, spawned, type ExitFacts } from './watcher.js';

/**
 * The DRBD part of the agent's state: `drbdsetup events2` reduced line by line while the watcher
 * works, `drbdadm status` polled where it does not, and whether DRBD is there at all. Nothing
 * here loads the DRBD module: availability comes from /proc/drbd, read by the full read.
 */
const withDrbd = (s: AgentState, drbd: Partial<DrbdFacts>): AgentState => ({ ...s, drbd: { ...s.drbd, ...drbd } });

/** Every DRBD resource the guarded domUs use: all guarded autostart decides on. */
export const guardedResources = (s: AgentState): string[] => [...new Set(s.guarded.flatMap((g) => g.drbdResources))];

/**
 * Every DRBD resource held here: those of the guarded domUs (and the ledger's visitors), then
 * those of every other domU this host holds a config for (a standby replica of a domU homed on the
 * partner) whose `.res` here names HOST, as inventory's standby list asks. What the controller is
 * told of, and what polling reads: a replica's side of a pair is half of what `check` judges. A
 * resource whose `.res` here does not name this host (or is missing) is not up here by design:
 * reporting it would be a false "not up".
 */
export function resourcesHeld(guarded: readonly { readonly drbdResources: readonly string[] }[], domus: readonly LinkDomuConfig[], host: string): string[] {
  const out = new Set(guarded.flatMap((g) => g.drbdResources));
  for (const d of domus) for (const r of d.resources) if (r.hosts.includes(host)) out.add(r.name);
  return [...out];
}

export const reportedResources = (s: AgentState): string[] => resourcesHeld(s.guarded, s.domus, s.host);

function only(views: ReadonlyMap<string, DrbdResourceView>, names: readonly string[]): Map<string, DrbdResourceView> {
  const out = new Map<string, DrbdResourceView>();
  for (const n of names) {
    const v = views.get(n);
    if (v !== undefined) out.set(n, v);
  }
  return out;
}

/**
 * The views guarded autostart decides on: the guarded resources' alone, whatever else is read (a
 * standby replica's resource never starts or defers anything here). A resource missing here
 * defers its domUs.
 */
export function drbdViews(s: AgentState): ReadonlyMap<string, DrbdResourceView> {
  if (s.drbd.availability !== 'ok') return new Map();
  if (s.drbd.watcher.mode === 'polling') return only(s.drbd.polled, guardedResources(s));
  return viewsFromEvents(s.drbd.events, guardedResources(s));
}

/**
 * Why each guarded resource drbdViews leaves out could not be read, with what ends it: an events2
 * stream without its full dump knows nothing, a poll names its tool's failure. Tools missing and
 * the module not loaded are defers of their own (decide/autostart.ts); 'unknown' is before that.
 */
export function drbdUnread(s: AgentState): Map<string, string> {
  const views = drbdViews(s);
  const missing = guardedResources(s).filter((r) => !views.has(r));
  const why = new Map<string, string>();
  if (missing.length === 0) return why;
  const d = s.drbd;
  const all = (text: string): Map<string, string> => new Map(missing.map((r) => [r, text]));
  if (d.availability === 'unknown') {
    return all(s.lastFullRead === null ? 'this host has not been read yet' : 'whether DRBD is loaded could not be read (the journal says why: "cannot tell whether DRBD is available"); it is read again at every full read');
  }
  if (d.availability !== 'ok') return why;
  if (d.watcher.mode === 'polling') {
    for (const r of missing) why.set(r, d.pollProblems?.get(r) ?? 'no `drbdadm status` poll has read it yet');
    return why;
  }
  if (d.events.stale) return all('drbdsetup events2 lost events and is being restarted for a fresh state');
  if (!d.watcher.running) return all('drbdsetup events2 ended and is being restarted (the journal says why); its first full dump decides again');
  return all('drbdsetup events2 has not printed its first full dump yet; it is decided again once it has');
}

/** The views reported to the controller: every resource held here (resourcesHeld). */
export function reportedDrbdViews(s: AgentState): ReadonlyMap<string, DrbdResourceView> {
  if (s.drbd.availability !== 'ok') return new Map();
  if (s.drbd.watcher.mode === 'polling') return only(s.drbd.polled, reportedResources(s));
  return viewsFromEvents(s.drbd.events, reportedResources(s));
}

/** For `status`: how DRBD changes reach the agent. */
export function describeDrbdSource(s: AgentState): string {
  const d = s.drbd;
  if (d.availability === 'tools-missing') return 'none (DRBD tools not installed)';
  if (d.availability === 'module-not-loaded') return 'none until the DRBD module is loaded (re-checked on every full re-read)';
  if (d.availability === 'unknown') return 'none yet: whether DRBD is loaded is read again at every full read';
  if (d.watcher.mode === 'polling') return `polling drbdadm status every ${s.config.events.pollSeconds} s (${d.watcher.pollingWhy ?? 'polling'})`;
  if (!d.watcher.running) return 'drbdsetup events2 (restarting)';
  return d.events.initialDone ? 'drbdsetup events2' : 'drbdsetup events2 (reading initial state)';
}

function spawnWatcher(s: AgentState, fx: Fx): AgentState {
  const watcher = spawned(s.drbd.watcher);
  fx.push({ e: 'watch', watcher: 'drbd', gen: watcher.gen });
  return withDrbd(s, { watcher, events: emptyDrbdState });
}

function startPolling(s: AgentState, fx: Fx): AgentState {
  if (s.timers.has('poll:drbd')) return s;
  fx.push({ e: 'poll-drbd', names: reportedResources(s) });
  return arm(s, fx, 'poll:drbd', s.config.events.pollSeconds * 1000);
}

/** Stops every DRBD source (module gone, tools gone, agent stopping, watcher settings changed). */
export function stopDrbdSources(s: AgentState, fx: Fx): AgentState {
  if (s.drbd.watcher.running) fx.push({ e: 'unwatch', watcher: 'drbd', gen: s.drbd.watcher.gen });
  let n = withDrbd(s, { watcher: { ...s.drbd.watcher, running: false }, events: emptyDrbdState, polled: new Map(), pollProblems: new Map() });
  for (const t of ['poll:drbd', 'respawn:drbd', 'probe:drbd']) n = disarm(n, fx, t);
  return n;
}

/**
 * At start, before the first full read: whether /proc/drbd alone says DRBD is loaded, so the
 * events2 stream (whose initial dump the first decisions wait for) is spawned before that read's
 * tool runs rather than after the read. True when asked: the answer requests the full read.
 */
export function probeDrbdEarly(s: AgentState, fx: Fx): boolean {
  if (s.drbd.watcher.mode !== 'events' || s.drbd.availability !== 'unknown') return false;
  fx.push({ e: 'probe-drbd' });
  return true;
}

/** The early probe's answer: a loaded module starts the stream now; anything else waits for the full read. */
export function onDrbdProbed(s: AgentState, fx: Fx, loaded: boolean, version: string | null): AgentState {
  if (!loaded || s.phase !== 'starting' || s.drbd.availability !== 'unknown' || s.drbd.watcher.mode !== 'events') return s;
  return applyAvailability(s, fx, 'ok', version, null);
}

/** After a full read: DRBD (still) there or not; sources started or stopped to match. */
export function applyAvailability(s: AgentState, fx: Fx, availability: DrbdAvailabilityWord, version: string | null, polled: ReadonlyMap<string, DrbdResourceView> | null, pollProblems: readonly { readonly resource: string; readonly message: string }[] = []): AgentState {
  let n = polled ? onDrbdPolled(s, polled, pollProblems) : s;
  n = withDrbd(n, { availability, version });
  if (availability !== 'ok') return s.drbd.availability === availability ? n : stopDrbdSources(n, fx);
  // a read begun before a stop may answer after it: a stopped agent starts no source, and an
  // events2 child started then would run on with nothing left to end it
  if (n.phase === 'stopping' || n.phase === 'stopped') return n;
  if (n.drbd.watcher.mode === 'polling') {
    n = startPolling(n, fx);
    if (!n.drbd.watcher.pollOnly && !n.drbd.watcher.running && !n.timers.has('probe:drbd')) n = arm(n, fx, 'probe:drbd', 0);
    return n;
  }
  if (!n.drbd.watcher.running && !n.timers.has('respawn:drbd')) n = spawnWatcher(n, fx);
  return n;
}

export function onDrbdLine(s: AgentState, fx: Fx, gen: number, line: Events2Line): AgentState {
  const w = s.drbd.watcher;
  if (gen !== w.gen || !w.running) return s;
  const wasDone = s.drbd.events.initialDone;
  const events = reduceDrbd(s.drbd.events, line);
  let n = withDrbd(s, { events });
  if (events.stale) {
    fx.push(log('warn', 'drbdsetup events2 lost events: restarting it for a fresh state'));
    fx.push({ e: 'unwatch', watcher: 'drbd', gen });
    return n;
  }
  if (!events.initialDone) return n;
  if (!wasDone) {
    const h = becameHealthy(w);
    n = withDrbd(n, { watcher: h.state });
    if (h.backToEvents) {
      fx.push(log('info', 'drbdsetup events2 works again: DRBD changes come from it, polling stopped', { source: 'drbd' }));
      n = disarm(n, fx, 'poll:drbd');
    }
  }
  return n.drbd.watcher.mode === 'events' ? { ...n, dirty: true } : n;
}

/** remembered unknown line kinds, bounded: a stream of ever-new words cannot grow the state */
const MAX_IGNORED_KINDS = 16;

/**
 * A line the parser refused. One of a verb or object this agent does not know (a newer drbd-utils
 * adds them, as it added `path` and `rename`) is skipped, warned about once: the state words we act
 * on come only from the kinds we know, which are still parsed strictly, and restarting would only
 * print the same line again. Anything else is a failure of the watcher: stopped, respawned with
 * backoff, and polled instead after repeated ones (watcher.ts), like a watcher that dies.
 */
export function onDrbdBadLine(s: AgentState, fx: Fx, gen: number, message: string, text: string): AgentState {
  const w = s.drbd.watcher;
  if (gen !== w.gen || !w.running || w.badOutput !== null) return s;
  const unknown = unknownEvents2Kind(text);
  if (unknown !== null) {
    if (w.ignored.includes(unknown) || w.ignored.length >= MAX_IGNORED_KINDS) return s;
    fx.push(log('warn', `drbdsetup events2 printed a kind of line this agent does not know ("${unknown}", a newer drbd-utils?): ignoring such lines, DRBD state still comes from the ones it knows; upgrade xenherd if this persists`, { code: 'XH_ERR_TOOL_OUTPUT', tool: 'drbdsetup', line: text.slice(0, 500) }));
    return withDrbd(s, { watcher: { ...w, ignored: [...w.ignored, unknown] } });
  }
  fx.push(log('error', `unreadable drbdsetup events2 line, restarting the stream with backoff: ${message}`, { code: 'XH_ERR_TOOL_OUTPUT', tool: 'drbdsetup', line: text.slice(0, 500) }));
  fx.push({ e: 'unwatch', watcher: 'drbd', gen });
  return withDrbd(s, { watcher: { ...w, badOutput: message.slice(0, 300) } });
}

export function onDrbdExit(s: AgentState, fx: Fx, gen: number, facts: ExitFacts): AgentState {
  const w = s.drbd.watcher;
  if (gen !== w.gen) return s;
  // unknown until the next dump completes: nothing is started meanwhile
  let n = withDrbd(s, { events: emptyDrbdState });
  n = { ...n, dirty: true };
  if (s.phase === 'stopping' || s.phase === 'stopped') return withDrbd(n, { watcher: { ...w, running: false } });
  if (facts.notFound) {
    fx.push(log('warn', 'drbdsetup is not installed: DRBD domUs stay deferred until the DRBD tools are'));
    return withDrbd(n, { availability: 'tools-missing', watcher: { ...w, running: false } });
  }
  // stopped by us for an unreadable line: that line is why, not the stop
  if (w.badOutput !== null) facts = { ...facts, why: `unreadable line: ${w.badOutput}` };
  const r = exited(w, facts, s.config.events.respawnMaxSeconds * 1000);
  n = withDrbd(n, { watcher: r.state });
  const v = r.verdict;
  if (v.kind === 'respawn') {
    fx.push(log('warn', 'drbdsetup events2 ended: respawning it (its initial dump is a full re-read)', { reason: facts.why, respawnInMs: v.delayMs }));
    return arm(n, fx, 'respawn:drbd', v.delayMs);
  }
  if (v.kind === 'fall-back') {
    fx.push(log('warn', `drbdsetup events2 is unavailable here: polling drbdadm status every ${s.config.events.pollSeconds} s instead`, { reason: facts.why }));
    n = startPolling(n, fx);
  }
  return arm(n, fx, 'probe:drbd', v.probeMs);
}

/** respawn:drbd / probe:drbd fired: a new events2 child, if DRBD is still there. */
export function onDrbdRespawnTimer(s: AgentState, fx: Fx): AgentState {
  if (s.phase === 'stopping' || s.phase === 'stopped' || s.drbd.availability !== 'ok' || s.drbd.watcher.running || s.drbd.watcher.pollOnly) return s;
  return spawnWatcher(s, fx);
}

export function onDrbdPollTimer(s: AgentState, fx: Fx): AgentState {
  if (s.drbd.availability !== 'ok' || s.drbd.watcher.mode !== 'polling') return s;
  fx.push({ e: 'poll-drbd', names: reportedResources(s) });
  return arm(s, fx, 'poll:drbd', s.config.events.pollSeconds * 1000);
}

export function onDrbdPolled(s: AgentState, polled: ReadonlyMap<string, DrbdResourceView>, problems: readonly { readonly resource: string; readonly message: string }[] = []): AgentState {
  return { ...withDrbd(s, { polled, pollProblems: new Map(problems.map((p) => [p.resource, p.message.slice(0, 500)])) }), dirty: true };
}

/** New watcher settings (reload): the old source stops, the new one starts from scratch. */
export function resetDrbdWatcher(s: AgentState, fx: Fx): AgentState {
  let n = stopDrbdSources(s, fx);
  n = withDrbd(n, { watcher: { ...initialWatcher(s.config.events.drbd === 'poll', 'events.drbd is "poll" in the config'), gen: s.drbd.watcher.gen } });
  return n.drbd.availability === 'ok' ? applyAvailability(n, fx, 'ok', n.drbd.version, null) : n;
}
