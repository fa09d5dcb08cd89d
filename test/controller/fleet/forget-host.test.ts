import { describe, expect, it } from 'vitest';
import { domusAwayFromHome } from '../../../controller/fleet/away-from-home.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { away, dom, guarded, hostState, record, unsettled } from '../states.js';

describe('FleetIndex.remove: a forgotten host leaves nothing behind', () => {
  it('clears its record and every per-domU entry it made (running, homes, away, visitors, unsettled, guarded)', () => {
    const index = new FleetIndex();
    index.put(record('xen1', hostState({ domains: [dom('web01'), dom('mail')] })));
    const db1 = hostState({
      domains: [dom('web01'), dom('db01')],
      homes: [{ name: 'db01', peer: 'xen1', source: 'migrate-tab' }, { name: 'mail', peer: 'xen1', source: 'guarded' }],
      guarded: [guarded('db01')],
      ledger: { seq: 3, away: { mail: away('db1', 'xen1') }, visitors: { web01: { home: 'xen1', since: '2024-05-01T14:02:00.000Z', operationId: 'op-1' } }, unsettled: { dns: unsettled('xen1') } },
    });
    index.put(record('db1', db1));
    expect(domusAwayFromHome(index).map((a) => a.name)).toEqual(['mail']);
    expect(index.remove('db1').sort()).toEqual(['db01', 'web01']);
    expect(index.record('db1')).toBeUndefined();
    expect([...index.hostRecords()].map((r) => r.host)).toEqual(['xen1']);
    for (const ix of [index.homes, index.away, index.visitors, index.unsettled, index.guarded]) expect([...ix.names()]).toEqual([]);
    expect([...index.running.entries()].map(([n, byHost]) => [n, [...byHost.keys()]])).toEqual([['web01', ['xen1']], ['mail', ['xen1']]]);
    expect(index.isKnown('db01')).toBe(false);
    // the away-from-home answer kept from the changed names follows: mail is no longer away
    expect(domusAwayFromHome(index)).toEqual([]);
    expect(index.remove('db1')).toEqual([]);
  });

  it('a host put again after its removal is indexed from scratch', () => {
    const index = new FleetIndex();
    const state = hostState({ domains: [dom('web01')], homes: [{ name: 'web01', peer: null, source: 'migrate-tab' }] });
    index.put(record('db1', state));
    index.remove('db1');
    index.put(record('db1', state));
    expect([...(index.running.get('web01')?.keys() ?? [])]).toEqual(['db1']);
    expect([...(index.homes.get('web01')?.keys() ?? [])]).toEqual(['db1']);
  });
});
