// The index keeps which hosts report each DRBD resource Primary as reports arrive (primary-holders.ts),
// where the alert look walked every resource of the fleet at each look. Random reports (sections
// replaced, DRBD sections gone, hosts forgotten): after each, what the index keeps must be what the
// records it holds say, worked out afresh.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conflictScan } from '../../../controller/fleet/conflicts.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { TICK } from '../../../controller/fleet/scan-tick.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { FUZZ_SEED } from '../../fuzz/fuzz-kit.js';
import { scavengesDuring } from '../../fuzz/heap-after-gc.js';
import { hostState, primary, record } from '../states.js';

const HOSTS = ['xen1', 'xen2', 'xen3', 'xen4'];
const RESOURCES = ['r0', 'r1', 'r2'];

const resourceArb: fc.Arbitrary<LinkDrbdResource> = fc
  .record({ name: fc.constantFrom(...RESOURCES), peer: fc.constantFrom(...HOSTS), role: fc.constantFrom('Primary' as const, 'Secondary' as const), peerRole: fc.constantFrom('Primary' as const, 'Secondary' as const, 'Unknown' as const) })
  .map(({ name, peer, role, peerRole }) => primary(name, peer, role, peerRole));

/** One report: HOST's DRBD resources (a name may come twice), no DRBD section at all, or the host forgotten. */
const reportArb = fc.record({ host: fc.constantFrom(...HOSTS), drbd: fc.oneof(fc.array(resourceArb, { maxLength: 4 }), fc.constant('none' as const), fc.constant('forget' as const)) });

/** What the index's records say, worked out afresh: each resource's Primary holders, and who sees a Primary peer. */
function afresh(index: FleetIndex): { holders: Record<string, string[]>; shared: string[]; seeing: Record<string, string[]> } {
  const holders: Record<string, string[]> = {};
  const seeing: Record<string, string[]> = {};
  for (const r of index.hostRecords()) {
    for (const res of r.state?.drbd.resources ?? []) {
      if (res.role !== 'Primary') continue;
      holders[res.name] = [...new Set([...(holders[res.name] ?? []), r.host])].sort();
      if (res.peers.some((p) => p.role === 'Primary')) seeing[r.host] = [...new Set([...(seeing[r.host] ?? []), res.name])].sort();
    }
  }
  const shared = Object.keys(holders).filter((n) => (holders[n]?.length ?? 0) >= 2).sort();
  return { holders, shared, seeing };
}

function kept(index: FleetIndex): ReturnType<typeof afresh> {
  const k = index.primaryHolders;
  const holders: Record<string, string[]> = {};
  for (const n of RESOURCES) if (k.hostsOf(n).length > 0) holders[n] = [...k.hostsOf(n)].sort();
  const seeing: Record<string, string[]> = {};
  for (const [h, names] of k.seeingPeerPrimary) seeing[h] = [...names].sort();
  return { holders, shared: [...k.shared].sort(), seeing };
}

describe("the index's Primary holders", () => {
  it('are, after every report, what its records say afresh', () => {
    fc.assert(
      fc.property(fc.array(reportArb, { minLength: 1, maxLength: 30 }), (reports) => {
        const index = new FleetIndex();
        for (const { host, drbd } of reports) {
          if (drbd === 'forget') index.remove(host);
          else index.put(record(host, drbd === 'none' ? null : hostState({ drbd: { availability: 'ok', resources: drbd } })));
          expect(kept(index)).toEqual(afresh(index));
        }
      }),
      { seed: FUZZ_SEED, numRuns: 500 },
    );
  });

  it('let the look over a fleet of Primary resources, none on both nodes, make nothing per resource', async () => {
    // DRBD pairs, each host Primary for its own domUs' resources and Secondary for its partner's: the
    // look built a map of every Primary resource at each look, 2,000 entries here, 5,000 looks
    const index = new FleetIndex();
    for (let h = 0; h < 100; h++) {
      const own = Array.from({ length: 20 }, (_, i) => primary(`r${h}-${i}`, `xen${h ^ 1}`, 'Primary', 'Secondary'));
      const partners = Array.from({ length: 20 }, (_, i) => primary(`r${h ^ 1}-${i}`, `xen${h ^ 1}`, 'Secondary', 'Primary'));
      index.put(record(`xen${h}`, hostState({ drbd: { availability: 'ok', resources: [...own, ...partners] } })));
    }
    const fresh = { now: 1_000_000, staleAfterMs: 15_000 };
    const looks = (n: number) => () => {
      for (let i = 0; i < n; i++) for (const f of conflictScan(index, fresh)) if (f !== TICK) throw new Error(`a quiet fleet gave a finding: ${f.kind} ${f.subject}`);
    };
    looks(200)();
    expect(index.primaryHolders.shared.size).toBe(0);
    expect(await scavengesDuring(looks(5_000))).toBeLessThanOrEqual(3);
  });
});
