import { describe, expect, it } from 'vitest';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { dom, hostState } from '../states.js';
import { coreBed, T0, type CoreBed } from './core-bed.js';

// An agent that cannot read `xl list` reports no domains, and the controller keeps showing the
// rows it read before (blind-rows.ts). Its link may drop and come back while it stays blind: an
// agent whose snapshot says its view (link feature snapshot-view) keeps them, and the time its
// view went unknown, across the reconnect; a reboot drops them, they described the previous boot.

const CAPS = ['migrate', 'reverse', 'fleet-view', 'view-lag', 'snapshot-view'];
const READ = hostState({ domains: [dom('web01'), dom('web02')] });

/** xen1 reporting web01 and web02, then unable to read xl list since T0 + 1 s, its link dropped at T0 + 5 s */
async function blindThenDropped(): Promise<CoreBed> {
  const bed = coreBed();
  const first = bed.connect('xen1');
  first.agent.hello({ capabilities: CAPS, bootId: 'boot-a' });
  first.agent.snapshot(READ);
  await bed.clock.advance(1_000);
  first.agent.send({ type: 'view', at: bed.clock.now(), view: 'unknown' });
  first.agent.delta({ domains: [] });
  await bed.clock.advance(4_000);
  first.pair.drop();
  await bed.clock.advance(5_000);
  return bed;
}

/** a new link of xen1 from BOOTID, its snapshot STATE saying VIEW */
async function reconnect(bed: CoreBed, bootId: string, state: HostState, view: 'current' | 'unknown'): Promise<void> {
  const { agent } = bed.connect('xen1');
  agent.hello({ capabilities: CAPS, bootId });
  agent.send({ type: 'snapshot', seq: 1, at: bed.clock.now(), state, view });
  await bed.clock.advance(0);
}

const rows = (bed: CoreBed) => {
  const d = bed.core.domains('xen1');
  if (!d.ok) throw new Error(d.error.message);
  return d.value.domains.map((r) => [r.name, r.reachable, r.viewUnknownSince]);
};

describe('a blind agent that reconnects', () => {
  it('while still blind, of the same boot: its last rows stay, not vouched for, unknown since it first said so', async () => {
    const bed = await blindThenDropped();
    await reconnect(bed, 'boot-a', hostState(), 'unknown');
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: true, view: 'unknown' });
    expect(rows(bed)).toEqual([
      ['web01', false, T0 + 1_000],
      ['web02', false, T0 + 1_000],
    ]);
    const w = bed.core.where('web01');
    expect(w.ok && w.value.matches[0]?.places.map((p) => p.host)).toEqual(['xen1']);
  });

  it('able to read again: its own rows, vouched for (none, when none runs)', async () => {
    const bed = await blindThenDropped();
    await reconnect(bed, 'boot-a', hostState(), 'current');
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: true, view: 'current' });
    expect(rows(bed)).toEqual([]);
  });

  it('after a reboot: the rows of the previous boot are not kept, its view unknown from now', async () => {
    const bed = await blindThenDropped();
    await reconnect(bed, 'boot-b', hostState(), 'unknown');
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: true, view: 'unknown' });
    expect(rows(bed)).toEqual([]);
  });

  it('an agent that says its view only after its snapshot: its view reads current until it does, as before', async () => {
    const bed = await blindThenDropped();
    const { agent } = bed.connect('xen1');
    agent.hello({ capabilities: ['migrate', 'view-lag'], bootId: 'boot-a' });
    agent.snapshot(hostState({ domains: [dom('web01')] }));
    await bed.clock.advance(0);
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: true, view: 'current' });
    expect(rows(bed)).toEqual([['web01', true, undefined]]);
  });
});
