import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { revocableLink } from '../../../controller/api/revocable-link.js';
import { revokeCommand } from '../../../controller/cli/revoke.js';
import { CLOSE, type Link } from '../../../shared/link/link.js';
import { dom, hostState } from '../states.js';
import type { FakeAgent } from '../fake-agent.js';
import { capture, controllerBed, type TestController } from './controller-bed.js';
import { until } from '../../helpers/until.js';

// A token is checked at the upgrade; revoking it (or replacing it by enrolling the host again)
// must also end a link opened before.
const bed = controllerBed();

async function reporting(c: TestController, host: string, domain: string, token?: string): Promise<FakeAgent> {
  const a = await c.agent(host, token);
  a.hello();
  a.snapshot(hostState({ domains: [dom(domain)] }));
  await a.until(() => a.of('welcome').length === 1, `${host} welcomed`);
  await until(() => c.core.hosts().hosts.some((h) => h.host === host && h.reachable), `${host} reachable`, { limitMs: 10_000 });
  return a;
}

describe('an open agent link whose token is revoked', () => {
  it('closes at its next message with 1008 and says why in the log; other links stay up', async () => {
    const c = await bed.start();
    const xen1 = await reporting(c, 'xen1', 'web01');
    const xen2 = await reporting(c, 'xen2', 'web02');
    const r = await capture(revokeCommand(join(c.dir, 'no-credential')).run, ['xen1', '--config', c.config]);
    expect(r.code).toBe(0);
    xen1.heartbeat();
    await xen1.until(() => xen1.closed !== null, 'xen1 closed');
    expect(xen1.closed).toEqual({ code: CLOSE.policy, reason: 'token revoked: xenherd-controller enroll HOST makes a new one' });
    expect(c.events('agent-revoked')).toEqual([expect.objectContaining({ host: 'xen1', tokenId: expect.stringMatching(/^[0-9a-f]{12}$/) })]);
    xen2.delta({ domains: [dom('web02'), dom('web03')] });
    await until(() => {
      const w = c.core.where('web03');
      return w.ok && w.value.matches.length === 1;
    }, 'web03 reported by xen2', { limitMs: 10_000 });
    expect(xen2.closed).toBeNull();
  });

  it('enrolling the host again closes the link of the replaced token', async () => {
    const c = await bed.start();
    const old = await reporting(c, 'xen1', 'web01');
    await c.enroll('xen1');
    old.heartbeat();
    await old.until(() => old.closed !== null, 'old link closed');
    expect(old.closed?.code).toBe(CLOSE.policy);
  });
});

/** A link that records what passes through it. */
function recorded(): { link: Link; sent: string[]; closed: Array<[number, string]>; deliver: (text: string) => void } {
  const sent: string[] = [];
  const closed: Array<[number, string]> = [];
  const handlers: Array<(text: string) => void> = [];
  const link: Link = {
    remote: 'memory:test',
    send: (t) => void sent.push(t),
    close: (code, reason) => void closed.push([code, reason]),
    onMessage: (h) => void handlers.push(h),
    onClose: () => undefined,
    heardAt: () => 42,
  };
  return { link, sent, closed, deliver: (t) => handlers.forEach((h) => h(t)) };
}

describe('revocableLink', () => {
  it('passes frames while the token is valid; once it is not, sends and delivers nothing more, closes once, tells once', () => {
    let valid = true;
    let told = 0;
    const inner = recorded();
    const link = revocableLink(inner.link, () => valid, () => void told++);
    const got: string[] = [];
    link.onMessage((t) => void got.push(t));
    link.send('a');
    inner.deliver('b');
    expect([inner.sent, got, link.heardAt?.()]).toEqual([['a'], ['b'], 42]);
    valid = false;
    link.send('command');
    inner.deliver('report');
    link.send('more');
    valid = true; // a later good store does not bring a revoked link back
    inner.deliver('again');
    expect([inner.sent, got, told]).toEqual([['a'], ['b'], 1]);
    expect(inner.closed).toEqual([[CLOSE.policy, 'token revoked: xenherd-controller enroll HOST makes a new one']]);
  });
});
