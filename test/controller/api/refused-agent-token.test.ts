import { describe, expect, it } from 'vitest';
import { unreachableBlock } from '../../../controller/ctl/render-hosts.js';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { connectFakeAgent } from '../fake-agent.js';
import { controllerBed } from './controller-bed.js';
import { hostState } from '../states.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

type Started = Awaited<ReturnType<typeof bed.start>>;

/** HOST enrolled and its (fake) agent linked and reported: the token, its id, the ws URL and the agent */
async function linkedAgent(c: Started, host: string) {
  const token = await c.enroll(host);
  const id = token.split('.')[1] ?? '?';
  const ws = c.url.replace(/^http/, 'ws');
  const agent = await connectFakeAgent({ url: ws, token, ca: c.caPem, host });
  agent.hello();
  agent.snapshot(hostState());
  await until(() => c.core.hosts().hosts.some((h) => h.host === host && h.reachable), `${host} reachable`, { limitMs: 10_000 });
  return { token, id, ws, agent };
}

describe('an enrolled Dom0 whose agent dials with a refused token', () => {
  it("is said so in hosts and status (its token id, why, since when, the enroll), not as a dead Dom0; a token id no host holds adds nothing", async () => {
    const c = await bed.start(undefined, undefined, { enrolled: true });
    const token = await c.enroll('xen3');
    const id = token.split('.')[1] ?? '?';
    await c.enroll('xen4');
    const ws = c.url.replace(/^http/, 'ws');
    await expect(connectFakeAgent({ url: ws, token: `${token.slice(0, -4)}AAAA`, ca: c.caPem, host: 'xen3' })).rejects.toThrow(/HTTP 401/);
    await expect(connectFakeAgent({ url: ws, token: `xh1.000000000000.${'A'.repeat(43)}`, ca: c.caPem, host: 'xen4' })).rejects.toThrow(/HTTP 401/);
    const hosts = c.core.hosts().hosts;
    expect(hosts.find((h) => h.host === 'xen3')?.tokenRefused).toEqual({ tokenId: id, reason: `wrong secret for token id ${id}`, since: expect.any(Number) });
    expect(hosts.find((h) => h.host === 'xen4')?.tokenRefused).toBeUndefined();
    const status = c.core.status();
    const block = unreachableBlock(status.hosts);
    expect(block).toMatch(new RegExp(`\\n  xen3  agent link down, not heard from since the controller started\\n    its agent connects but its token is refused \\(wrong secret for token id ${id}\\) since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC: enroll it again: xenherd-controller enroll xen3, and put the token it prints in its agent.json\\n`));
    expect(block).toMatch(/\n  xen4  agent link down, not heard from since the controller started\n/);

    // its agent given the right token again: the link is let in, and the note goes
    const a = await connectFakeAgent({ url: ws, token, ca: c.caPem, host: 'xen3' });
    a.hello();
    await a.until(() => a.of('welcome').length === 1, 'welcome');
    expect(c.core.hosts().hosts.find((h) => h.host === 'xen3')?.tokenRefused).toBeUndefined();
  });
});

describe('a refused dial with the token id of a Dom0 whose own agent is linked', () => {
  it('is not noted: once that Dom0 goes down it reads as unheard (check its power, its agent), not as a token to enroll again', async () => {
    const c = await bed.start(undefined, undefined, { enrolled: true });
    const { id, ws, agent: xen1 } = await linkedAgent(c, 'xen1');
    // anyone who read the id (a log line, `xenherd-controller tokens`) and made up a secret
    await expect(connectFakeAgent({ url: ws, token: `xh1.${id}.${'A'.repeat(43)}`, ca: c.caPem, host: 'xen1' })).rejects.toThrow(/HTTP 401/);
    xen1.link.close(1000, 'powered off');
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && !h.reachable), 'xen1 unreachable', { limitMs: 10_000 });
    expect(c.core.hosts().hosts.find((h) => h.host === 'xen1')?.tokenRefused).toBeUndefined();
    const check = c.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).details.find((p) => p.subject === 'xen1');
    expect(check?.text).toMatch(/check that xen1 is powered and on the network, then its agent there/);
  });
});

describe('an agent still dialling with the token an enroll of its Dom0 replaced while it was linked', () => {
  it('is said so (the token replaced, since when, the enroll) in hosts and check, not as a Dom0 to check the power of', async () => {
    const c = await bed.start(undefined, undefined, { enrolled: true });
    const { token: old, id, ws, agent: xen2 } = await linkedAgent(c, 'xen2');
    // a leaked token replaced as README says: enroll the Dom0 again; its open link closes at its next message
    await c.enroll('xen2');
    xen2.delta({ domains: [] });
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen2' && !h.linkUp), 'xen2 link closed', { limitMs: 10_000 });
    // its agent, not yet given the new token, dials again with the old one
    await expect(connectFakeAgent({ url: ws, token: old, ca: c.caPem, host: 'xen2' })).rejects.toThrow(/HTTP 401/);
    expect(c.core.hosts().hosts.find((h) => h.host === 'xen2')?.tokenRefused).toEqual({
      tokenId: id,
      reason: expect.stringMatching(new RegExp(`^token id ${id} was replaced or revoked at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, while this agent was linked with it$`)),
      since: expect.any(Number),
    });
    const check = c.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).details.find((p) => p.subject === 'xen2');
    expect(check?.text).toMatch(new RegExp(`its agent connects but its token is refused \\(token id ${id} was replaced or revoked at [^)]*\\) since [^:]*:\\d\\d UTC: enroll it again: xenherd-controller enroll xen2, and put the token it prints in its agent.json$`));
    expect(check?.text).not.toMatch(/is powered and on the network/);
  });
});
