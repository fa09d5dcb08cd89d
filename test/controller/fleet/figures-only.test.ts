// A delta of figures alone (memory, a row's memMiB or vcpus), and a heartbeat, is written into the
// record the fleet index holds (figures-only.ts) instead of making the host's next record. Random
// reports to two indexes, one taking that way wherever figuresOnly and heardOnly allow it and one
// always making the next record as the core does (agent-reports.ts, stored-record.ts): after each
// report both must hold the same records, running groups and noted names, and the written way
// must have been taken often enough to mean something.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordAfterReport } from '../../../controller/fleet/blind-rows.js';
import { figuresOnly, heardOnly, writeFigures } from '../../../controller/fleet/figures-only.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { heardAt, newHostRecord, type HostRecord } from '../../../controller/fleet/host-record.js';
import { storedRecord } from '../../../controller/fleet/stored-record.js';
import type { DeltaMessage, SnapshotMessage } from '../../../shared/protocol/agent-link.js';
import type { LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { domainRowsBetween } from '../../../shared/protocol/domain-rows.js';
import { FUZZ_SEED } from '../../fuzz/fuzz-kit.js';
import { dom, hostState, record } from '../states.js';

const STALE_MS = 15_000;
const HOSTS = ['xen1', 'xen2'];
const NAMES = ['a', 'b', 'c', 'd'];

const rowArb: fc.Arbitrary<LinkDomain> = fc
  .record({
    name: fc.constantFrom(...NAMES),
    migration: fc.constantFrom(null, null, 'incoming' as const),
    state: fc.constantFrom('running' as const, 'blocked' as const, 'crashed' as const),
    domid: fc.constantFrom(1, 2, null),
    memMiB: fc.constantFrom(512, 1024),
    vcpus: fc.constantFrom(1, 2),
  })
  .map(({ name, ...o }) => dom(name, o));
const rowsArb = fc.uniqueArray(rowArb, { selector: (d) => d.name, maxLength: 4 });
const memoryArb = fc.record({ totalMiB: fc.constantFrom(65536, null), freeMiB: fc.constantFrom(1000, 2000, null) });

/** One report: the new rows (or the held ones with figures moved), memory, another section, a view, and how time moved. */
const stepArb = fc.record({
  host: fc.constantFrom(...HOSTS),
  kind: fc.constantFrom('snapshot', 'blind-snapshot', 'rows', 'figures', 'figures', 'figures', 'homes', 'heartbeat', 'heard'),
  rows: rowsArb,
  figures: fc.array(fc.record({ at: fc.nat(3), memMiB: fc.constantFrom(512, 1024, 4096), vcpus: fc.constantFrom(1, 4) }), { maxLength: 3 }),
  memory: fc.option(memoryArb, { nil: undefined }),
  advanceMs: fc.constantFrom(0, 10, 1_000, 20_000),
  agentAheadMs: fc.constantFrom(0, 5_000),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/** HELD with the figures STEP moves (by place). */
const moved = (held: readonly LinkDomain[], step: Step): LinkDomain[] =>
  held.map((d, i) => {
    const f = step.figures.find((x) => x.at === i);
    return f === undefined ? d : { ...d, memMiB: f.memMiB, vcpus: f.vcpus };
  });

/** The message STEP makes for a host whose agent last sent HELD (null: nothing yet), at AT on its clock. */
function messageOf(step: Step, held: readonly LinkDomain[] | null, seq: number, at: number): SnapshotMessage | DeltaMessage {
  const memory = step.memory === undefined ? {} : { memory: step.memory };
  if (step.kind === 'snapshot' || held === null) return { type: 'snapshot', seq, at, state: hostState({ domains: step.rows, ...memory }) };
  if (step.kind === 'blind-snapshot') return { type: 'snapshot', seq, at, state: hostState({ domains: [], ...memory }), view: 'unknown' };
  if (step.kind === 'homes') return { type: 'delta', seq, at, state: { homes: [{ name: 'a', peer: null, source: 'guarded' }] } };
  const next = step.kind === 'rows' ? step.rows : moved(held, step);
  const rows = domainRowsBetween(held, next);
  return rows === null ? { type: 'delta', seq, at, state: { domains: next, ...memory } } : { type: 'delta', seq, at, state: memory, rows };
}

/**
 * A heartbeat (AT its time on the agent's clock) or another message saying no time (AT undefined)
 * to INDEX: written in where WRITE and heardOnly allow it, else the next record made as the core
 * makes it (agent-reports.ts seen). True: written in.
 */
function heard(index: FleetIndex, host: string, at: number | undefined, now: number, write: boolean): boolean {
  const r = index.record(host);
  if (r === undefined) return false;
  const u = write ? heardOnly(r, at, now, STALE_MS) : null;
  if (u !== null) {
    index.takeFigures(host, u);
    return true;
  }
  index.put(storedRecord(heardAt(r, at, now), r, now, STALE_MS));
  return false;
}

/** One report to INDEX: written in where WRITE and figuresOnly allow it, else the next record made. True: written in. */
function report(index: FleetIndex, host: string, msg: SnapshotMessage | DeltaMessage, now: number, write: boolean): boolean {
  const r = index.record(host) ?? newHostRecord(host);
  const u = write ? figuresOnly(r, msg, now, STALE_MS) : null;
  if (u !== null) {
    index.takeFigures(host, u);
    return true;
  }
  const n = recordAfterReport(r, msg, now);
  if (n.ok && n.value !== null) index.put(storedRecord(n.value, index.record(host), now, STALE_MS));
  return false;
}

const runningOf = (index: FleetIndex): string[] =>
  [...index.running.entries()].flatMap(([name, byHost]) => [...byHost].map(([host, rows]) => `${name} ${host} ${JSON.stringify(rows)}`)).sort();
const noted = (index: FleetIndex): string[][] =>
  [index.takeAwayInputsChanged(), index.takeViewInputsChanged(), index.takeForeignInputsChanged(), index.takeLookInputsChanged()].map((s) => [...s].sort());

describe('a figures-only delta written into the record held', () => {
  it('leaves the index as making the next record would have, and is the usual way of a figures delta', () => {
    let written = 0;
    let beats = 0;
    let figureSteps = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 25 }), (steps) => {
        const kept = new FleetIndex();
        const afresh = new FleetIndex();
        const sent = new Map<string, LinkDomain[]>();
        let now = 1_000_000;
        steps.forEach((step, seq) => {
          now += step.advanceMs;
          if (step.kind === 'heartbeat' || step.kind === 'heard') {
            const at = step.kind === 'heartbeat' ? now + step.agentAheadMs : undefined;
            if (heard(kept, step.host, at, now, true)) beats++;
            heard(afresh, step.host, at, now, false);
            for (const h of HOSTS) expect(kept.record(h)).toEqual(afresh.record(h));
            return;
          }
          const msg = messageOf(step, sent.get(step.host) ?? null, seq, now + step.agentAheadMs);
          if (msg.type === 'snapshot') sent.set(step.host, msg.state.domains);
          else if (msg.rows !== undefined || msg.state.domains !== undefined) sent.set(step.host, step.kind === 'rows' ? step.rows : moved(sent.get(step.host) ?? [], step));
          if (step.kind === 'figures') figureSteps++;
          // each index its own copy: what one writes into must not be what the other holds
          if (report(kept, step.host, structuredClone(msg), now, true)) written++;
          report(afresh, step.host, structuredClone(msg), now, false);
          for (const h of HOSTS) expect(kept.record(h)).toEqual(afresh.record(h));
          expect(runningOf(kept)).toEqual(runningOf(afresh));
          expect(noted(kept)).toEqual(noted(afresh));
        });
      }),
      { seed: FUZZ_SEED, numRuns: 400 },
    );
    // a figures step often reaches a host new, blind or unheard, or moves every row (then its
    // message is the whole section): a fifth of them written in is the way taken, not a corner
    expect(written).toBeGreaterThan(figureSteps / 5);
    expect(beats).toBeGreaterThan(0);
  });

  it('is not taken for a row whose state, domid or migration moved, a row gone or new, another section, a host unheard or blind, a record with something to note', () => {
    const held = [dom('a', { memMiB: 1024 }), dom('b'), dom('c'), dom('d')];
    const rest = held.slice(1);
    const r = record('xen1', hostState({ domains: held }), 1_000_000);
    const unnoted: HostRecord = { ...r, clockAheadMs: 0 };
    // as the core stores it: its copy times noted
    const withClock = storedRecord(unnoted, undefined, 1_000_000, STALE_MS);
    const delta = (next: LinkDomain[], state: DeltaMessage['state'] = {}): DeltaMessage => {
      const rows = domainRowsBetween(held, next);
      if (rows === null) throw new Error('the test means a rows delta');
      return { type: 'delta', seq: 2, at: 1_000_100, state, rows };
    };
    const figures = delta([dom('a', { memMiB: 2048, vcpus: 4 }), ...rest], { memory: { totalMiB: 65536, freeMiB: 1 } });
    expect(figuresOnly(withClock, figures, 1_000_100, STALE_MS)).toEqual({ rows: [{ at: 0, memMiB: 2048, vcpus: 4 }], memory: { totalMiB: 65536, freeMiB: 1 }, lastSeen: 1_000_100, clockAheadMs: 0 });
    expect(figuresOnly(withClock, delta([dom('a', { state: 'paused' }), ...rest]), 1_000_100, STALE_MS)).toBeNull();
    expect(figuresOnly(withClock, delta([dom('a', { domid: 99 }), ...rest]), 1_000_100, STALE_MS)).toBeNull();
    expect(figuresOnly(withClock, delta([dom('a', { migration: 'migratedaway' }), ...rest]), 1_000_100, STALE_MS)).toBeNull();
    expect(figuresOnly(withClock, delta(held.slice(0, 3)), 1_000_100, STALE_MS)).toBeNull();
    expect(figuresOnly(withClock, delta([...held, dom('e')]), 1_000_100, STALE_MS)).toBeNull();
    expect(figuresOnly(withClock, delta([dom('a', { memMiB: 2048 }), ...rest], { homes: [] }), 1_000_100, STALE_MS)).toBeNull();
    expect(figuresOnly(withClock, figures, 1_000_000 + STALE_MS + 1, STALE_MS)).toBeNull();
    expect(figuresOnly({ ...withClock, linkUp: false }, figures, 1_000_100, STALE_MS)).toBeNull();
    expect(figuresOnly({ ...withClock, agentDomains: [] }, figures, 1_000_100, STALE_MS)).toBeNull();
    // a record with something left to note (here its copy times, never noted) has it noted the usual way
    expect(figuresOnly(unnoted, figures, 1_000_100, STALE_MS)).toBeNull();
    expect(figuresOnly(withClock, { type: 'snapshot', seq: 2, at: 1_000_100, state: hostState({ domains: held }) }, 1_000_100, STALE_MS)).toBeNull();
  });

  it('is seen by whoever holds the record or a row of it, as the figures are now', () => {
    const r: HostRecord = { ...record('xen1', hostState({ domains: [dom('a', { memMiB: 1024 })] }), 1_000_000), clockAheadMs: 0 };
    const row = r.state?.domains[0];
    writeFigures(r, { rows: [{ at: 0, memMiB: 4096, vcpus: 8 }], memory: { totalMiB: 65536, freeMiB: 7 }, lastSeen: 1_000_500, clockAheadMs: 3_000 });
    expect(row).toMatchObject({ memMiB: 4096, vcpus: 8 });
    expect(r).toMatchObject({ lastSeen: 1_000_500, clockAheadMs: 3_000, state: { memory: { totalMiB: 65536, freeMiB: 7 } } });
  });
});
