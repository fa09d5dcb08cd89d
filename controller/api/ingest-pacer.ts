import type WebSocket from 'ws';
import type { Clock } from '../../shared/clock/clock.js';
import type { Link } from '../../shared/link/link.js';
import { inSlices } from '../../shared/clock/in-slices.js';

export interface PacerLimits {
  /** longest stretch spent on agent messages before the event loop serves anything else */
  readonly sliceMs: number;
  /** queued messages above which every agent socket is paused (TCP then pushes back on the agents) */
  readonly pauseAbove: number;
  /** ...and below which they are resumed */
  readonly resumeBelow: number;
  /** one link's queued messages above which its socket alone is paused */
  readonly perLinkAbove: number;
  /** ...and below which it is read again */
  readonly perLinkResumeBelow: number;
}

/** A link whose socket was paused for its own backlog: for the log, once a minute a link at most. */
export interface HeldBack {
  readonly host: string;
  readonly remote: string;
  readonly queued: number;
}

// A slice of 1 ms keeps an operator's request from waiting more than that behind agent messages;
// 2,000 queued messages (a few MB; about a quarter second of work) keep the loop busy through a
// burst while TCP holds the rest: a longer queue only ages messages into the old generation,
// and a flood then costs hundreds of MB of heap before a full GC.
// An agent sends a snapshot as it links and then a delta each time its facts settle: a few frames
// waiting at once. One link with 50 waiting is one sending as fast as it can (its token in other
// hands, or an agent gone wrong); with no bound of its own it filled the whole queue, every other
// agent's delta waiting behind its 2,000 frames and every socket paused with it.
export const DEFAULT_PACER_LIMITS: PacerLimits = { sliceMs: 1, pauseAbove: 2_000, resumeBelow: 500, perLinkAbove: 50, perLinkResumeBelow: 10 };

const HELD_LOG_EVERY_MS = 60_000;

/**
 * Sockets paused or resumed per turn of the event loop: at 2,000 agents, resuming them all at
 * once read what each had buffered in one go, 10-30 ms with nothing else served. A resume's
 * reading comes just after the slice that called it (on the next tick), so the count bounds
 * that part, and the time the calls themselves.
 */
const TOGGLE_SLICE = { per: 100, ms: 1 };

/**
 * Agent messages are handled in slices of at most sliceMs, with the event loop free between
 * slices: a burst of deltas from thousands of agents arrives as one batch of socket reads, and
 * handled in one go it would make an operator's `where` wait behind all of it. A backlog above
 * pauseAbove pauses every agent socket, so the backlog is bounded by TCP, not by memory.
 * One link above perLinkAbove has its own socket paused, so no one link holds more than that
 * ahead of another agent's message. Messages and closes of a link keep their order (a close never
 * overtakes the result before it).
 */
export class IngestPacer {
  /** handled tasks are cleared at once: a slot still holding its task would keep the frame's text alive */
  private queue: Array<(() => void) | undefined> = [];
  private head = 0;
  private scheduled = false;
  private paused = false;
  /** when the sockets were last resumed (or the pacer made) */
  private readingSince: number;
  private readonly sockets = new Set<WebSocket>();
  /** sockets paused for their own link's backlog: a resume of all of them passes these over */
  private readonly held = new Set<WebSocket>();
  /** pauses and resumes begun, the last one the one under way */
  private turns = 0;

  private readonly limits: PacerLimits;

  constructor(
    private readonly clock: Clock,
    limits: Partial<PacerLimits> = {},
    private readonly onHeldBack: (h: HeldBack) => void = () => undefined,
  ) {
    this.limits = { ...DEFAULT_PACER_LIMITS, ...limits };
    this.readingSince = clock.now();
  }

  /** The link over ws (HOST's, as its token says), its messages and close delivered through the pacer. */
  link(ws: WebSocket, inner: Link, host = inner.remote): Link {
    this.sockets.add(ws);
    ws.once('close', () => {
      this.sockets.delete(ws);
      this.held.delete(ws);
    });
    if (this.paused) ws.pause();
    const messageHandlers: Array<(text: string) => void> = [];
    const closeHandlers: Array<(code: number, reason: string) => void> = [];
    let arrivedAt = this.clock.now();
    let queued = 0;
    let loggedAt: number | undefined;
    const handled = (): void => {
      queued--;
      if (queued < this.limits.perLinkResumeBelow && this.held.delete(ws) && !this.paused) ws.resume();
    };
    inner.onMessage((text) => {
      arrivedAt = this.clock.now();
      queued++;
      if (queued > this.limits.perLinkAbove && !this.held.has(ws)) {
        this.held.add(ws);
        ws.pause();
        const now = this.clock.now();
        if (loggedAt === undefined || now - loggedAt >= HELD_LOG_EVERY_MS) {
          loggedAt = now;
          this.onHeldBack({ host, remote: inner.remote, queued });
        }
      }
      this.push(() => {
        handled();
        for (const h of messageHandlers) h(text);
      });
    });
    inner.onClose((code, reason) => this.push(() => closeHandlers.forEach((h) => h(code, reason))));
    return {
      remote: inner.remote,
      send: (text) => inner.send(text),
      close: (code, reason) => inner.close(code, reason),
      onMessage: (h) => void messageHandlers.push(h),
      onClose: (h) => void closeHandlers.push(h),
      // an agent whose frames wait behind a backlog, or whose socket we paused, is not silent
      heardAt: () => (this.paused || this.held.has(ws) ? this.clock.now() : Math.max(arrivedAt, this.readingSince)),
    };
  }

  /** messages waiting to be handled */
  get backlog(): number {
    return this.queue.length - this.head;
  }

  private push(task: () => void): void {
    this.queue.push(task);
    if (!this.paused && this.backlog > this.limits.pauseAbove) this.setPaused(true);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.clock.soon) this.clock.soon(() => this.drain());
    else this.clock.schedule(0, () => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const until = this.clock.now() + this.limits.sliceMs;
    while (this.head < this.queue.length) {
      const task = this.queue[this.head] as () => void;
      this.queue[this.head++] = undefined;
      task();
      if (this.clock.now() >= until) break;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.paused && this.backlog < this.limits.resumeBelow) this.setPaused(false);
    if (this.backlog > 0) this.schedule();
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.readingSince = this.clock.now();
    // a later pause or resume takes over from one still under way
    const turn = ++this.turns;
    inSlices(this.clock, [...this.sockets], TOGGLE_SLICE, (ws) => {
      if (turn !== this.turns) return;
      if (paused) ws.pause();
      else if (!this.held.has(ws)) ws.resume();
    });
  }
}
