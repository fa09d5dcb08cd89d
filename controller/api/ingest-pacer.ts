import type WebSocket from 'ws';
import type { Clock } from '../../shared/clock/clock.js';
import type { Link } from '../../shared/link/link.js';

export interface PacerLimits {
  /** longest stretch spent on agent messages before the event loop serves anything else */
  readonly sliceMs: number;
  /** queued messages above which every agent socket is paused (TCP then pushes back on the agents) */
  readonly pauseAbove: number;
  /** ...and below which they are resumed */
  readonly resumeBelow: number;
}

export const DEFAULT_PACER_LIMITS: PacerLimits = { sliceMs: 5, pauseAbove: 20_000, resumeBelow: 5_000 };

/**
 * Agent messages are handled in slices of at most sliceMs, with the event loop free between
 * slices: a burst of deltas from thousands of agents arrives as one batch of socket reads, and
 * handled in one go it would make an operator's `where` wait behind all of it. A backlog above
 * pauseAbove pauses every agent socket, so the backlog is bounded by TCP, not by memory.
 * Messages and closes of a link keep their order (a close never overtakes the result before it).
 */
export class IngestPacer {
  private queue: Array<() => void> = [];
  private head = 0;
  private scheduled = false;
  private paused = false;
  private readonly sockets = new Set<WebSocket>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: PacerLimits = DEFAULT_PACER_LIMITS,
  ) {}

  /** The link over ws, its messages and close delivered through the pacer. */
  link(ws: WebSocket, inner: Link): Link {
    this.sockets.add(ws);
    ws.once('close', () => this.sockets.delete(ws));
    if (this.paused) ws.pause();
    const messageHandlers: Array<(text: string) => void> = [];
    const closeHandlers: Array<(code: number, reason: string) => void> = [];
    inner.onMessage((text) => this.push(() => messageHandlers.forEach((h) => h(text))));
    inner.onClose((code, reason) => this.push(() => closeHandlers.forEach((h) => h(code, reason))));
    return {
      remote: inner.remote,
      send: (text) => inner.send(text),
      close: (code, reason) => inner.close(code, reason),
      onMessage: (h) => void messageHandlers.push(h),
      onClose: (h) => void closeHandlers.push(h),
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
    this.clock.schedule(0, () => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const until = this.clock.now() + this.limits.sliceMs;
    while (this.head < this.queue.length) {
      const task = this.queue[this.head++] as () => void;
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
    for (const ws of this.sockets) {
      if (paused) ws.pause();
      else ws.resume();
    }
  }
}
