import { nextRandom } from '../../shared/random.js';
import { AGENT_LINK_PROTOCOL_VERSION, LINK_FEATURE, LINK_RETRY_JITTER, LINK_RETRY_MAX_MS, type ControllerMessage, type DeltaMessage } from '../../shared/protocol/agent-link.js';
import type { HostState } from '../../shared/protocol/agent-link-state.js';
import { domainRowsBetween } from '../../shared/protocol/domain-rows.js';
import { AGENT_STOPPING_REASON, CLOSE } from '../../shared/link/link.js';
import { log } from './effects.js';
import { changedSections, hostStateOf, unreportedDomains } from './host-state.js';
import type { AgentState, LinkState } from './state.js';
import { afterRetryAfter, armPrimaryCheck, heldBack, nextDial, soonestDial } from './link-urls.js';
import { arm, disarm, type Fx } from './timers.js';
import { reportView, snapshotView } from './view-lag.js';

/**
 * The agent's link to its controller, as state: connect, `hello`, wait for `welcome`, then a full
 * `snapshot` and a `delta` of the changed sections after every round of decisions, heartbeats,
 * and whenever the link goes a first try within the controller's reconnect spread (retryWait),
 * then a jittered exponential backoff. The agent works the same without a controller; the
 * controller's fleet view only ever makes guarded autostart stricter, and only while the link is
 * up and the view fresh.
 */

const RETRY_BASE_MS = 1_000;
const REFUSED_MAX_MS = 5 * 60_000;
/**
 * How long a connected controller may leave `hello` unanswered. Once up, it speaks every
 * heartbeat (the fleet view), so silence for its own staleAfter means a peer that hangs, and the
 * link is given up for the next try (and the next URL) instead of waiting on it forever.
 */
export const WELCOME_WAIT_MS = 30_000;

const withLink = (s: AgentState, link: Partial<LinkState>): AgentState => ({ ...s, link: { ...s.link, ...link } });
const live = (s: AgentState): boolean => s.phase !== 'stopping' && s.phase !== 'stopped';

export function connectLink(s: AgentState, fx: Fx): AgentState {
  if (!s.link.configured || !live(s)) return s;
  const gen = s.link.gen + 1;
  fx.push({ e: 'link-connect', gen, url: s.link.url.at });
  return withLink(s, { phase: 'connecting', gen, sent: null, seq: 0, doneIds: [] });
}

/**
 * How long to wait before the next try, R a uniform draw in [0, 1). A link that was up (its fleet
 * view came) and dropped waits a draw in [0, the controller's reconnect spread]: a controller
 * restart drops every agent at once, and the spread keeps them from all dialling it back in the
 * same second. Every other try keeps the jittered backoff, as does a link the controller refused.
 */
function retryWait(s: AgentState, failures: number, refused: boolean, r: number): number {
  const spread = s.link.reconnectSpreadMs;
  if (spread !== null && failures === 1 && s.link.phase === 'up' && !refused) return Math.round(r * spread);
  const max = refused ? REFUSED_MAX_MS : LINK_RETRY_MAX_MS;
  return Math.round(Math.min(max, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 20)) * (LINK_RETRY_JITTER.min + r * (LINK_RETRY_JITTER.max - LINK_RETRY_JITTER.min)));
}

/**
 * The wait a Retry-After of HELDMS holds this agent back, and a draw from RNG in [0, the reconnect
 * spread] after it (at least RETRY_BASE_MS): a proxy before a restarting controller may give every
 * agent the same moment (an HTTP date), and agents dialling back on that millisecond would meet it
 * as one burst, the backlog overflow the spread exists to avoid.
 */
function afterHeld(s: AgentState, heldMs: number, rng: number): { ms: number; rng: number } {
  if (heldMs <= 0) return { ms: 0, rng };
  const r = nextRandom(rng);
  return { ms: heldMs + Math.round(r.value * Math.max(RETRY_BASE_MS, s.link.reconnectSpreadMs ?? 0)), rng: r.state };
}

/**
 * The link is gone: wait, then dial again (which URL: link-urls.ts nextDial); RETRY_AFTER is a
 * wait the controller's address asked for at that moment (a Retry-After), binding its URL alone;
 * SILENT: the controller fell silent, so the next URL.
 */
function lost(s: AgentState, fx: Fx, why: string, refused: boolean, now: number, retryAfterMs = 0, silent = false): AgentState {
  const failures = s.link.failures + 1;
  const r = nextRandom(s.rng);
  const at = s.link.url.at;
  const own = (s.link.backoff[at]?.failures ?? 0) + 1;
  const ownWait = retryWait(s, own, refused, r.value);
  const backoff = { ...s.link.backoff, [at]: { failures: own, refused, dueAt: now + ownWait } };
  const from = afterRetryAfter(s.link.url, retryAfterMs, now);
  const how = silent ? 'silent' : s.link.phase === 'up' ? 'dropped' : 'failed';
  const next = nextDial(from, how, ownWait);
  // the rest of a stay after a drop is nextDial's own; any other move goes to the URL due first,
  // a refusal's longer backoff binding only the URL that refused
  const dial = next.url.at !== at && !(how === 'failed' && from.stayMs > 0) ? soonestDial(next, backoff, now, LINK_RETRY_MAX_MS) : next;
  const held = afterHeld(s, heldBack(dial.url, now), r.state);
  const waitMs = Math.max(dial.waitMs, held.ms);
  const level = s.link.phase === 'up' || refused ? 'warn' : 'info';
  fx.push(log(level, `controller link: ${why}; trying again in ${(waitMs / 1000).toFixed(1)} s`, { link: 'down', failures }));
  const told = s.link.problem !== null && s.link.problem.fromController && s.link.problem.gen === s.link.gen;
  const problem = told ? s.link.problem : { why, gen: s.link.gen, fromController: false };
  let n = withLink({ ...s, rng: held.rng, dirty: true }, { phase: 'waiting', failures, backoff, sent: null, fleet: null, refused, problem, url: dial.url, failbackHeld: null });
  n = disarm(disarm(disarm(disarm(n, fx, 'heartbeat'), fx, 'fleet-stale'), fx, 'link-silence'), fx, 'primary-check');
  return live(n) ? arm(n, fx, 'link-retry', waitMs) : n;
}

export function onLinkOpen(s: AgentState, fx: Fx, gen: number, host: string): AgentState {
  if (gen !== s.link.gen || s.link.phase !== 'connecting') return s;
  const h = s.link.hello;
  fx.push({ e: 'link-send', gen, message: { type: 'hello', protocol: AGENT_LINK_PROTOCOL_VERSION, host, bootId: h.bootId, agentVersion: h.agentVersion, capabilities: [...h.capabilities] } });
  return arm(withLink(s, { phase: 'hello' }), fx, 'link-silence', WELCOME_WAIT_MS);
}

/** Any message from the controller of an up link: it is alive, the silence timer starts again. */
export function heardFrom(s: AgentState, fx: Fx, gen: number): AgentState {
  return gen === s.link.gen && s.link.phase === 'up' ? arm(s, fx, 'link-silence', s.link.staleAfterMs) : s;
}

/** The silence timer fired: no welcome, or nothing for staleAfter. */
export function onLinkSilence(s: AgentState, fx: Fx, now: number): AgentState {
  if (s.link.phase !== 'hello' && s.link.phase !== 'up') return s;
  const waited = s.link.phase === 'hello' ? `no answer to hello within ${WELCOME_WAIT_MS / 1000} s` : `nothing heard for ${s.link.staleAfterMs / 1000} s`;
  fx.push({ e: 'link-close', gen: s.link.gen, code: CLOSE.goingAway, reason: 'controller silent' });
  return lost(s, fx, `${waited}, closing the link`, false, now, 0, true);
}

/**
 * A standby refusing the token this agent reports with: a copy of the primary's /etc/xenherd, its
 * tokens.json is likely older than the token (enrolled on the primary since), which enrolling the
 * host again would not mend.
 */
function standbyTokenNote(s: AgentState, message: string): string {
  if (s.link.url.at === 0 || !/token/i.test(message)) return '';
  return `; this URL is standby controller ${s.link.url.at} of controller.standbyUrls, which may lack the newer tokens.json: copy /etc/xenherd/state/tokens.json from the primary to it and restart xenherd-controller there`;
}

export function onLinkFailed(s: AgentState, fx: Fx, gen: number, kind: string, message: string, now: number, retryAfterMs = 0): AgentState {
  if (gen !== s.link.gen) return s;
  // an HTTP 429 or 5xx comes as `unreachable` (shared/link/upgrade-status.ts): it passes on its own,
  // and its Retry-After holds back that controller's URL alone (link-urls.ts afterRetryAfter)
  return lost(s, fx, `cannot connect (${kind}): ${message}${kind === 'refused' ? standbyTokenNote(s, message) : ''}`, kind === 'refused' || kind === 'untrusted', now, retryAfterMs);
}

export function onLinkClosed(s: AgentState, fx: Fx, gen: number, code: number, reason: string, now: number): AgentState {
  if (gen !== s.link.gen || s.link.phase === 'waiting' || s.link.phase === 'off') return s;
  // a refusal is a token, a version or a message the controller will not take: an operator must
  // act. Every other close (stale, replaced, CLOSE.helloLate, CLOSE.resync, going away, a frame
  // that arrived wrong: shared/link/ws-link.ts reports it as a drop) passes on its own.
  const refused = code === CLOSE.policy || code === CLOSE.protocol;
  if (code === CLOSE.resync) return lost(s, fx, `the controller asked for a new link, to start again with a snapshot${reason ? ` (${reason})` : ''}`, false, now);
  return lost(s, fx, `closed (${code}${reason ? `: ${reason}` : ''})`, refused, now);
}

export function onLinkMessage(s: AgentState, fx: Fx, gen: number, m: Exclude<ControllerMessage, { type: 'command' }>, now: number): AgentState {
  if (gen !== s.link.gen) return s;
  switch (m.type) {
    case 'welcome': {
      if (s.link.phase !== 'hello') return s;
      fx.push(log('info', 'controller link up: reporting this host', { link: 'up' }));
      // failures are forgotten at the first fleet view, not here: a controller that welcomes and
      // then closes the link (a fault in every message it sends) must meet a growing backoff
      let n = withLink(s, { phase: 'up', problem: null, heartbeatMs: m.heartbeatMs, staleAfterMs: m.staleAfterMs, accepts: m.accepts ?? [], reconnectSpreadMs: m.reconnectSpreadMs ?? null, viewSent: 'current' });
      // a new link starts current at the controller: a view behind is said with the snapshot where the
      // controller takes that (snapshotView), else right after it
      n = reportView(sendState(n, fx, now), fx, now, 'any');
      return armPrimaryCheck(arm(arm(n, fx, 'heartbeat', m.heartbeatMs), fx, 'link-silence', m.staleAfterMs), fx);
    }
    case 'error': {
      // a link that took too long to say hello and snapshot (a busy controller, as after its restart)
      // is closed for the next try, not refused: nothing for an operator to mend
      if (m.code === 'XH_ERR_TIMEOUT') {
        fx.push(log('warn', `the controller closed this link, to be tried again: ${m.message}`, { code: m.code, link: 'closing' }));
        return withLink(s, { problem: { why: `the controller closed the link: ${m.message}`, gen: s.link.gen, fromController: true } });
      }
      fx.push(log('error', `the controller refused this agent: ${m.message}`, { code: m.code, link: 'refused' }));
      return withLink(s, { refused: true, problem: { why: `refused by the controller: ${m.message}`, gen: s.link.gen, fromController: true } });
    }
    case 'fleet': {
      if (s.link.phase !== 'up') return s;
      const { [s.link.url.at]: _served, ...backoff } = s.link.backoff;
      const fleet = { at: now, runningOn: m.runningOn, ...(m.silent ? { silent: m.silent } : {}), ...incomingOf(s.link.fleet, m.incoming, now) };
      const n = withLink({ ...s, dirty: true }, { fleet, failures: 0, backoff, refused: false });
      return arm(n, fx, 'fleet-stale', s.link.staleAfterMs);
    }
    default:
      return s;
  }
}

/**
 * The incoming moves a `fleet` names (INCOMING, absent from an older controller), and when the
 * last of those BEFORE named ended: kept while none is named, so a failback waits out the moment
 * between two moves of one drain (failback-hold.ts).
 */
function incomingOf(before: LinkState['fleet'], incoming: readonly string[] | undefined, now: number): { incoming?: readonly string[]; incomingEndedAt?: number } {
  if (incoming === undefined) return {};
  if (incoming.length > 0) return { incoming };
  const endedAt = (before?.incoming?.length ?? 0) > 0 ? now : before?.incomingEndedAt;
  return endedAt === undefined ? { incoming } : { incoming, incomingEndedAt: endedAt };
}

/** A snapshot first, then deltas of the sections that changed. */
export function sendState(s0: AgentState, fx: Fx, now: number): AgentState {
  if (s0.link.phase !== 'up') return s0;
  const s = noteUnreported(s0, fx);
  const state = hostStateOf(s);
  if (s.link.sent === null) {
    const view = snapshotView(s, fx, now);
    fx.push({ e: 'link-send', gen: s.link.gen, message: { type: 'snapshot', seq: s.link.seq + 1, at: now, state, ...(view === null ? {} : { view }) } });
    return withLink(s, { sent: state, seq: s.link.seq + 1, ...(view === null ? {} : { viewSent: view }) });
  }
  const changes = changedSections(s.link.sent, state);
  if (Object.keys(changes).length === 0) return s;
  fx.push({ e: 'link-send', gen: s.link.gen, message: deltaOf(s.link.sent, changes, s.link.accepts, s.link.seq + 1, now) });
  return withLink(s, { sent: state, seq: s.link.seq + 1 });
}

/** Warns once for each new set of domUs the report leaves out for their names. */
function noteUnreported(s: AgentState, fx: Fx): AgentState {
  const names = unreportedDomains(s);
  if (names.join('\n') === s.link.unreported.join('\n')) return s;
  if (names.length > 0) {
    // a Dom0 could run hundreds of them: the line names the first few
    const first = names.slice(0, 10).map((n) => n.slice(0, 100));
    const shown = `${first.map((n) => JSON.stringify(n)).join(', ')}${names.length > first.length ? ` and ${names.length - first.length} more` : ''}`;
    fx.push(log('warn', `not reported to the controller, as their names are not domU names it takes (letters, digits, . _ -, at most 64): ${shown}; xenherdctl where will not find them: rename them (xl rename)`, { event: 'domains-unreported', names: first, count: names.length }));
  }
  return withLink(s, { unreported: names });
}

/** The delta of CHANGES since SENT: `domains` as its changed rows where the controller takes those and they are fewer. */
function deltaOf(sent: HostState, changes: Partial<HostState>, accepts: readonly string[], seq: number, at: number): DeltaMessage {
  const { domains, ...others } = changes;
  const rows = domains !== undefined && accepts.includes(LINK_FEATURE.domainRows) ? domainRowsBetween(sent.domains, domains) : null;
  return rows === null ? { type: 'delta', seq, at, state: changes } : { type: 'delta', seq, at, state: others, rows };
}

export function onHeartbeatTimer(s: AgentState, fx: Fx, now: number): AgentState {
  if (s.link.phase !== 'up') return s;
  fx.push({ e: 'link-send', gen: s.link.gen, message: { type: 'heartbeat', at: now } });
  return arm(s, fx, 'heartbeat', s.link.heartbeatMs);
}


export function closeLink(s: AgentState, fx: Fx): AgentState {
  if (s.link.phase === 'off' || s.link.phase === 'waiting') return withLink(s, { phase: 'off' });
  fx.push({ e: 'link-close', gen: s.link.gen, code: CLOSE.goingAway, reason: AGENT_STOPPING_REASON });
  return withLink(disarm(s, fx, 'primary-check'), { phase: 'off', fleet: null });
}
