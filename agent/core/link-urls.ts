import { nextRandom } from '../../shared/random.js';
import type { AgentConfig } from '../config/schema.js';
import type { AgentState } from './state.js';
import { arm, type Fx } from './timers.js';

/**
 * Which controller URL the link dials: 0 is the primary (`controller.url`), then the standbys in
 * the config's order. The core decides it and the process port only reads the URL at that index,
 * so the choice is tested on the injected clock like the rest of the link.
 *
 * A standby is a cache that only knows the agents reporting to it: agents split between two
 * controllers leave each with half the fleet. So a link that was up and dropped (a controller
 * restart) dials the same URL again for a while before moving on, and an agent up on a standby
 * checks now and then whether the primary answers again, and goes back to it when it does.
 */
export interface LinkUrl {
  /** the index of the URL the next (or current) try dials */
  readonly at: number;
  readonly count: number;
  /** how much more retry waiting stays on this URL after an up link dropped (0: a failed try moves on) */
  readonly stayMs: number;
  /**
   * per URL (by index), the earliest time it may be dialled again, as its own Retry-After asked:
   * it binds that URL alone, as a standby exists so the agent can go elsewhere while one is busy
   */
  readonly notBefore: readonly number[];
}

/**
 * How long, in retry waits after the first try following a drop, a dropped link keeps dialling
 * its URL: `serve` was seen taking 3.5 s from refusing connections to listening again, and the
 * backoff's tries come about 1, 3 and 7 s after that first one, so 10 s rides out a restart of a
 * few seconds. A controller that is really gone is left at most 10 s later than at its first
 * failed try; one that hangs (the link falls silent) is left at once.
 */
export const STAY_MS = 10_000;

/** How often an agent up on a standby asks whether the primary answers, jittered by 0.5 to 1.5. */
export const PRIMARY_CHECK_MS = 60_000;

/** The URLs of a controller section in dialling order: a standby repeating one before it is dropped. */
export function controllerUrlList(primary: string, standbys: readonly string[] = []): string[] {
  return [primary, ...standbys].filter((u, i, all) => all.indexOf(u) === i);
}

export function firstUrl(config: AgentConfig): LinkUrl {
  const c = config.controller;
  return { at: 0, count: c ? controllerUrlList(c.url, c.standbyUrls).length : 1, stayMs: 0, notBefore: [] };
}

/**
 * The URL of the next try and its wait (WAITMS as the backoff drew it) after the link went: an up
 * link that DROPPED tries its URL again, and so does each failed try until the waits since then
 * use up STAY_MS; the wait that would pass the end of it is cut to what is left, and that try goes
 * to the next URL. A link that fell SILENT, and a try that FAILED with nothing left to stay,
 * move on at once.
 */
export function nextDial(u: LinkUrl, how: 'dropped' | 'silent' | 'failed', waitMs: number): { url: LinkUrl; waitMs: number } {
  if (u.count === 1) return { url: u, waitMs };
  if (how === 'dropped') return { url: { ...u, stayMs: STAY_MS }, waitMs };
  if (how === 'failed' && u.stayMs > waitMs) return { url: { ...u, stayMs: u.stayMs - waitMs }, waitMs };
  const rest = how === 'failed' && u.stayMs > 0 ? u.stayMs : waitMs;
  return { url: { ...u, at: (u.at + 1) % u.count, stayMs: 0 }, waitMs: rest };
}

/**
 * A try of the URL at U.at answered with a Retry-After of RETRY_AFTER_MS at NOW: that URL is not
 * dialled again before then, and with another URL to go to, the next try goes there at once
 * rather than staying on a busy controller.
 */
export function afterRetryAfter(u: LinkUrl, retryAfterMs: number, now: number): LinkUrl {
  if (retryAfterMs <= 0) return u;
  const notBefore = Array.from({ length: Math.max(u.count, u.notBefore.length) }, (_, i) => u.notBefore[i] ?? 0);
  notBefore[u.at] = Math.max(notBefore[u.at] ?? 0, now + retryAfterMs);
  return { ...u, notBefore, stayMs: 0 };
}

/** One URL's own tries failed in a row, and when its own backoff lets it be tried again. */
export interface UrlBackoff {
  readonly failures: number;
  readonly refused: boolean;
  readonly dueAt: number;
}

/**
 * Moving on from a URL whose try failed (DIAL: nextDial's next URL, its wait the failed URL's own
 * backoff, BACKOFF holding that failure too): the URL whose own backoff lets it be tried soonest,
 * the next in turn on a tie; one without failures of its own waits what the failed one drew, and
 * no other waits less than FLOORMS, so the URLs are not dialled in a burst. Each URL backs off by
 * its own failures: a standby that refuses this agent's token (its copy of tokens.json is older
 * than the token) waits out its own refusals without holding back the next try of a primary
 * that may be back by then.
 */
export function soonestDial(dial: { url: LinkUrl; waitMs: number }, backoff: Readonly<Record<number, UrlBackoff>>, now: number, floorMs: number): { url: LinkUrl; waitMs: number } {
  let best = dial;
  for (let k = 0; k < dial.url.count; k++) {
    const at = (dial.url.at + k) % dial.url.count;
    const own = backoff[at];
    const waitMs = own === undefined ? dial.waitMs : Math.max(Math.min(floorMs, dial.waitMs), own.dueAt - now);
    if (k === 0 || waitMs < best.waitMs) best = { url: { ...dial.url, at }, waitMs };
  }
  return best;
}

/** How long the URL at U.at must still be left alone at NOW (its own Retry-After); 0: not at all. */
export function heldBack(u: LinkUrl, now: number): number {
  return Math.max(0, (u.notBefore[u.at] ?? 0) - now);
}

/** Up on a standby: the next check whether the primary answers, at a jittered interval so a fleet's checks do not come together. */
export function armPrimaryCheck(s: AgentState, fx: Fx): AgentState {
  if (s.link.url.at === 0) return s;
  const r = nextRandom(s.rng);
  return arm({ ...s, rng: r.state }, fx, 'primary-check', Math.round(PRIMARY_CHECK_MS * (0.5 + r.value)));
}
