import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { onLedgerRecordEnded } from '../../../agent/core/home-again.js';
import { endVisitorsGoneHome } from '../../../agent/core/visitor-gone-home.js';
import { emptyLedger, withVisitor } from '../../../agent/state/ledger.js';
import type { InventoryDomain } from '../../../shared/inventory.js';

// A visitor record on xen3 of vm2a, whose home is xen2: the home's restore started vm2a there
// after xen3 lost it (xen3 was draining, so its autostart started nothing). Kept, the record would
// have xen3's autostart start vm2a again once xen3 is online. Pure: state in, effects out.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({});
const row = (name: string): InventoryDomain => ({
  name,
  baseName: name.replace(/--(incoming|migratedaway)$/, ''),
  domid: 3,
  state: 'blocked',
  stateLetters: '-b----',
  shutdownReason: null,
  cpuTimeS: 1,
  memMiB: 1024,
  vcpus: 1,
  migration: name.endsWith('--incoming') ? 'incoming' : name.endsWith('--migratedaway') ? 'migratedaway' : null,
});

function xen3(runningOn: Record<string, string[]>, o: { domains?: string[]; fleetAt?: number } = {}): AgentState {
  const s = initialState({ config, host: 'xen3', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  const ledger = withVisitor(emptyLedger('xen3'), 'vm2a', { home: 'xen2', since: '2025-01-01T00:00:00.000Z', operationId: 'op-1' });
  return { ...s, phase: 'running', ledger, domains: (o.domains ?? []).map(row), link: { ...s.link, phase: 'up', fleet: { at: o.fleetAt ?? T0, runningOn } } };
}

const ends = (s: AgentState, now = T0): Effect[] => {
  const fx: Effect[] = [];
  endVisitorsGoneHome(s, fx, now);
  return fx.filter((e) => e.e === 'end-visitor');
};

describe('a visitor record whose domU runs at its home again', () => {
  it('is ended (that record only, by operation) when the fresh fleet view shows it at its home alone and not here', () => {
    const s = xen3({ vm2a: ['xen2'] });
    const fx: Effect[] = [];
    const n = endVisitorsGoneHome(s, fx, T0);
    expect(fx.filter((e) => e.e === 'end-visitor')).toEqual([{ e: 'end-visitor', name: 'vm2a', home: 'xen2', operationId: 'op-1', host: 'xen3' }]);
    expect(n.endingAway.has('vm2a')).toBe(true);
    // asked once while the write runs; the ledger is read again after it
    expect(ends(n)).toEqual([]);
    const after: Effect[] = [];
    expect(onLedgerRecordEnded(n, after, 'vm2a', 'visitor', null).endingAway.has('vm2a')).toBe(false);
    expect(after.some((e) => e.e === 'read-full')).toBe(true);
  });

  it('is kept while the domU has any row here, runs elsewhere or on two hosts, or runs nowhere', () => {
    expect(ends(xen3({ vm2a: ['xen2'] }, { domains: ['vm2a--incoming'] }))).toEqual([]);
    expect(ends(xen3({ vm2a: ['xen2'] }, { domains: ['vm2a'] }))).toEqual([]);
    expect(ends(xen3({ vm2a: ['xen1'] }))).toEqual([]);
    expect(ends(xen3({ vm2a: ['xen1', 'xen2'] }))).toEqual([]);
    expect(ends(xen3({ vm2a: [] }))).toEqual([]);
  });

  it('is kept without a fresh controller view: the DRBD rules alone then decide, as always', () => {
    expect(ends(xen3({ vm2a: ['xen2'] }, { fleetAt: T0 - 60_000 }))).toEqual([]);
    const s = xen3({ vm2a: ['xen2'] });
    expect(ends({ ...s, link: { ...s.link, phase: 'waiting' } })).toEqual([]);
  });

  it('is kept while something of this agent has the domU in hand (a migration hold, a command)', () => {
    const s = xen3({ vm2a: ['xen2'] });
    expect(ends({ ...s, commands: [{ commandId: 'c1', op: 'start', name: 'vm2a', by: 'ctl', gen: 1, startedAt: T0 }] })).toEqual([]);
  });
});
