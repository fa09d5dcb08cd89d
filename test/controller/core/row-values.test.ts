import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../../shared/link/link.js';
import { baseNamesOf, LinkDomainSchema, LinkMemorySchema } from '../../../shared/protocol/agent-link-values.js';
import type { LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { hostState } from '../states.js';

/** a row as sent, name and baseName as given */
const row = (name: string, baseName: string, migration: LinkDomain['migration'] = null): LinkDomain => ({ name, baseName, domid: 7, state: 'blocked', memMiB: 1024, vcpus: 1, migration });
import { coreBed } from './core-bed.js';

describe("a domain row's name and baseName agree, as the agent derives them", () => {
  it('a row of web1 claiming to be app1 is refused, the logged reason naming baseName; the link is closed', async () => {
    const bed = coreBed();
    const { agent } = bed.connect('xen1');
    agent.hello();
    agent.snapshot({ ...hostState(), domains: [row('web1', 'app1')] });
    await bed.clock.advance(0);
    expect(agent.closed?.code).toBe(CLOSE.protocol);
    const refused = bed.events('agent-refused');
    expect(refused.map((l) => [l['host'], l['code']])).toEqual([['xen1', 'XH_ERR_PROTOCOL']]);
    expect(String(refused[0]?.['reason'])).toMatch(/baseName/);
    expect(bed.core.hosts().hosts.map((h) => h.reported)).toEqual([false]);
  });

  it('and in a delta too', async () => {
    const bed = coreBed();
    const { agent } = await bed.online('xen1', hostState({ domains: [row('web1', 'web1')] }));
    agent.delta({ domains: [row('web1', 'web1'), row('web2--incoming', 'web1', 'incoming')] });
    await bed.clock.advance(0);
    expect(agent.closed?.code).toBe(CLOSE.protocol);
    expect(String(bed.events('agent-refused')[0]?.['reason'])).toMatch(/baseName/);
  });

  it("every row the agent reads is accepted: libxl's suffixes, xend's migrating- and Zombie- prefixes, plain names", () => {
    const ok = (name: string, baseName: string, migration: LinkDomain['migration'] = null) => LinkDomainSchema.safeParse(row(name, baseName, migration)).success;
    expect(ok('web1', 'web1')).toBe(true);
    expect(ok('web1--incoming', 'web1', 'incoming')).toBe(true);
    expect(ok('web1--migratedaway', 'web1', 'migratedaway')).toBe(true);
    expect(ok('migrating-web1', 'web1', 'migratedaway')).toBe(true);
    expect(ok('Zombie-web1', 'web1')).toBe(true);
    expect(ok('migrating-web1', 'migrating-web1')).toBe(true); // an xl domU of that name
    expect(ok('web1--incoming', 'web2', 'incoming')).toBe(false);
    expect(ok('web1', 'app1')).toBe(false);
    expect(baseNamesOf('a--incoming')).toEqual(['a']);
  });
});

describe('free memory above total', () => {
  it("is capped at total (the agent's estimate may pass it for a while: not refused), and a plan sees no more room than the host has", async () => {
    expect(LinkMemorySchema.parse({ totalMiB: 32768, freeMiB: 999999999 })).toEqual({ totalMiB: 32768, freeMiB: 32768 });
    expect(LinkMemorySchema.parse({ totalMiB: null, freeMiB: 1024 })).toEqual({ totalMiB: null, freeMiB: 1024 });
    expect(LinkMemorySchema.parse({ totalMiB: 32768, freeMiB: 1024 })).toEqual({ totalMiB: 32768, freeMiB: 1024 });
    const bed = coreBed();
    const { agent } = await bed.online('xen1', { ...hostState(), memory: { totalMiB: 32768, freeMiB: 999999999 } });
    expect(agent.closed).toBeNull();
    expect(bed.core.hosts().hosts[0]?.memory).toEqual({ totalMiB: 32768, freeMiB: 32768 });
  });
});
