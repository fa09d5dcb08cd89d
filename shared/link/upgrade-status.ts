/**
 * What an HTTP error answer to the agent link's upgrade says about trying again. Only the
 * controller refusing the token (401, 403) is a refusal an operator must act on; a 429 (the
 * controller's limiter, or a proxy's) and a 5xx (a proxy before a controller that is restarting
 * or overloaded) pass on their own, so the agent retries them as it does an unreachable
 * controller, not at the refusal's long backoff. Other statuses (400, 404: the URL is not a
 * controller's agent link) stay refusals: trying again soon changes nothing.
 */
export type UpgradeStatusKind = 'refused' | 'unreachable';

export const upgradeStatusKind = (status: number): UpgradeStatusKind => (status === 429 || (status >= 500 && status <= 599) ? 'unreachable' : 'refused');

/** The longest Retry-After taken: a proxy asking for an hour must not keep this Dom0 unreported for one. */
export const RETRY_AFTER_MAX_MS = 5 * 60_000;

/**
 * The wait a Retry-After header asks for, in ms (delay-seconds or an HTTP date, read against NOW),
 * at most RETRY_AFTER_MAX_MS; undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const h = header.trim();
  const ms = /^\d{1,9}$/.test(h) ? Number(h) * 1000 : /[a-z]/i.test(h) ? Date.parse(h) - now : NaN;
  return Number.isFinite(ms) ? Math.min(RETRY_AFTER_MAX_MS, Math.max(0, ms)) : undefined;
}
