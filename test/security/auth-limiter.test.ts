import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addressKey, AuthFailureLimiter } from '../../controller/auth/auth-limiter.js';
import { authenticate, emptyTokenStore, newToken } from '../../controller/auth/tokens.js';
import type { Clock } from '../../shared/clock/clock.js';

const manualClock = (): Clock & { set(ms: number): void } => {
  let now = 1_000_000;
  return { now: () => now, schedule: () => () => undefined, sleep: async () => undefined, set: (ms) => void (now = ms) };
};

describe('refused tokens are limited per remote address', () => {
  it('an address is refused (with the time left) after `failures` refused tokens in a window, once logged, free again after it', () => {
    const clock = manualClock();
    const l = new AuthFailureLimiter(clock, { failures: 3, windowMs: 60_000, maxAddresses: 100 });
    for (let i = 0; i < 3; i++) {
      expect(l.check('10.0.0.1').allowed).toBe(true);
      l.failed('10.0.0.1');
    }
    expect(l.check('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 60, firstInWindow: true });
    clock.set(1_000_000 + 45_500);
    expect(l.check('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 15, firstInWindow: false });
    expect(l.check('10.0.0.2').allowed, 'another address is not affected').toBe(true);
    clock.set(1_000_000 + 60_000);
    expect(l.check('10.0.0.1').allowed).toBe(true);
    l.failed('10.0.0.1');
    expect(l.check('10.0.0.1').allowed, 'a new window counts from zero').toBe(true);
  });

  it('IPv4-mapped addresses count as their IPv4 address; IPv6 addresses by their /64', () => {
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:0:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    const clock = manualClock();
    const l = new AuthFailureLimiter(clock, { failures: 2, windowMs: 60_000, maxAddresses: 100 });
    l.failed('2001:db8:1:2::1');
    l.failed('2001:db8:1:2::2');
    expect(l.check('2001:db8:1:2::ffff').allowed).toBe(false);
    expect(l.check('2001:db8:1:3::1').allowed).toBe(true);
  });

  it('remembers at most maxAddresses (a scan from many addresses stays bounded)', () => {
    const clock = manualClock();
    const l = new AuthFailureLimiter(clock, { failures: 1, windowMs: 60_000, maxAddresses: 1000 });
    for (let i = 0; i < 50_000; i++) l.failed(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(l.size).toBeLessThanOrEqual(1000);
    expect(l.check('10.0.195.79').allowed, 'the newest are kept').toBe(false);
    clock.set(1_000_000 + 61_000);
    l.failed('192.0.2.1');
    expect(l.size, 'ended windows are dropped').toBe(1);
  });
});

describe('token secrets are compared in constant time', () => {
  it('the secret is hashed and compared with timingSafeEqual on two 32-byte digests; no ===, no early exit on the secret', () => {
    const code = readFileSync(new URL('../../controller/auth/tokens.ts', import.meta.url), 'utf8');
    expect(code).toMatch(/timingSafeEqual\(sha256\(secret\), Buffer\.from\(entry\.sha256, 'hex'\)\)/);
    // the secret and the stored hash are never compared as strings
    expect(code).not.toMatch(/secret\s*[!=]==|[!=]==\s*secret|sha256\s*[!=]==|[!=]==\s*[a-z.]*sha256/);
  });

  it('every wrong secret of the right shape is refused with the same reason, whatever it shares with the right one', () => {
    const t = newToken();
    const store = emptyTokenStore();
    store.operators[t.id] = { name: 'admin', role: 'operate', sha256: t.sha256, createdAt: '2025-01-01T00:00:00.000Z' };
    const secret = t.token.split('.')[2] as string;
    const flip = (s: string, i: number): string => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    const reasons = new Set([0, 1, 21, 41, 42].map((i) => authenticate(store, `Bearer xh1.${t.id}.${flip(secret, i)}`)).map((r) => (r.ok ? 'accepted' : r.reason)));
    expect([...reasons]).toEqual([`wrong secret for token id ${t.id}`]);
    expect(authenticate(store, `Bearer ${t.token}`).ok).toBe(true);
  });
});
