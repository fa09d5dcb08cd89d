import { describe, expect, it } from 'vitest';
import { realClock } from '../../../shared/clock/real-clock.js';
import { connectAgentLink } from '../../../shared/link/ws-connect.js';
import { retryAfterMs, upgradeStatusKind, RETRY_AFTER_MAX_MS } from '../../../shared/link/upgrade-status.js';
import { upgradeAnsweringServers } from './upgrade-answering-server.js';

// Which HTTP answers to the agent link's upgrade are refusals (an operator must act: the agent
// waits long) and which pass on their own (a rate limit, a proxy before a restarting controller:
// the agent dials again as for an unreachable controller, no sooner than a Retry-After asks).

const answeringServer = upgradeAnsweringServers();

/** A server on loopback answering every upgrade with STATUS, HEADERS and BODY. */
const answering = (status: string, headers: string, body: string): Promise<string> =>
  answeringServer((socket) => socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`));

const target = (url: string) => ({ url, token: 'xh1.x.y', caPem: null, caFingerprint: null, maxPayload: 1 << 20, handshakeTimeoutMs: 10_000, clock: realClock });
const json = (code: string, message: string) => JSON.stringify({ error: { code, message } });

describe("an HTTP error answer to an agent's upgrade", () => {
  it('401 and 403: refused, with the code and message of the body', async () => {
    for (const status of ['401 Unauthorized', '403 Forbidden']) {
      const url = await answering(status, '', json('XH_ERR_AUTH', 'token refused'));
      expect(await connectAgentLink(target(url))).toMatchObject({ ok: false, error: { kind: 'refused', status: Number(status.slice(0, 3)), code: 'XH_ERR_AUTH', message: 'token refused' } });
    }
  });

  it("429 with Retry-After: unreachable, the wait asked for carried along", async () => {
    const url = await answering('429 Too Many Requests', 'retry-after: 42\r\n', json('XH_ERR_AUTH', 'too many refused tokens from this address: try again in 42 s'));
    expect(await connectAgentLink(target(url))).toEqual({
      ok: false,
      error: { kind: 'unreachable', message: "the controller's address answered HTTP 429: too many refused tokens from this address: try again in 42 s", retryAfterMs: 42_000 },
    });
  });

  it("502 and 503 from a proxy (no JSON of ours): unreachable", async () => {
    for (const status of ['502 Bad Gateway', '503 Service Unavailable']) {
      const url = await answering(status, '', '<html>upstream down</html>');
      expect(await connectAgentLink(target(url))).toEqual({ ok: false, error: { kind: 'unreachable', message: `the controller's address answered HTTP ${status.slice(0, 3)}` } });
    }
  });
});

describe('the kinds and Retry-After as read', () => {
  it('statuses', () => {
    expect([400, 401, 403, 404, 426, 429, 500, 502, 503, 504].map((s) => [s, upgradeStatusKind(s)])).toEqual([
      [400, 'refused'], [401, 'refused'], [403, 'refused'], [404, 'refused'], [426, 'refused'],
      [429, 'unreachable'], [500, 'unreachable'], [502, 'unreachable'], [503, 'unreachable'], [504, 'unreachable'],
    ]);
  });

  it('seconds, an HTTP date, nonsense, and a wait too long', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('86400', now)).toBe(RETRY_AFTER_MAX_MS);
  });
});
