import type { TokenStore } from '../auth/tokens.js';

/**
 * The hosts with an agent token, as BOOK holds tokens.json now (TokenBook re-reads it when it
 * changed): what the controller core asks to know which Dom0s belong to the fleet. The same set
 * object is returned until the hosts change, so the core's check is one comparison, and a token
 * rotated (the same host enrolled again under a new token id) changes nothing.
 */
export function enrolledHostsOf(book: { current(): TokenStore }): () => ReadonlySet<string> {
  let store: TokenStore | null = null;
  let hosts: ReadonlySet<string> = new Set();
  return () => {
    const now = book.current();
    if (now === store) return hosts;
    store = now;
    const next = new Set(Object.values(now.agents).map((a) => a.host));
    if (next.size !== hosts.size || [...next].some((h) => !hosts.has(h))) hosts = next;
    return hosts;
  };
}
