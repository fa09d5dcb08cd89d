import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../../shared/link/link.js';
import { LINK_FEATURE } from '../../../shared/protocol/agent-link.js';
import type { LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { domainRowsBetween } from '../../../shared/protocol/domain-rows.js';
import { seededRandom } from '../../../shared/random.js';
import { dom, hostState } from '../states.js';
import { coreBed } from './core-bed.js';

// Link feature domain-rows on the controller's side: a delta carrying only the changed rows of
// `domains` leaves the fleet view exactly as the whole section would, and rows that do not fit
// what the controller holds end the link (the agent's next link starts with a snapshot).

const withRows = { capabilities: ['migrate', LINK_FEATURE.domainRows] };

/** What the controller answers for HOST's domains: the link's fields of each row, by name. */
function heldRows(bed: ReturnType<typeof coreBed>, host: string): LinkDomain[] {
  const r = bed.core.domains(host);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.domains.map(({ name, baseName, domid, state, memMiB, vcpus, migration }) => ({ name, baseName, domid, state, memMiB, vcpus, migration })).sort((a, b) => a.name.localeCompare(b.name));
}
const byName = (rows: readonly LinkDomain[]): LinkDomain[] => [...rows].sort((a, b) => a.name.localeCompare(b.name));

describe('changed domain rows in a delta (feature domain-rows)', () => {
  it('the welcome takes the feature only from an agent that announces it', async () => {
    const bed = coreBed();
    const a = bed.connect('xen1').agent;
    const b = bed.connect('xen2').agent;
    a.hello(withRows);
    b.hello();
    await bed.clock.advance(0);
    expect(a.of('welcome')[0]?.accepts).toEqual([LINK_FEATURE.domainRows]);
    expect(b.of('welcome')[0]?.accepts).toBeUndefined();
  });

  it('a changed, a new and a gone row move where and the host domains as the whole section would', async () => {
    const bed = coreBed();
    const { agent } = bed.connect('xen1');
    agent.hello(withRows);
    agent.snapshot(hostState({ domains: [dom('web01'), dom('db1'), dom('mail1')] }));
    await bed.clock.advance(0);
    agent.delta({}, { set: [dom('web01', { state: 'paused' }), dom('new1')], gone: ['db1'], count: 3 });
    await bed.clock.advance(0);
    expect(heldRows(bed, 'xen1')).toEqual(byName([dom('web01', { state: 'paused' }), dom('mail1'), dom('new1')]));
    const where = bed.core.where('db1');
    expect(where.ok && where.value.matches.flatMap((m) => m.places)).toEqual([]);
    const moved = bed.core.where('new1');
    expect(moved.ok && moved.value.matches[0]?.places.map((p) => p.host)).toEqual(['xen1']);
    // other sections in the same delta are replaced whole, as ever
    agent.delta({ maintenance: { state: 'draining', operationId: 'op-1', owner: 'ctl:admin' } }, { set: [], gone: ['mail1'], count: 2 });
    await bed.clock.advance(0);
    expect(heldRows(bed, 'xen1').map((d) => d.name)).toEqual(['new1', 'web01']);
    expect(bed.core.hosts().hosts[0]?.maintenance.state).toBe('draining');
    expect(agent.closed).toBeNull();
  });

  it('any sequence of edits, sent as rows where smaller and whole otherwise, leaves the same rows as the agent has', async () => {
    const bed = coreBed();
    const { agent } = bed.connect('xen1');
    agent.hello(withRows);
    let rows: LinkDomain[] = Array.from({ length: 12 }, (_, i) => dom(`vm${i}`, { domid: i + 1 }));
    agent.snapshot(hostState({ domains: rows }));
    await bed.clock.advance(0);
    const random = seededRandom(42);
    const roll = (n: number): number => Math.floor(random() * n);
    let asRows = 0;
    for (let step = 0; step < 300; step++) {
      const next = [...rows];
      for (let k = roll(3) + 1; k > 0; k--) {
        const what = roll(4);
        const i = roll(next.length || 1);
        if (what === 0 && next.length > 0) next.splice(i, 1);
        else if (what === 1) next.push(dom(`vm${12 + step}x${k}`, { domid: 100 + step }));
        else if (next[i] !== undefined) next[i] = { ...next[i], memMiB: 512 + roll(4096), state: roll(2) === 0 ? 'running' : 'blocked' };
      }
      const diff = domainRowsBetween(rows, next);
      if (diff === null) agent.delta({ domains: next });
      else {
        asRows++;
        agent.delta({}, diff);
      }
      rows = next;
      await bed.clock.advance(0);
      expect(heldRows(bed, 'xen1')).toEqual(byName(rows));
    }
    expect(asRows).toBeGreaterThan(200);
    expect(agent.closed).toBeNull();
  });

  it('rows that do not fit what the controller holds end the link for a new snapshot (CLOSE.resync, no refusal), with a logged reason; other hosts are untouched', async () => {
    for (const [rows, why] of [
      [{ set: [], gone: ['ghost'], count: 1 }, 'rows said gone are not held: ghost'],
      [{ set: [dom('new1')], gone: [], count: 5 }, 'the rows make 3 rows, the message says 5'],
    ] as const) {
      const bed = coreBed();
      const { agent } = bed.connect('xen1');
      agent.hello(withRows);
      agent.snapshot(hostState({ domains: [dom('web01'), dom('db1')] }));
      const other = (await bed.online('xen2', hostState({ domains: [dom('mail1')] }))).agent;
      await bed.clock.advance(0);
      agent.delta({}, { ...rows, set: [...rows.set], gone: [...rows.gone] });
      await bed.clock.advance(0);
      // not 1002 and no `error`: an agent reads either as a refusal and logs that an operator must act
      expect(agent.closed?.code).toBe(CLOSE.resync);
      expect(agent.closed?.reason).toContain(why);
      expect(agent.of('error')).toEqual([]);
      expect(bed.events('agent-refused')).toEqual([]);
      expect(bed.events('agent-resync').map((l) => [l['host'], l['level'], l['closeCode'], String(l['reason']).includes(why)])).toEqual([['xen1', 40, CLOSE.resync, true]]);
      // what xen1 last reported stays, marked unreachable; xen2 goes on
      expect(heldRows(bed, 'xen1').map((d) => d.name)).toEqual(['db1', 'web01']);
      expect(bed.core.hosts().hosts.map((h) => [h.host, h.reachable])).toEqual([['xen1', false], ['xen2', true]]);
      expect(other.closed).toBeNull();
    }
  });
});
