import { describe, expect, it } from 'vitest';
import { recentTokens } from '../../../controller/auth/recent-tokens.js';
import { emptyTokenStore, type TokenStore } from '../../../controller/auth/tokens.js';

// Every frame of every agent link checks its token: against the store as it was at most a moment
// ago, so tens of thousands of frames a second do not each stat tokens.json.
describe('recentTokens', () => {
  it('asks the book once per window, again once the window has passed, and when the clock steps back', () => {
    let now = 1_000;
    let asked = 0;
    const stores: TokenStore[] = [emptyTokenStore(), emptyTokenStore(), emptyTokenStore(), emptyTokenStore()];
    const recent = recentTokens({ current: () => stores[asked++] as TokenStore }, { now: () => now }, 250);
    const first = recent();
    for (let i = 0; i < 1_000; i++) expect(recent()).toBe(first);
    expect(asked).toBe(1);
    now += 249;
    expect(recent()).toBe(first);
    now += 1;
    expect(recent()).toBe(stores[1]);
    expect(asked).toBe(2);
    now -= 5_000;
    expect(recent()).toBe(stores[2]);
    expect(asked).toBe(3);
  });
});
