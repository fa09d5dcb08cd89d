import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../shared/clock/clock.js';
import type { Link } from '../../../shared/link/link.js';
import { DEFAULT_PACER_LIMITS, IngestPacer, type HeldBack, type PacerLimits } from '../../../controller/api/ingest-pacer.js';
import { heapAfterGc } from '../../fuzz/heap-after-gc.js';

/** A clock whose time moves only when a handler says it worked, and whose timers run when told. */
function steppedClock(): Clock & { t: number; due: Array<() => void>; runDue(): number } {
  const c = {
    t: 0,
    due: [] as Array<() => void>,
    now: () => c.t,
    schedule: (_ms: number, fn: () => void) => {
      c.due.push(fn);
      return () => undefined;
    },
    sleep: () => Promise.resolve(),
    runDue(): number {
      const fns = c.due.splice(0);
      fns.forEach((f) => f());
      return fns.length;
    },
  };
  return c;
}

/** A socket stand-in that records pause/resume, and a link over it the test feeds by hand. */
function socketAndLink(): { ws: WebSocket & { paused: boolean }; link: Link; message(t: string): void; close(): void } {
  const ws = Object.assign(new EventEmitter(), {
    paused: false,
    pause() {
      ws.paused = true;
    },
    resume() {
      ws.paused = false;
    },
  }) as unknown as WebSocket & { paused: boolean };
  let onMessage: (t: string) => void = () => undefined;
  let onClose: (c: number, r: string) => void = () => undefined;
  const link: Link = { remote: 'test', send: () => undefined, close: () => undefined, onMessage: (h) => void (onMessage = h), onClose: (h) => void (onClose = h) };
  return { ws, link, message: (t) => onMessage(t), close: () => onClose(1000, 'bye') };
}

/** A pacer with one link whose handler counts messages and takes MS_EACH of the stepped clock per message. */
function timedLink(limits: Partial<PacerLimits>, msEach: number) {
  const clock = steppedClock();
  const pacer = new IngestPacer(clock, limits);
  const s = socketAndLink();
  let handled = 0;
  pacer.link(s.ws, s.link).onMessage(() => {
    handled++;
    clock.t += msEach;
  });
  return { clock, pacer, s, handled: () => handled };
}

describe('IngestPacer', () => {
  it('hands messages over in order, the close after them, never inside the socket read', () => {
    const clock = steppedClock();
    const pacer = new IngestPacer(clock);
    const s = socketAndLink();
    const seen: string[] = [];
    const paced = pacer.link(s.ws, s.link);
    paced.onMessage((t) => seen.push(t));
    paced.onClose((code) => seen.push(`closed ${code}`));
    s.message('a');
    s.message('b');
    s.close();
    expect(seen).toEqual([]);
    clock.runDue();
    expect(seen).toEqual(['a', 'b', 'closed 1000']);
  });

  it('works in slices of sliceMs, leaving the event loop free in between', () => {
    const { clock, pacer, s, handled } = timedLink({ sliceMs: 5, pauseAbove: 1000, resumeBelow: 10 }, 2); // each message takes 2 ms
    for (let i = 0; i < 10; i++) s.message(String(i));
    const perSlice: number[] = [];
    while (clock.due.length > 0) {
      const before = handled();
      clock.runDue();
      perSlice.push(handled() - before);
    }
    expect(perSlice).toEqual([3, 3, 3, 1]);
    expect(pacer.backlog).toBe(0);
  });

  it('pauses every agent socket above pauseAbove queued messages and resumes them below resumeBelow', () => {
    const clock = steppedClock();
    const pacer = new IngestPacer(clock, { sliceMs: 1, pauseAbove: 5, resumeBelow: 2 });
    const a = socketAndLink();
    const b = socketAndLink();
    const pa = pacer.link(a.ws, a.link);
    pacer.link(b.ws, b.link);
    pa.onMessage(() => (clock.t += 1));
    for (let i = 0; i < 6; i++) a.message(String(i));
    expect([a.ws.paused, b.ws.paused]).toEqual([true, true]);
    // a link opened while paused starts paused
    const c = socketAndLink();
    pacer.link(c.ws, c.link);
    expect(c.ws.paused).toBe(true);
    clock.runDue(); // 1 handled, 5 left
    expect(a.ws.paused).toBe(true);
    while (clock.due.length > 0) clock.runDue();
    expect([a.ws.paused, b.ws.paused, c.ws.paused]).toEqual([false, false, false]);
  });

  it('says when the agent was last heard at the socket: a frame waiting in the queue counts, a paused socket is not silence', () => {
    const clock = steppedClock();
    const pacer = new IngestPacer(clock, { sliceMs: 1, pauseAbove: 3, resumeBelow: 1 });
    const a = socketAndLink();
    const b = socketAndLink();
    const pa = pacer.link(a.ws, a.link);
    const pb = pacer.link(b.ws, b.link);
    pa.onMessage(() => (clock.t += 1));
    expect(pa.heardAt?.()).toBe(0);
    clock.t = 100;
    a.message('x');
    clock.t = 150;
    // not handled yet, but heard at 100
    expect(pa.heardAt?.()).toBe(100);
    expect(pb.heardAt?.()).toBe(0);
    for (let i = 0; i < 4; i++) a.message(String(i));
    expect(b.ws.paused).toBe(true);
    clock.t = 5_000;
    // we stopped reading: nobody is silent meanwhile
    expect(pb.heardAt?.()).toBe(5_000);
    while (clock.due.length > 0) clock.runDue();
    expect(b.ws.paused).toBe(false);
    const resumedAt = clock.t;
    clock.t += 2_000;
    // silence counts again from the resume on
    expect(pb.heardAt?.()).toBe(resumedAt);
  });

  it('lets go of each frame once handled, while the backlog never empties', async () => {
    const { clock, pacer, s, handled } = timedLink({ sliceMs: 1, pauseAbove: 100_000, resumeBelow: 10 }, 1); // one frame per slice
    const frame = (): string => randomBytes(5_000).toString('hex'); // 10 KB, each its own
    s.message(frame());
    s.message(frame());
    const before = await heapAfterGc();
    // a frame arrives for every frame handled: the queue is never empty, so never reset
    for (let i = 2; i < 4_002; i++) {
      clock.runDue();
      s.message(frame());
    }
    const after = await heapAfterGc();
    expect(handled()).toBe(4_000);
    expect(pacer.backlog).toBe(2);
    // 4,000 frames of 10 KB: held, they would be 40 MB
    expect((after - before) / 1e6).toBeLessThan(10);
  });

  it('pauses and resumes the sockets a slice at a time, and a pause takes over from a resume under way', () => {
    const clock = steppedClock();
    const pacer = new IngestPacer(clock, { sliceMs: 1, pauseAbove: 5, resumeBelow: 2 });
    const links = Array.from({ length: 250 }, () => socketAndLink());
    const paced = links.map((l) => pacer.link(l.ws, l.link));
    (paced[0] as Link).onMessage(() => (clock.t += 1));
    const first = links[0] as ReturnType<typeof socketAndLink>;
    const pausedCount = (): number => links.filter((l) => l.ws.paused).length;
    for (let i = 0; i < 6; i++) first.message(String(i));
    // 100 sockets a turn, the rest on the next turns, while the drain works (1 message a turn);
    // below resumeBelow the resume starts the same way
    const counts: number[] = [];
    for (let k = 0; k < 5; k++) {
      clock.runDue();
      counts.push(pausedCount());
    }
    expect(counts).toEqual([200, 250, 250, 250, 150]);
    // a burst while the resume is under way: paused again, and the old resume's next slices do nothing
    let resumes = 0;
    for (const l of links) {
      const resume = l.ws.resume.bind(l.ws);
      l.ws.resume = () => {
        resumes++;
        return resume();
      };
    }
    for (let i = 0; i < 6; i++) first.message(String(i));
    expect(pausedCount()).toBe(250);
    while (pacer.backlog > 2) clock.runDue();
    expect(resumes).toBe(0);
    while (clock.due.length > 0) clock.runDue();
    expect(pausedCount()).toBe(0);
    expect(pacer.backlog).toBe(0);
  });
  it("holds back one link sending as fast as it can, alone: another agent's message waits behind 50 of its frames, not 2,000, and its socket is never paused", () => {
    const clock = steppedClock();
    const held: HeldBack[] = [];
    const pacer = new IngestPacer(clock, DEFAULT_PACER_LIMITS, (h) => held.push(h));
    const flood = socketAndLink();
    const honest = socketAndLink();
    const order: string[] = [];
    pacer.link(flood.ws, flood.link, 'xen9').onMessage(() => {
      order.push('flood');
      clock.t += 1;
    });
    pacer.link(honest.ws, honest.link, 'xen1').onMessage((t) => {
      order.push(t);
      clock.t += 1;
    });
    // the flooding agent's frames come as long as its socket is read, as TCP gives them
    const feed = (): void => {
      for (let i = 0; i < 100 && !flood.ws.paused; i++) flood.message('{}');
    };
    feed();
    let honestPaused = false;
    let wantedAfter: number | undefined;
    let sent = false;
    // the other agent has a delta to send once the flood has run for 30 turns; it goes out when its socket is read
    for (let turn = 0; turn < 10_000 && !order.includes('delta'); turn++) {
      if (turn === 30) wantedAfter = order.length;
      if (wantedAfter !== undefined && !sent && !honest.ws.paused) {
        honest.message('delta');
        sent = true;
      }
      clock.runDue();
      feed();
      honestPaused ||= honest.ws.paused;
    }
    expect(wantedAfter).toBeDefined();
    // the flood's frames handled between the delta's wish to go and its handling
    expect(order.indexOf('delta') - (wantedAfter ?? 0)).toBeLessThanOrEqual(51);
    expect(honestPaused).toBe(false);
    expect(held).toEqual([{ host: 'xen9', remote: 'test', queued: 51 }]);
    // read again once its frames are handled, and held back again, logged once a minute at most
    while (clock.due.length > 0) clock.runDue();
    expect(flood.ws.paused).toBe(false);
    feed();
    expect(flood.ws.paused).toBe(true);
    expect(held).toHaveLength(1);
  });

  it('a resume of every socket passes over a link held back for its own backlog', () => {
    const clock = steppedClock();
    const pacer = new IngestPacer(clock, { sliceMs: 1, pauseAbove: 8, resumeBelow: 6, perLinkAbove: 4, perLinkResumeBelow: 1 });
    const [a, b, c] = [socketAndLink(), socketAndLink(), socketAndLink()];
    for (const [s, host] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) pacer.link(s.ws, s.link, host).onMessage(() => (clock.t += 1));
    for (let i = 0; i < 7; i++) a.message('x'); // a held back alone at its 5th (the rest were read with it)
    for (let i = 0; i < 2; i++) b.message('x'); // 9 queued: every socket paused
    expect([a.ws.paused, b.ws.paused, c.ws.paused]).toEqual([true, true, true]);
    for (let i = 0; i < 4; i++) clock.runDue(); // 5 queued, 3 of them a's: every socket resumed but a
    expect([a.ws.paused, b.ws.paused, c.ws.paused]).toEqual([true, false, false]);
    while (clock.due.length > 0) clock.runDue();
    expect(a.ws.paused).toBe(false);
  });
});
