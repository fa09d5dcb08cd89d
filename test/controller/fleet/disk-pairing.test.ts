import { describe, expect, it } from 'vitest';
import { pairsWithHolders, type DrbdReportOf } from '../../../controller/fleet/disk-pairing.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { primary } from '../states.js';

// r1 backs web1, which xen1 and xen2 hold (their .res files name both); xen9 is the host asked about.
const reports = (byHost: Record<string, readonly LinkDrbdResource[]>): DrbdReportOf => (h) => byHost[h];
const pairs = (byHost: Record<string, readonly LinkDrbdResource[]>, holders: readonly string[] = ['xen1', 'xen2']) => pairsWithHolders('xen9', 'r1', holders, reports(byHost));
const noPeers = (name: string): LinkDrbdResource => ({ name, role: 'Secondary', disk: 'UpToDate', peers: [] });

describe("pairsWithHolders: a DRBD resource on a host counts only when it pairs with the domU's other holders", () => {
  it('a resource name alone proves nothing: no peer, a peer that holds nothing of the domU, no report at all', () => {
    expect(pairs({ xen9: [noPeers('r1')] })).toBe(false);
    expect(pairs({ xen9: [primary('r1', 'xen8')] })).toBe(false);
    expect(pairs({})).toBe(false);
    // the holders' reports of other resources, or of r1 with other peers, say nothing of xen9
    expect(pairs({ xen9: [primary('r1', 'xen8')], xen1: [primary('r1', 'xen2'), primary('r2', 'xen9')], xen2: [primary('r1', 'xen1')] })).toBe(false);
  });

  it("its own DRBD 9 report naming a holder as r1's peer pairs it, whatever the connection's state", () => {
    expect(pairs({ xen9: [primary('r1', 'xen1')] })).toBe(true);
    expect(pairs({ xen9: [primary('r1', 'xen2', 'Secondary', 'Primary')] })).toBe(true);
    const standAlone: LinkDrbdResource = { name: 'r1', role: 'Secondary', disk: 'UpToDate', peers: [{ name: 'xen1', role: null, connection: 'StandAlone', disk: null, replication: null }] };
    expect(pairs({ xen9: [standAlone] })).toBe(true);
    // one peer of several (DRBD 9 with three nodes)
    expect(pairs({ xen9: [{ ...primary('r1', 'xen8'), peers: [...primary('r1', 'xen8').peers, ...primary('r1', 'xen2').peers] }] })).toBe(true);
  });

  it('only the resource asked about counts: a holder named as the peer of another resource does not pair r1', () => {
    expect(pairs({ xen9: [primary('r2', 'xen1'), noPeers('r1')] })).toBe(false);
  });

  it("a holder's report naming the host as r1's peer pairs it, also while the host's own DRBD view is unreadable", () => {
    expect(pairs({ xen1: [primary('r1', 'xen9')] })).toBe(true);
    expect(pairs({ xen9: [], xen2: [primary('r1', 'xen9', 'Secondary')] })).toBe(true);
    expect(pairs({ xen9: [noPeers('r1')], xen1: [{ ...primary('r1', 'xen2'), peers: [...primary('r1', 'xen2').peers, ...primary('r1', 'xen9').peers] }] })).toBe(true);
    // a holder naming it as the peer of another resource does not
    expect(pairs({ xen1: [primary('r2', 'xen9')] })).toBe(false);
  });

  it('DRBD 8.4 names no peer ("peer", or node-id:N in an events2 dump): a report of r1 pairs nothing on either side', () => {
    expect(pairs({ xen9: [primary('r1', 'peer')], xen1: [primary('r1', 'peer')] })).toBe(false);
    expect(pairs({ xen9: [primary('r1', 'node-id:0')], xen1: [primary('r1', 'node-id:1')] })).toBe(false);
  });

  it('the host itself among the holders is no pairing: it cannot vouch for itself', () => {
    expect(pairs({ xen9: [primary('r1', 'xen9')] }, ['xen9'])).toBe(false);
    expect(pairs({ xen9: [primary('r1', 'xen9')] }, ['xen9', 'xen1'])).toBe(false);
    expect(pairs({ xen9: [primary('r1', 'xen1')] }, [])).toBe(false);
    expect(pairs({ xen9: [primary('r1', 'xen1')] }, ['xen9', 'xen1'])).toBe(true);
  });
});
