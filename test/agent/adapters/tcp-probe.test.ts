import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tcpReachable } from '../../../agent/adapters/tcp-probe.js';

// Without a bound of its own (null) the probe waits as ssh's connect(2) does without a
// ConnectTimeout: an answer, accepted or refused, ends it at once all the same.
describe('tcpReachable on loopback', () => {
  it('a listening port accepts, a closed one refuses, with no bound of its own as with one', async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void server.close());
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    expect(await tcpReachable('127.0.0.1', port, null)).toEqual({ reachable: true });
    expect(await tcpReachable('127.0.0.1', port, 5_000)).toEqual({ reachable: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await tcpReachable('127.0.0.1', port, null)).toEqual({ reachable: false, why: 'ECONNREFUSED' });
  });
});
