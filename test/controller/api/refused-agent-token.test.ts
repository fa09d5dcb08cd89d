import { describe, expect, it } from 'vitest';
import { unreachableBlock } from '../../../controller/ctl/render-hosts.js';
import { connectFakeAgent } from '../fake-agent.js';
import { controllerBed } from './controller-bed.js';

const bed = controllerBed();

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
    expect(block).toMatch(new RegExp(`\\n  xen3  agent link down, never heard from\\n    its agent connects but its token is refused \\(wrong secret for token id ${id}\\) since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC: enroll it again: xenherd-controller enroll xen3, and put the token it prints in its agent.json\\n`));
    expect(block).toMatch(/\n  xen4  agent link down, never heard from\n/);

    // its agent given the right token again: the link is let in, and the note goes
    const a = await connectFakeAgent({ url: ws, token, ca: c.caPem, host: 'xen3' });
    a.hello();
    await a.until(() => a.of('welcome').length === 1, 'welcome');
    expect(c.core.hosts().hosts.find((h) => h.host === 'xen3')?.tokenRefused).toBeUndefined();
  });
});
