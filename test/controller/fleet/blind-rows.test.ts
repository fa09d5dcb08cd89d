import { describe, expect, it } from 'vitest';
import { keptRows, recordAfterReport, type Reported } from '../../../controller/fleet/blind-rows.js';
import { withView, type HostRecord } from '../../../controller/fleet/host-record.js';
import { noteIncoming } from '../../../controller/fleet/incoming-since.js';
import { mergeFleet, type MergedFleet } from '../../../controller/fleet/merge.js';
import { placementOf } from '../../../controller/fleet/placement.js';
import { domainRows } from '../../../controller/fleet/views.js';
import type { LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, primary, record } from '../states.js';

// An agent whose `xl list` fails or hangs says its view is unknown, then reports no domains: it has
// none it can vouch for. The controller keeps showing the rows it read before, not vouched for.

const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const names = (r: HostRecord | null): string[] => (r?.state?.domains ?? []).map((d) => d.name);
const after = (r: HostRecord, domains: LinkDomain[], type: 'snapshot' | 'delta' = 'delta', at = NOW): Reported => {
  const n = recordAfterReport(r, type === 'snapshot' ? { type, seq: 2, at, state: hostState({ domains }) } : { type, seq: 2, at, state: { domains } }, at);
  if (!n.ok || n.value === null) throw new Error('no record');
  return n.value;
};

describe('the rows of a host whose agent cannot read xl list', () => {
  const read = record('xen1', hostState({ domains: [dom('web1'), dom('web2')] }), NOW - 60_000);

  it('an empty report while the view is unknown keeps the rows read before; the next delta applies to what the agent sent', () => {
    const blind = after(withView(read, 'unknown', NOW - 30_000), [], 'delta', NOW - 29_000);
    expect(names(blind)).toEqual(['web1', 'web2']);
    expect(keptRows(blind).map((d) => d.name)).toEqual(['web1', 'web2']);
    expect(blind.agentDomains).toEqual([]);
    // listed as the host's rows, not vouched for
    expect(domainRows(mergeFleet([blind], fresh).index, 'xen1', fresh).map((d) => [d.name, d.reachable])).toEqual([
      ['web1', false],
      ['web2', false],
    ]);
    // heartbeats and empty reports keep them
    expect(names(after(blind, [], 'snapshot'))).toEqual(['web1', 'web2']);
  });

  it('a report with rows in it is a read: shown, whatever the view; out of unknown, the agent rows are shown again', () => {
    const blind = after(withView(read, 'unknown', NOW - 30_000), []);
    expect(names(after(blind, [dom('web1')]))).toEqual(['web1']);
    expect(after(blind, [dom('web1')]).agentDomains).toBeUndefined();
    // the agent read nothing running (its delta carried no change) and says current: nothing runs there
    const back = withView(after(blind, []), 'current', NOW);
    expect(names(back)).toEqual([]);
    expect(back.agentDomains).toBeUndefined();
    expect(withView(blind, 'behind', NOW).state?.domains).toEqual([]);
  });

  it('not while the view is current or behind: an empty report then is what runs', () => {
    expect(names(after(read, []))).toEqual([]);
    expect(names(after(withView(read, 'behind', NOW - 5_000), []))).toEqual([]);
  });
});

// The overtaking rule of a silent host's last report (superseded.ts) holds for a blind one's kept
// rows: a current host seen receiving Web3 by migration since xen3 lost sight of its domains.
describe("a blind host's kept rows, and a second copy elsewhere", () => {
  const web3 = (opts: Partial<LinkDomain> = {}): LinkDomain => dom('Web3', { domid: 12, state: 'running', ...opts });
  const xen2State = (domains: LinkDomain[]) => hostState({ domains, guarded: [guarded('Web3', ['r7'])], drbd: { availability: 'ok', resources: [primary('r7', 'xen3', 'Primary', 'Secondary')] } });
  function xen2(arrived: number, byHand = false): HostRecord {
    let r = noteIncoming(record('xen2', xen2State([byHand ? web3() : web3({ migration: 'incoming' })]), arrived - 40_000), arrived - 40_000);
    r = noteIncoming({ ...r, state: xen2State([web3()]), lastSeen: arrived }, arrived);
    return noteIncoming({ ...r, lastSeen: NOW - 500 }, NOW - 500);
  }
  /** xen3 heard from now, its agent unable to read xl list since BLINDSINCE, showing Web3 as last read */
  const xen3 = (blindSince: number): HostRecord => {
    const r = record('xen3', hostState({ domains: [web3({ domid: 4 })], guarded: [guarded('Web3', ['r7'])], drbd: { availability: 'ok', resources: [primary('r7', 'xen2', 'Secondary', 'Primary')] } }), blindSince - 1_000);
    return { ...after(withView(r, 'unknown', blindSince), [], 'delta', NOW - 500), viewLag: { view: 'unknown', since: blindSince } };
  };
  const kinds = (m: MergedFleet) => m.findings.map((f) => [f.kind, f.subject]);
  const placesOf = (m: MergedFleet) => placementOf(m.index, 'Web3', fresh, () => [])?.places.map((p) => [p.host, p.reachable]);

  it('arrived by migration after xen3 went blind: one copy, on xen2', () => {
    const m = mergeFleet([xen3(NOW - 20_000), xen2(NOW - 10_000)], fresh);
    expect(kinds(m)).toEqual([]);
    expect(placesOf(m)).toEqual([['xen2', true]]);
  });

  it('started by hand on xen2, or arrived before xen3 went blind: on two hosts, as for a silent host, saying why xen3 is not vouched for', () => {
    for (const m of [mergeFleet([xen3(NOW - 20_000), xen2(NOW - 10_000, true)], fresh), mergeFleet([xen3(NOW - 10_000), xen2(NOW - 20_000)], fresh)]) {
      expect(kinds(m)).toEqual([['running-on-two-hosts', 'Web3']]);
      expect(m.findings[0]?.message).toContain('xen3 (its agent cannot read xl list, for ');
      expect(placesOf(m)).toEqual([
        ['xen2', true],
        ['xen3', false],
      ]);
    }
  });
});
