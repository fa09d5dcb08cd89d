import type { Clock } from '../clock/clock.js';
import { CLOSE, type Link } from './link.js';

/**
 * Two connected in-memory link ends, for running agent cores and a controller core in one
 * process. Delivery is asynchronous and in order: through the injected clock (each frame after
 * `latencyMs`, so a test on the deterministic clock decides when frames arrive) or, without a
 * clock, on the microtask queue.
 */
export interface MemoryLinkPair {
  /** the agent's end */
  readonly agent: Link;
  /** the controller's end */
  readonly controller: Link;
  /** the connection dies without a close frame: both ends see CLOSE.dropped, frames in flight are lost */
  drop(): void;
}

interface End {
  link: Link;
  messageHandlers: Array<(text: string) => void>;
  closeHandlers: Array<(code: number, reason: string) => void>;
  closed: boolean;
}

export function memoryLinkPair(options: { name: string; clock?: Clock; latencyMs?: number }): MemoryLinkPair {
  const { clock, latencyMs = 0 } = options;
  let dead = false; // after drop(): frames in flight and frames sent later are lost
  const later = (fn: () => void): void => {
    if (clock) clock.schedule(latencyMs, fn);
    else queueMicrotask(fn);
  };
  const deliver = (fn: () => void): void =>
    later(() => {
      if (!dead) fn();
    });
  const finish = (end: End, code: number, reason: string): void => {
    if (end.closed) return;
    end.closed = true;
    for (const h of end.closeHandlers) h(code, reason);
  };
  const makeEnd = (remote: string): End => {
    const end: End = {
      messageHandlers: [],
      closeHandlers: [],
      closed: false,
      link: {
        remote,
        send: (text) => {
          if (end.closed) return;
          const other = end === a ? b : a;
          deliver(() => {
            if (!other.closed) for (const h of other.messageHandlers) h(text);
          });
        },
        close: (code, reason) => {
          if (end.closed) return;
          const other = end === a ? b : a;
          finish(end, code, reason);
          // the close frame travels like any frame: after what was sent before it
          deliver(() => finish(other, code, reason));
        },
        onMessage: (h) => void end.messageHandlers.push(h),
        onClose: (h) => void end.closeHandlers.push(h),
      },
    };
    return end;
  };
  const a = makeEnd(`memory:${options.name}`);
  const b = makeEnd('memory:controller');
  return {
    agent: a.link,
    controller: b.link,
    drop: () => {
      dead = true;
      // both ends learn it asynchronously, like a socket error
      later(() => {
        finish(a, CLOSE.dropped, 'link dropped');
        finish(b, CLOSE.dropped, 'link dropped');
      });
    },
  };
}
