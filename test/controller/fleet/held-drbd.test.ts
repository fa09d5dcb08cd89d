// The fleet view holds each Dom0's DRBD section (held-drbd.ts) with a resource unchanged since the
// last report kept as the object held, and the peer lists alike within a report shared: at 2,000
// Dom0s of DRBD pairs, every resource carried its own copy of the partner as its peer. What is
// shared must change nothing that is read: every record's state stays, byte for byte, the state
// that was put, and every answer after a history of reports is the one the last reports alone give.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import type { HostState, LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { runs } from '../../fuzz/fuzz-kit.js';
import { hostState, primary, record } from '../states.js';
import { answersAfter, lastReports, type Report } from './history-answers.js';
import { claimsByNameArb, HOSTS, hostArb, NAMES } from './random-fleet.js';

/** A section as a new report parses it: equal values, none of them the objects held. */
const reparsed = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const drbdOf = (ix: FleetIndex, host: string): readonly LinkDrbdResource[] => ix.record(host)?.state?.drbd.resources ?? [];

const resourceArb = (name: string): fc.Arbitrary<LinkDrbdResource | null> =>
  fc.option(
    fc.record({
      role: fc.constantFrom<LinkDrbdResource['role']>('Primary', 'Secondary', null),
      disk: fc.constantFrom('UpToDate', 'Outdated', null),
      client: fc.boolean(),
      peers: fc.array(
        fc.record({ name: fc.constantFrom(...HOSTS), role: fc.constantFrom<LinkDrbdResource['role']>('Primary', 'Secondary', 'Unknown', null), connection: fc.constantFrom('Connected', 'StandAlone', null), disk: fc.constantFrom('UpToDate', 'DUnknown'), replication: fc.constantFrom('Established', null), client: fc.boolean() }),
        { maxLength: 2 },
      ),
    }).map(({ role, disk, client, peers }): LinkDrbdResource => ({
      name,
      role,
      disk,
      ...(client ? { client: true as const } : {}),
      peers: peers.map(({ client: c, ...p }) => (c ? { ...p, client: true as const } : p)),
    })),
    { nil: null, freq: 4 },
  );

/**
 * REPORTS with each host's rows and Primary resources, in every report before its last, those of
 * its last: since when a domU runs or a resource is Primary, and whether the controller saw it
 * begin, follow the history (copy-since.ts) as they must; the rest of each section varies freely.
 */
function withSteadyCopies(reports: readonly Report[]): Report[] {
  const last = new Map(lastReports(reports).map((r) => [r.host, r.state]));
  return reports.map(({ host, state }) => {
    const final = last.get(host) ?? state;
    const primaries = final.drbd.resources.filter((x) => x.role === 'Primary');
    const named = new Set(primaries.map((x) => x.name));
    const resources = [...primaries, ...state.drbd.resources.filter((x) => x.role !== 'Primary' && !named.has(x.name))];
    return { host, state: { ...state, domains: final.domains, drbd: { ...state.drbd, resources } } };
  });
}

describe('held DRBD sections', () => {
  it("shares one peer list between a host's resources with equal peers, frozen, and keeps a resource unchanged since the last report", () => {
    const ix = new FleetIndex();
    const resources = [primary('r-web1', 'xen2'), primary('r-web2', 'xen2'), primary('r-db1', 'xen2', 'Secondary', 'Primary')];
    ix.put(record('xen1', hostState({ drbd: { availability: 'ok', resources } })));
    const [web1, web2, db1] = drbdOf(ix, 'xen1');
    expect(web2?.peers).toBe(web1?.peers);
    expect(db1?.peers).not.toBe(web1?.peers);
    expect(Object.isFrozen(web1)).toBe(true);
    expect(Object.isFrozen(web1?.peers)).toBe(true);
    expect(Object.isFrozen(web1?.peers[0])).toBe(true);
    // the next report: db1 promoted, the rest as before
    const next = reparsed(resources);
    if (next[2] !== undefined) next[2] = primary('r-db1', 'xen2');
    ix.put(record('xen1', hostState({ drbd: { availability: 'ok', resources: next } })));
    const [web1b, web2b, db1b] = drbdOf(ix, 'xen1');
    expect(web1b).toBe(web1);
    expect(web2b).toBe(web2);
    expect(db1b?.peers).toBe(web1?.peers);
    expect(JSON.stringify(drbdOf(ix, 'xen1'))).toBe(JSON.stringify(next));
  });

  it('holds the same section when a report sends it again unchanged', () => {
    const ix = new FleetIndex();
    const drbd = { availability: 'ok' as const, resources: [primary('r-web1', 'xen2')] };
    ix.put(record('xen1', hostState({ drbd })));
    const held = ix.record('xen1')?.state?.drbd;
    ix.put(record('xen1', hostState({ drbd: reparsed(drbd) })));
    expect(ix.record('xen1')?.state?.drbd).toBe(held);
  });

  it('holds, byte for byte, every state put, through random reports of DRBD sections', () => {
    const reportArb = fc.record({ host: fc.constantFrom(...HOSTS), resources: fc.tuple(...NAMES.map((n) => resourceArb(`r-${n}`))) });
    fc.assert(
      fc.property(fc.array(reportArb, { maxLength: 12 }), (reports) => {
        const ix = new FleetIndex();
        const put = new Map<string, HostState>();
        for (const r of reports) {
          const state = hostState({ drbd: { availability: 'ok', resources: r.resources.filter((x): x is LinkDrbdResource => x !== null) } });
          ix.put(record(r.host, reparsed(state)));
          put.set(r.host, state);
          for (const [host, s] of put) expect(JSON.stringify(ix.record(host)?.state)).toBe(JSON.stringify(s));
        }
      }),
      runs(200),
    );
  });

  it('answers after a history of reports as the last reports alone give (where, hosts, domains, status and its alerts, drbd)', () => {
    const historyArb = claimsByNameArb.chain((claims) => {
      const reportArb = fc.constantFrom(...HOSTS).chain((host) => fc.tuple(hostArb(host, claims), fc.tuple(...NAMES.map((n) => resourceArb(`r-${n}`)))));
      return fc.array(reportArb, { minLength: 1, maxLength: 10 });
    });
    fc.assert(
      fc.property(historyArb, (history) => {
        const reports: Report[] = history.flatMap(([r, extra]) => {
          if (r?.state == null) return [];
          const named = new Set(r.state.drbd.resources.map((x) => x.name));
          return [{ host: r.host, state: { ...r.state, drbd: { availability: 'ok' as const, resources: [...r.state.drbd.resources, ...extra.filter((x): x is LinkDrbdResource => x !== null && !named.has(x.name))] } } }];
        });
        expect(answersAfter(withSteadyCopies(reports))).toBe(answersAfter(lastReports(reports)));
      }),
      runs(60),
    );
  });
});
