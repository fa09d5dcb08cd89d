import { describe, expect, it } from 'vitest';
import { homedHere, homeHere, peerMayClaim, type HomeEntry } from '../../../agent/decide/home-claim.js';
import { emptyLedger, withVisitor } from '../../../agent/state/ledger.js';

const entry = (name: string, source: HomeEntry['source'], peer: string | null): HomeEntry => ({ name, peer, options: [], ignoredOptions: [], drbdResources: ['r1'], source });
const homes = new Map<string, HomeEntry>([
  ['tabbed', entry('tabbed', 'migrate-tab', 'xen2')],
  ['guarded', entry('guarded', 'guarded', 'xen2')],
]);
const none = emptyLedger('xen1');
const visiting = withVisitor(withVisitor(none, 'guarded', { home: 'xen2', since: 't', operationId: 'o' }), 'tabbed', { home: 'xen2', since: 't', operationId: 'o' });

describe('home claims (a domU guarded on both Dom0s of a pair)', () => {
  it('a migrate-tab entry makes this host the home whatever the ledger says', () => {
    expect(homeHere(homes, none, 'tabbed')?.name).toBe('tabbed');
    expect(homeHere(homes, visiting, 'tabbed')?.name).toBe('tabbed');
  });

  it('a guarded-only domU is ours until the ledger records it as a visitor', () => {
    expect(homeHere(homes, none, 'guarded')?.name).toBe('guarded');
    expect(homeHere(homes, visiting, 'guarded')).toBeUndefined();
    expect([...homedHere(homes, visiting)]).toEqual(['tabbed']);
    expect(homeHere(homes, none, 'unknown')).toBeUndefined();
  });

  it('only the DRBD partner may claim a guarded-only domU; nobody claims a migrate-tab one', () => {
    expect(peerMayClaim(homes, 'guarded', 'xen2')).toBe(true);
    expect(peerMayClaim(homes, 'guarded', 'xen3')).toBe(false);
    expect(peerMayClaim(homes, 'tabbed', 'xen2')).toBe(false);
    expect(peerMayClaim(homes, 'unknown', 'xen3')).toBe(true);
  });
});
