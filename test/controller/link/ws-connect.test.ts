import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { realClock } from '../../../shared/clock/real-clock.js';
import { connectAgentLink } from '../../../shared/link/ws-connect.js';
import { controllerBed } from '../api/controller-bed.js';
import { FakeAgent } from '../fake-agent.js';
import { hostState } from '../states.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();
const target = (url: string, token: string, over: { caPem?: string | null; caFingerprint?: string | null } = {}) => ({
  url: url.replace(/^http/, 'ws'),
  token,
  caPem: null,
  caFingerprint: null,
  maxPayload: 1 << 20,
  handshakeTimeoutMs: 5_000,
  clock: realClock,
  ...over,
});

describe("an agent's link from its `controller` config section", () => {
  it('caFingerprint (what enroll prints) pins the CA: the link opens and reports', async () => {
    const c = await bed.start();
    const token = await c.enroll('xen1');
    const fingerprint = new X509Certificate(c.caPem).fingerprint256;
    const r = await connectAgentLink(target(c.url, token, { caFingerprint: fingerprint }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const a = new FakeAgent(r.value, 'xen1', () => Date.now());
    a.hello();
    a.snapshot(hostState());
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.reachable), 'xen1 reachable', { limitMs: 10_000 });
  });

  it('a wrong fingerprint or no trust at all: untrusted, and the token never reaches the server', async () => {
    const c = await bed.start();
    const token = await c.enroll('xen1');
    const wrong = await connectAgentLink(target(c.url, token, { caFingerprint: 'AA:'.repeat(31) + 'AA' }));
    expect(wrong).toMatchObject({ ok: false, error: { kind: 'untrusted', message: expect.stringMatching(/no certificate with the pinned fingerprint/) } });
    const none = await connectAgentLink(target(c.url, token));
    expect(none).toMatchObject({ ok: false, error: { kind: 'untrusted' } });
    expect(c.events('agent-refused')).toEqual([]);
    expect(c.core.hosts().hosts).toEqual([]);
  });

  it('a refused token: the HTTP status and the error code from the body', async () => {
    const c = await bed.start();
    const r = await connectAgentLink(target(c.url, `xh1.0123456789ab.${'A'.repeat(43)}`, { caPem: c.caPem }));
    expect(r).toMatchObject({ ok: false, error: { kind: 'refused', status: 401, code: 'XH_ERR_AUTH' } });
  });

  it('nobody listening: unreachable', async () => {
    const c = await bed.start();
    const url = c.url;
    await c.stop();
    const r = await connectAgentLink(target(url, 'x', { caPem: c.caPem }));
    expect(r).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
  });
});
