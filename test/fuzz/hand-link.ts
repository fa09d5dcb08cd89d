import type { Link } from '../../shared/link/link.js';

/**
 * One end of a link driven by hand: `deliver` hands a frame to whatever listens on this end at
 * once, in the caller's stack, so an exception a frame causes reaches the test that delivered
 * it (a memory link would throw it later on the event loop). What the other side sends and how
 * it closed are recorded.
 */
export interface HandLink {
  readonly link: Link;
  readonly sent: string[];
  closed: { code: number; reason: string } | null;
  deliver(text: string): void;
  /** the peer goes away: this end's close handlers run */
  drop(code: number, reason: string): void;
}

export function handLink(remote: string): HandLink {
  const onMessage: Array<(text: string) => void> = [];
  const onClose: Array<(code: number, reason: string) => void> = [];
  const h: HandLink = {
    sent: [],
    closed: null,
    link: {
      remote,
      send: (text) => {
        if (h.closed === null) h.sent.push(text);
      },
      close: (code, reason) => h.drop(code, reason),
      onMessage: (f) => void onMessage.push(f),
      onClose: (f) => void onClose.push(f),
    },
    deliver: (text) => {
      if (h.closed === null) for (const f of onMessage) f(text);
    },
    drop: (code, reason) => {
      if (h.closed !== null) return;
      h.closed = { code, reason };
      for (const f of onClose) f(code, reason);
    },
  };
  return h;
}
