import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../shared/clock/clock.js';
import { REFUSAL_WINDOW_MS } from '../../../controller/api/connection-refusals.js';
import { SERVER_TIMEOUTS } from '../../../controller/api/server.js';
import { refusalBed, silentTcp } from './refusal-bed.js';
import { until } from '../../helpers/until.js';

const bed = refusalBed();

/** A clock whose time and timers move only when the test says (the server's refusal window runs on it). */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    schedule: (ms, fn) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return () => void (timers = timers.filter((x) => x !== t));
    },
    sleep: () => Promise.resolve(),
    advance: (ms) => {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

describe('TLS handshakes that fail', () => {
  it('the default handshake timeout is short (Node would hold a silent connection 120 s)', () => {
    expect(SERVER_TIMEOUTS.handshake).toBeLessThanOrEqual(10_000);
  });

  it('a connection that never speaks TLS is dropped after the handshake timeout, logged with its remote', async () => {
    const s = await bed.start({ tls: true, timeouts: { handshake: 300 } });
    const localPort = await silentTcp(s.port);
    await until(() => s.events('tls-refused').length > 0, 'the refusal logged', { limitMs: 10_000 });
    expect(s.events('tls-refused')).toEqual([expect.objectContaining({ remote: `127.0.0.1:${localPort}`, reason: 'TLS handshake timeout' })]);
  });

  it('plain HTTP on the TLS port: refused, logged with its remote, no http-refused line', async () => {
    const s = await bed.start({ tls: true });
    const localPort = await silentTcp(s.port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => s.events('tls-refused').length > 0, 'the refusal logged', { limitMs: 10_000 });
    expect(s.events('tls-refused')).toEqual([expect.objectContaining({ remote: `127.0.0.1:${localPort}`, reason: expect.stringMatching(/http request/) })]);
    expect(s.events('http-refused')).toEqual([]);
  });

  it('identical refusals from one address: the first logged, the rest counted when the window ends', async () => {
    const clock = manualClock();
    const s = await bed.start({ tls: true, clock });
    const ports = await Promise.all(Array.from({ length: 20 }, () => silentTcp(s.port, 'GET / HTTP/1.1\r\n\r\n')));
    await until(() => s.events('tls-refused').length > 0, 'the first refusal logged', { limitMs: 10_000 });
    expect(s.events('tls-refused')).toEqual([expect.objectContaining({ remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) })]);
    expect(ports).toContain(Number(String(s.events('tls-refused')[0]?.['remote']).split(':')[1]));
    clock.advance(REFUSAL_WINDOW_MS - 1);
    expect(s.events('tls-refused')).toHaveLength(1);
    clock.advance(1);
    expect(s.events('tls-refused')).toEqual([expect.anything(), expect.objectContaining({ address: '127.0.0.1', repeated: 19, windowSeconds: 60, reason: expect.stringMatching(/http request/) })]);
    // a new window: the next refusal is logged again
    await silentTcp(s.port, 'GET / HTTP/1.1\r\n\r\n');
    await until(() => s.events('tls-refused').length === 3, 'the refusal in the next window logged', { limitMs: 10_000 });
    expect(s.events('tls-refused')[2]).toMatchObject({ remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  it('counts still open when the server closes are reported then, and its timer is cancelled', async () => {
    const clock = manualClock();
    const s = await bed.start({ tls: true, clock });
    for (let i = 0; i < 3; i++) await silentTcp(s.port, 'GET / HTTP/1.1\r\n\r\n');
    await until(() => s.events('tls-refused').length === 1, 'the first refusal logged', { limitMs: 10_000 });
    await s.server.close();
    expect(s.events('tls-refused')[1]).toMatchObject({ address: '127.0.0.1', repeated: 2 });
    clock.advance(REFUSAL_WINDOW_MS);
    expect(s.events('tls-refused')).toHaveLength(2);
  });
});
