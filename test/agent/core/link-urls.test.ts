import { describe, expect, it } from 'vitest';
import { afterRetryAfter, controllerUrlList, heldBack, nextDial, soonestDial, STAY_MS, type LinkUrl } from '../../../agent/core/link-urls.js';

// Which controller URL the next try dials, as a pure function: the index into the config's URLs
// (0: the primary), the wait before the try, and what is left of the stay after a drop.

const two: LinkUrl = { at: 0, count: 2, stayMs: 0, notBefore: [] };

describe('controllerUrlList', () => {
  it('the primary first, then the standbys in order; one repeating an earlier URL is dropped', () => {
    expect(controllerUrlList('wss://a:1', ['wss://b:1', 'wss://a:1', 'wss://c:1', 'wss://b:1'])).toEqual(['wss://a:1', 'wss://b:1', 'wss://c:1']);
    expect(controllerUrlList('wss://a:1')).toEqual(['wss://a:1']);
  });
});

describe('nextDial', () => {
  it('a failed try moves on to the next URL, round and round, with the wait drawn', () => {
    expect(nextDial(two, 'failed', 1_200)).toEqual({ url: { at: 1, count: 2, stayMs: 0, notBefore: [] }, waitMs: 1_200 });
    expect(nextDial({ ...two, at: 1 }, 'failed', 800)).toEqual({ url: { at: 0, count: 2, stayMs: 0, notBefore: [] }, waitMs: 800 });
  });

  it('an up link that dropped dials its URL again, and the failed tries stay there while the waits fit in STAY_MS', () => {
    let d = nextDial(two, 'dropped', 400);
    expect(d).toEqual({ url: { at: 0, count: 2, stayMs: STAY_MS, notBefore: [] }, waitMs: 400 });
    const waits = [1_000, 2_000, 4_000];
    for (const w of waits) {
      d = nextDial(d.url, 'failed', w);
      expect(d.url.at).toBe(0);
      expect(d.waitMs).toBe(w);
    }
    expect(d.url.stayMs).toBe(STAY_MS - 7_000);
    // the wait that would pass the end of the stay is cut to what is left, and that try is the standby's
    d = nextDial(d.url, 'failed', 8_000);
    expect(d).toEqual({ url: { at: 1, count: 2, stayMs: 0, notBefore: [] }, waitMs: 3_000 });
  });

  it('a silent controller is left at once, even right after its link was up', () => {
    expect(nextDial(two, 'silent', 900)).toEqual({ url: { at: 1, count: 2, stayMs: 0, notBefore: [] }, waitMs: 900 });
    expect(nextDial({ ...two, stayMs: STAY_MS }, 'silent', 900).url.at).toBe(1);
  });

  it('one URL: the waits are the backoff as drawn, never cut', () => {
    const one: LinkUrl = { at: 0, count: 1, stayMs: 0, notBefore: [] };
    const d = nextDial(nextDial(one, 'dropped', 300).url, 'failed', 30_000);
    expect(d).toEqual({ url: one, waitMs: 30_000 });
  });
});

describe('a Retry-After', () => {
  it("holds back the URL that gave it, not the next one: the next try goes on at once, that URL's turn waits it out", () => {
    const busy = afterRetryAfter(two, 120_000, 1_000);
    const first = nextDial(busy, 'failed', 800);
    expect(first.url.at).toBe(1);
    expect(heldBack(first.url, 1_000)).toBe(0);
    // the standby failed too, 3 s later: the primary's turn waits out what it asked for
    const second = nextDial(first.url, 'failed', 1_500);
    expect(second.url.at).toBe(0);
    expect(heldBack(second.url, 4_000)).toBe(117_000);
  });

  it('moves on from a busy URL even within the stay after a drop', () => {
    const staying = nextDial(two, 'dropped', 300).url;
    expect(nextDial(afterRetryAfter(staying, 30_000, 0), 'failed', 1_000).url.at).toBe(1);
  });

  it('with one URL, is the next wait itself, as ever', () => {
    const one: LinkUrl = { at: 0, count: 1, stayMs: 0, notBefore: [] };
    const d = nextDial(afterRetryAfter(one, 120_000, 1_000), 'failed', 2_000);
    expect(heldBack(d.url, 1_000)).toBe(120_000);
  });
});

describe('soonestDial: each URL backs off by its own failures', () => {
  const now = 1_000_000;
  it('a URL without failures of its own is next in turn, after the wait the failed one drew', () => {
    expect(soonestDial({ url: { ...two, at: 1 }, waitMs: 1_200 }, { 0: { failures: 1, refused: false, dueAt: now + 1_200 } }, now, 60_000)).toEqual({ url: { ...two, at: 1 }, waitMs: 1_200 });
  });
  it("a standby whose refusals hold it back 4 min: the primary is tried again at its own backoff", () => {
    const backoff = { 0: { failures: 6, refused: false, dueAt: now + 40_000 }, 1: { failures: 6, refused: true, dueAt: now + 240_000 } };
    expect(soonestDial({ url: { ...two, at: 1 }, waitMs: 40_000 }, backoff, now, 60_000)).toEqual({ url: two, waitMs: 40_000 });
  });
  it("after the standby's refusal, the primary waits what is left of its own backoff, at least the floor, never the refusal's wait", () => {
    const backoff = { 0: { failures: 6, refused: false, dueAt: now + 10_000 }, 1: { failures: 7, refused: true, dueAt: now + 280_000 } };
    expect(soonestDial({ url: two, waitMs: 280_000 }, backoff, now, 60_000)).toEqual({ url: two, waitMs: 60_000 });
    expect(soonestDial({ url: two, waitMs: 280_000 }, { ...backoff, 0: { ...backoff[0], dueAt: now + 75_000 } }, now, 60_000)).toEqual({ url: two, waitMs: 75_000 });
  });
  it('on a tie the next in turn goes first', () => {
    const backoff = { 0: { failures: 2, refused: false, dueAt: now + 2_000 }, 1: { failures: 2, refused: false, dueAt: now + 2_000 } };
    expect(soonestDial({ url: { ...two, at: 1 }, waitMs: 2_000 }, backoff, now, 60_000)).toEqual({ url: { ...two, at: 1 }, waitMs: 2_000 });
  });
});
