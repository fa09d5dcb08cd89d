import { isIPv6 } from 'node:net';
import type { Clock } from '../../shared/clock/clock.js';

/**
 * Refused tokens, counted per remote address: an address that presents more than `failures`
 * refused tokens within one window has its further refused tokens answered 429 (with
 * Retry-After) until the window ends, unlogged; a valid token from that address still passes. A
 * token's secret is 256 random bits, so this is not what keeps it from being guessed; it keeps a
 * misconfigured agent or a scanner from filling the log with refusals, without letting it lock
 * out the operators and agents that share its address. Only a token presented
 * and refused is counted; a missing or malformed Authorization header is not (why: http-api.ts).
 *
 * Pure apart from the injected clock, and bounded: at most `maxAddresses` windows are kept
 * (the oldest forgotten first), so a scan from many addresses cannot grow it without end.
 */
export interface AuthLimits {
  /** refused tokens an address may present in one window */
  readonly failures: number;
  readonly windowMs: number;
  readonly maxAddresses: number;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = { failures: 20, windowMs: 60_000, maxAddresses: 10_000 };

export type AuthGate =
  | { readonly allowed: true }
  /** firstInWindow: the first refusal of this window (the one to log) */
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly firstInWindow: boolean };

interface Window {
  readonly start: number;
  failures: number;
  refusalSeen: boolean;
}

/**
 * The key an address is counted under: an IPv4 address (also IPv4-mapped IPv6) as it is; an
 * IPv6 address by its /64, the smallest block a site is usually given, so that stepping through
 * the addresses of one network does not reset the count.
 */
export function addressKey(remote: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(remote)) return remote;
  const [head = '', tail = ''] = remote.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = remote.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...left, ...Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: AuthLimits = DEFAULT_AUTH_LIMITS,
  ) {}

  /** May this address present a token now? */
  check(remote: string): AuthGate {
    const now = this.clock.now();
    const w = this.live(addressKey(remote), now);
    if (!w || w.failures < this.limits.failures) return { allowed: true };
    const firstInWindow = !w.refusalSeen;
    w.refusalSeen = true;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + this.limits.windowMs - now) / 1000)), firstInWindow };
  }

  /** The address presented a token that was refused. */
  failed(remote: string): void {
    const now = this.clock.now();
    const key = addressKey(remote);
    let w = this.live(key, now);
    if (!w) {
      this.forgetOld(now);
      w = { start: now, failures: 0, refusalSeen: false };
      this.windows.set(key, w);
    }
    w.failures++;
  }

  /** addresses counted now (for tests: the bound holds) */
  get size(): number {
    return this.windows.size;
  }

  private live(key: string, now: number): Window | undefined {
    const w = this.windows.get(key);
    if (w && now - w.start >= this.limits.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  /** Windows are kept in the order they began: ended ones go first, then the oldest while full. */
  private forgetOld(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.start < this.limits.windowMs && this.windows.size < this.limits.maxAddresses) break;
      this.windows.delete(key);
    }
  }
}
