import { LINK_FEATURE, type ViewWord } from '../../shared/protocol/agent-link.js';
import { log } from './effects.js';
import type { AgentState } from './state.js';
import { arm, disarm, type Fx } from './timers.js';

/**
 * How current this agent's view of its own domains is, for the controller (link feature
 * `view-lag`). A xenstore domain event means `xl list` changed; until a list read started after
 * it lands, what the controller holds may name a domU that has left. A re-read that takes a moment
 * is normal; one outstanding for VIEW_BEHIND_AFTER_MS (the toolstack slow or hung) is said, so the
 * controller marks this host's rows stale instead of answering `where` from them. An `xl list`
 * that cannot be read at all is said at once: the report then carries no domains, which is not
 * "none run here".
 */
export const VIEW_BEHIND_AFTER_MS = 2_000;
const TIMER = 'view-behind';

/** Arms the timer for the oldest event still unanswered (or cancels it when none is). */
function rearm(s: AgentState, fx: Fx, now: number): AgentState {
  const oldest = s.domainsBehind[0];
  if (oldest === undefined) return disarm(s, fx, TIMER);
  const left = oldest.since + VIEW_BEHIND_AFTER_MS - now;
  return left > 0 ? arm(s, fx, TIMER, left) : disarm(s, fx, TIMER);
}

/** A domain event asked for a list read (reads.ts requestList ran just before): the view is behind until that read lands. */
export function noteDomainChange(s: AgentState, fx: Fx, now: number): AgentState {
  if (s.toolstack === null || !s.listRead.running) return s;
  // reads coalesce: the read asked for is the one just started, or the one queued after the read running now
  const untilList = s.listRead.done + (s.listRead.again ? 2 : 1);
  if (s.domainsBehind.some((b) => b.untilList === untilList)) return s;
  return rearm({ ...s, domainsBehind: [...s.domainsBehind, { since: now, untilList }] }, fx, now);
}

/** A list read ended (read or failed): the events it covers are answered. */
export function listLanded(s: AgentState, fx: Fx, now: number): AgentState {
  const left = s.domainsBehind.filter((b) => b.untilList > s.listRead.done);
  if (left.length === s.domainsBehind.length) return s;
  return rearm({ ...s, domainsBehind: left, dirty: true }, fx, now);
}

/**
 * The oldest unanswered event is VIEW_BEHIND_AFTER_MS old: decide (and report) again. The timer
 * measured that on the monotonic clock; when the system clock stepped back meanwhile, the events'
 * times lie ahead of now, and they are counted from now instead, the timer armed again: else the
 * view would read current, and nothing look again, for as long as the step.
 */
export function onViewTimer(s: AgentState, fx: Fx, now: number): AgentState {
  if (s.domainsBehind.length === 0) return s;
  const ahead = s.domainsBehind.some((b) => b.since > now);
  const n: AgentState = ahead ? { ...s, domainsBehind: s.domainsBehind.map((b) => (b.since > now ? { ...b, since: now } : b)) } : s;
  return { ...rearm(n, fx, now), dirty: true };
}

export function viewWord(s: AgentState, now: number): ViewWord {
  if (s.domains === null && s.fullRead.done > 0) return 'unknown';
  const oldest = s.domainsBehind[0];
  return oldest !== undefined && now - oldest.since >= VIEW_BEHIND_AFTER_MS ? 'behind' : 'current';
}

/** Why the view is VIEW, for the log line that says it is told. */
function viewWhy(s: AgentState, view: ViewWord, now: number): string {
  if (view === 'unknown') return '`xl list` cannot be read';
  return view === 'behind' ? `a domain change is ${((now - (s.domainsBehind[0]?.since ?? now)) / 1000).toFixed(1)} s old and xl list not read since` : 'xl list read again';
}

/**
 * The view a new link's snapshot carries, where the controller takes it (`snapshot-view`); null
 * where it does not (it is then said after the snapshot, reportView). A blind agent's snapshot
 * has no domains: said apart from them, they would first reach the controller as "none run here",
 * and it would drop the rows it kept for this host.
 */
export function snapshotView(s: AgentState, fx: Fx, now: number): ViewWord | null {
  if (!s.link.accepts.includes(LINK_FEATURE.viewLag) || !s.link.accepts.includes(LINK_FEATURE.snapshotView)) return null;
  const view = viewWord(s, now);
  if (view !== 'current') fx.push(log('warn', `telling the controller with this host's state that its view of its domains is ${view}: ${viewWhy(s, view, now)}`, { view }));
  return view;
}

/**
 * Tells the controller when the view changed, if it takes `view`. `lagging` (before the state is
 * sent): only a change away from current, so an unread list never reaches it as "none run here"
 * unmarked; `current` (after the state): only the return to current, once the delta carrying the
 * read went; `any`: right after a snapshot.
 */
export function reportView(s: AgentState, fx: Fx, now: number, only: 'lagging' | 'current' | 'any'): AgentState {
  if (s.link.phase !== 'up' || !s.link.accepts.includes(LINK_FEATURE.viewLag)) return s;
  const view = viewWord(s, now);
  if (view === s.link.viewSent) return s;
  if ((only === 'lagging' && view === 'current') || (only === 'current' && view !== 'current')) return s;
  fx.push(log(view === 'current' ? 'info' : 'warn', `telling the controller this host's view of its domains is ${view}: ${viewWhy(s, view, now)}`, { view }));
  fx.push({ e: 'link-send', gen: s.link.gen, message: { type: 'view', at: now, view } });
  return { ...s, link: { ...s.link, viewSent: view } };
}
