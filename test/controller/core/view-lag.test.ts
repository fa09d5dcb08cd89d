import { describe, expect, it } from 'vitest';
import { dom, hostState } from '../states.js';
import { coreBed, T0 } from './core-bed.js';

// An agent whose `xl list` is slow says its view of its domains is behind (link feature
// view-lag): the controller marks that host's rows stale in `where` and `domains` and says so in
// `hosts`, although the link is alive, until the agent says it is current again.

const places = (bed: ReturnType<typeof coreBed>, name: string) => {
  const r = bed.core.where(name);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.matches[0];
};

describe('an agent whose view of its domains is behind', () => {
  it('is welcomed with accepts view-lag only when it announced it', async () => {
    const bed = coreBed();
    const a = bed.connect('xen1').agent;
    a.hello({ capabilities: ['migrate', 'view-lag'] });
    const b = bed.connect('xen2').agent;
    b.hello();
    await bed.clock.advance(0);
    expect(a.of('welcome')[0]).toMatchObject({ accepts: ['view-lag'] });
    expect(b.of('welcome')[0]).not.toHaveProperty('accepts');
  });

  it('has its rows marked stale while behind or unknown, its link still up; current again when it says so', async () => {
    const bed = coreBed();
    const { agent } = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    expect(places(bed, 'web01')).toMatchObject({ reachable: true, places: [{ host: 'xen1', reachable: true }] });
    for (const view of ['behind', 'unknown'] as const) {
      agent.send({ type: 'view', at: T0, view });
      await bed.clock.advance(0);
      expect(places(bed, 'web01')).toMatchObject({ reachable: false, places: [{ host: 'xen1', reachable: false }] });
      expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: true, linkUp: true, view });
      const d = bed.core.domains('xen1');
      expect(d.ok && d.value.domains.map((r) => r.reachable)).toEqual([false]);
    }
    agent.send({ type: 'view', at: T0, view: 'current' });
    await bed.clock.advance(0);
    expect(places(bed, 'web01')).toMatchObject({ reachable: true, places: [{ host: 'xen1', reachable: true }] });
    expect(bed.core.hosts().hosts[0]).toMatchObject({ view: 'current' });
  });

  it('starts current again on a new link', async () => {
    const bed = coreBed();
    const first = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    first.agent.send({ type: 'view', at: T0, view: 'behind' });
    await bed.clock.advance(0);
    first.pair.drop();
    await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    expect(places(bed, 'web01')).toMatchObject({ reachable: true });
  });
});
