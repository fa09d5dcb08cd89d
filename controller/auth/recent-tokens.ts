import type { Clock } from '../../shared/clock/clock.js';
import type { TokenStore } from './tokens.js';

/**
 * The token store as BOOK held it at most MS ago (on CLOCK): what every frame of every agent link
 * asks (revocable-link.ts). Asking the book itself stats tokens.json, about 3 us: at the tens of
 * thousands of frames a second a fleet can send, that is several per cent of the controller's
 * time for a check whose answer changes once in months. An upgrade asks the book itself, so a
 * host enrolled a moment ago is let in at once.
 */
export function recentTokens(book: { current(): TokenStore }, clock: Pick<Clock, 'now'>, ms: number): () => TokenStore {
  let store: TokenStore | null = null;
  let at = 0;
  return () => {
    const now = clock.now();
    if (store === null || now - at >= ms || now < at) {
      store = book.current();
      at = now;
    }
    return store;
  };
}
