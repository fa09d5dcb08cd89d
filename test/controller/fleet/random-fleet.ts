// Random small fleets for property tests of the fleet view: a few hosts, each reporting of a few
// domUs a row, a guarded entry, a config naming its DRBD resource's hosts, an away record and a
// DRBD resource paired with a random peer; home claims drawn per domU, usually a pair.
import * as fc from 'fast-check';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import type { HostState, LinkDomuConfig, LinkHome } from '../../../shared/protocol/agent-link-state.js';
import { away, dom, guarded, hostState, primary, record } from '../states.js';

export const HOSTS = ['xen1', 'xen2', 'xen3', 'xen4'];
export const NAMES = ['web1', 'web2', 'db1'];
export const NOW = 1_000_000;

const subset = <T>(items: readonly T[]): fc.Arbitrary<T[]> => fc.subarray([...items]);

/** What one host may report of one domU: a row, a guarded entry, a config, an away record, a DRBD resource. */
const partOf = (name: string): fc.Arbitrary<{ name: string; row: 'none' | 'running' | 'paused' | 'incoming'; guard: boolean; config: string[] | null; awayTo: string | null; drbdPeer: string | null }> =>
  fc.record({
    name: fc.constant(name),
    row: fc.constantFrom('none', 'none', 'running', 'running', 'running', 'paused', 'incoming'),
    guard: fc.boolean(),
    config: fc.option(subset(HOSTS), { nil: null, freq: 2 }),
    awayTo: fc.option(fc.constantFrom(...HOSTS), { nil: null, freq: 8 }),
    drbdPeer: fc.option(fc.constantFrom(...HOSTS), { nil: null }),
  });

/** A domU's home claims: usually a pair naming each other (each by its guarded dir or migrate-tab), now and then a stray one. */
export const claimsArb: fc.Arbitrary<Array<{ host: string; claim: Omit<LinkHome, 'name'> }>> = fc
  .record({ pair: fc.shuffledSubarray(HOSTS, { minLength: 1, maxLength: 2 }), sources: fc.tuple(fc.constantFrom<LinkHome['source']>('guarded', 'migrate-tab'), fc.constantFrom<LinkHome['source']>('guarded', 'migrate-tab')), stray: fc.option(fc.constantFrom(...HOSTS), { nil: null, freq: 4 }) })
  .map(({ pair, sources, stray }) => [
    ...pair.map((host, i) => ({ host, claim: { peer: pair.find((h) => h !== host) ?? null, source: sources[i] ?? 'guarded' } })),
    ...(stray === null || pair.includes(stray) ? [] : [{ host: stray, claim: { peer: null, source: 'guarded' as const } }]),
  ]);

export const hostArb = (host: string, claims: ReadonlyMap<string, Array<{ host: string; claim: Omit<LinkHome, 'name'> }>>): fc.Arbitrary<HostRecord | null> =>
  fc.option(
    fc.record({ parts: fc.tuple(...NAMES.map(partOf)), silent: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) }).map(({ parts, silent }) => {
      const domus: LinkDomuConfig[] = parts.filter((p) => p.config !== null).map((p) => ({ name: p.name, source: 'guarded', memMiB: 1024, vcpus: 1, resources: [{ name: `r-${p.name}`, hosts: p.config ?? [] }] }));
      const state: Partial<HostState> = {
        domains: parts.filter((p) => p.row !== 'none').map((p) => (p.row === 'incoming' ? dom(p.name, { migration: 'incoming' }) : dom(p.name, { state: p.row === 'paused' ? 'paused' : 'blocked' }))),
        homes: NAMES.flatMap((name) => (claims.get(name) ?? []).filter((c) => c.host === host).map((c) => ({ name, ...c.claim }))),
        guarded: parts.filter((p) => p.guard).map((p) => guarded(p.name)),
        domus,
        drbd: { availability: 'ok', resources: parts.flatMap((p) => (p.drbdPeer === null ? [] : [primary(`r-${p.name}`, p.drbdPeer)])) },
        ledger: { seq: 0, away: Object.fromEntries(parts.flatMap((p) => (p.awayTo === null ? [] : [[p.name, away(host, p.awayTo)]]))), visitors: {} },
      };
      return record(host, hostState(state), silent ? NOW - 60_000 : NOW);
    }),
    { nil: null, freq: 5 },
  );

/** Every domU of NAMES with its home claims, drawn each by claimsArb. */
export const claimsByNameArb: fc.Arbitrary<Map<string, Array<{ host: string; claim: Omit<LinkHome, 'name'> }>>> = fc
  .tuple(...NAMES.map(() => claimsArb))
  .map((perName) => new Map(NAMES.map((n, i) => [n, perName[i] ?? []])));

/** One record per host of HOSTS, in that order; null: a host that has not reported. */
export const fleetRecordsArb: fc.Arbitrary<Array<HostRecord | null>> = claimsByNameArb.chain((claims) => fc.tuple(...HOSTS.map((h) => hostArb(h, claims))));

/** A FleetIndex built from RECORDS in one go, as the controller's first reports build it. */
export function indexOf(records: Iterable<HostRecord | null>): FleetIndex {
  const ix = new FleetIndex();
  for (const r of records) if (r !== null) ix.put(r);
  return ix;
}

export const fleetArb: fc.Arbitrary<FleetIndex> = fleetRecordsArb.map(indexOf);

/** The sections a random report may replace. */
export const REPORT_SECTIONS = ['domains', 'homes', 'guarded', 'domus', 'drbd', 'ledger'] as const;

/**
 * One report of a random fleet: HOST's sections SECTIONS replaced by those of NEXT (a record of
 * that host as fleetRecordsArb draws one; null: it reports nothing), or the host forgotten; ASKED,
 * hosts a test may look at after it.
 */
export interface RandomReport {
  readonly host: number;
  readonly forget: boolean;
  readonly sections: ReadonlyArray<(typeof REPORT_SECTIONS)[number]>;
  readonly next: HostRecord | null;
  readonly asked: readonly string[];
}

// HOST's record alone is drawn (a whole fleet's would be four, three of them never read), and none
// for a host forgotten: the same record of HOST as a drawn fleet holds, a quarter of the records.
export const randomReportArb: fc.Arbitrary<RandomReport> = fc
  .record({
    host: fc.nat({ max: HOSTS.length - 1 }),
    forget: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    sections: fc.subarray([...REPORT_SECTIONS], { minLength: 1 }),
    asked: fc.subarray(HOSTS),
  })
  .chain((r) => (r.forget ? fc.constant({ ...r, next: null }) : claimsByNameArb.chain((claims) => hostArb(HOSTS[r.host] ?? 'xen1', claims)).map((next) => ({ ...r, next }))));

/**
 * Feeds REPORTS to INDEX, built from RECORDS (kept up to date here: the records as they stand),
 * calling CHECK after each. SHAPE makes each new record (the features its agent announced, say).
 */
export function walkReports(index: FleetIndex, records: Array<HostRecord | null>, reports: readonly RandomReport[], check: (report: RandomReport) => void, shape: (r: HostRecord) => HostRecord = (r) => r): void {
  for (const c of reports) {
    const host = HOSTS[c.host] ?? 'xen1';
    if (c.forget) {
      records[c.host] = null;
      index.remove(host);
    } else {
      const state: HostState = { ...(records[c.host]?.state ?? hostState()) };
      const next = c.next?.state ?? hostState();
      for (const s of c.sections) Object.assign(state, { [s]: next[s] });
      const r = shape(record(host, state, c.next?.lastSeen ?? NOW));
      records[c.host] = r;
      index.put(r);
    }
    check(c);
  }
}

/** One step of a fleet over time: a report, how long passes after it (ms), and whether the host's link is up. */
export const timedReportArb = fc.tuple(randomReportArb, fc.integer({ min: 0, max: 40_000 }), fc.boolean());

/**
 * walkReports over time: each STEP's report fed to INDEX (a host heard at NOW is heard at the
 * clock's now instead, its link up or down as the step says), then its time passed on CLOCK.
 * CHECK runs before the first step (with null), after each report and after each wait (with the step).
 */
export async function walkReportsOverTime<S extends readonly [RandomReport, number, boolean, ...unknown[]]>(
  index: FleetIndex,
  records: Array<HostRecord | null>,
  clock: { now(): number; advance(ms: number): Promise<unknown> },
  steps: readonly S[],
  check: (step: S | null) => void,
): Promise<void> {
  check(null);
  for (const step of steps) {
    const [report, ms, linkUp] = step;
    walkReports(index, records, [report], () => undefined, (r) => ({ ...r, lastSeen: r.lastSeen === NOW ? clock.now() : r.lastSeen, linkUp }));
    check(step);
    await clock.advance(ms);
    check(step);
  }
}
