import { describe, expect, it } from 'vitest';
import type { HomeEntry } from '../../../agent/decide/home-claim.js';
import type { MigrationFacts } from '../../../agent/decide/migration-plan.js';
import { peerStatusLedger } from '../../../agent/decide/peer-status-ledger.js';
import { emptyLedger, withAway, withVisitor, type Ledger } from '../../../agent/state/ledger.js';

// A peer's `status web1` with web1 running here (xen1): what it does to xen1's ledger and whose
// web1 the answer says it is, for each home xen1 knows of and each record its ledger holds.
const SINCE = '2026-01-01T00:00:00.000Z';
const home = (source: HomeEntry['source'], peer: string | null = 'xen2'): Map<string, HomeEntry> =>
  new Map([['web1', { name: 'web1', peer, options: [], ignoredOptions: [], drbdResources: ['r1'], source }]]);
const facts = (homes: Map<string, HomeEntry>, ledger: Ledger = emptyLedger('xen1'), drbdPartner: string | null = 'xen2'): MigrationFacts => ({
  host: 'xen1',
  ledger,
  homes,
  homesProblem: null,
  domains: [],
  resources: ['r1'],
  drbdPartner,
});
const awayTo = (host: string): Ledger => withAway(emptyLedger('xen1'), 'web1', { home: 'xen1', currentHost: host, since: SINCE, operationId: 'op-1', reason: 'drain' });
const visitorOf = (host: string): Ledger => withVisitor(emptyLedger('xen1'), 'web1', { home: host, since: SINCE, operationId: 'op-1' });

describe('peerStatusLedger', () => {
  it('our domU sent back by the peer it went to: its away record ends, with or without --not-mine', () => {
    for (const notMine of [false, true]) {
      expect(peerStatusLedger(facts(home('migrate-tab'), awayTo('xen2')), 'web1', 'xen2', notMine)).toEqual({ kind: 'ours', change: 'drop-away' });
      expect(peerStatusLedger(facts(home('guarded'), awayTo('xen2')), 'web1', 'xen2', notMine)).toEqual({ kind: 'ours', change: 'drop-away' });
    }
  });

  it('our domU, the ledger saying it went to another host: refused', () => {
    expect(peerStatusLedger(facts(home('migrate-tab'), awayTo('xen3')), 'web1', 'xen2', true)).toMatchObject({ kind: 'refused', error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('went to xen3, not xen2') } });
  });

  it('ours by migrate-tab, or guarded with another partner: ours, nothing written', () => {
    expect(peerStatusLedger(facts(home('migrate-tab')), 'web1', 'xen2', false)).toEqual({ kind: 'ours', change: null });
    expect(peerStatusLedger(facts(home('guarded', 'xen3')), 'web1', 'xen2', false)).toEqual({ kind: 'ours', change: null });
  });

  it('guarded here with the asker as partner: --not-mine keeps it ours (dropping a visitor record); without it, the asker\'s visitor', () => {
    expect(peerStatusLedger(facts(home('guarded')), 'web1', 'xen2', true)).toEqual({ kind: 'ours', change: null });
    expect(peerStatusLedger(facts(home('guarded'), visitorOf('xen2')), 'web1', 'xen2', true)).toEqual({ kind: 'ours', change: 'drop-visitor' });
    expect(peerStatusLedger(facts(home('guarded')), 'web1', 'xen2', false)).toEqual({ kind: 'peers', recordVisitor: true });
    expect(peerStatusLedger(facts(home('guarded'), visitorOf('xen2')), 'web1', 'xen2', false)).toEqual({ kind: 'peers', recordVisitor: false });
  });

  it('not homed here: the asker\'s (its visitor, recorded once), whatever --not-mine says; another home\'s is refused', () => {
    for (const notMine of [false, true]) {
      expect(peerStatusLedger(facts(new Map()), 'web1', 'xen2', notMine)).toEqual({ kind: 'peers', recordVisitor: true });
      expect(peerStatusLedger(facts(new Map(), visitorOf('xen2')), 'web1', 'xen2', notMine)).toEqual({ kind: 'peers', recordVisitor: false });
    }
    expect(peerStatusLedger(facts(new Map(), visitorOf('xen3')), 'web1', 'xen2', false)).toMatchObject({ kind: 'refused', error: { message: expect.stringContaining('its home is xen3') } });
  });
});
