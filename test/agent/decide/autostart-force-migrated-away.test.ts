import { describe, expect, it } from 'vitest';
import { decideAll, forceVerdict } from '../../../agent/decide/autostart-all.js';
import type { HostSnapshot } from '../../../agent/state/snapshot.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';

// web1 (home xen1) was drained to xen2, and xen2 died with it. xen1 is back online; its ledger says
// web1 went to xen2, so guarded autostart skips it (rightly: it may still run there) — and before,
// nothing but an edit of the ledger file could start it at home again. An operator who checked may
// now, with --force, once the controller no longer hears from xen2 (or with no controller at all).

const towardDeadPeer: DrbdResourceView = {
  name: 'r1', up: true, role: 'Secondary', peerRole: 'Unknown', connection: 'Connecting', disk: 'UpToDate', peerDisk: 'DUnknown',
  peers: [{ name: 'peer', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null, syncedPercent: null }],
};

const snap = (over: Partial<HostSnapshot> = {}): HostSnapshot => ({
  host: 'xen1',
  domains: [],
  guarded: [{ name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg', drbdResources: ['r1'], error: null }],
  maintenance: false,
  awayTo: new Map([['web1', 'xen2']]),
  fleetRunningOn: new Map([['web1', ['xen2']]]),
  fleetSilent: new Map([['xen2', 600_000]]),
  handledThisBoot: new Set(),
  drbd: { availability: 'ok', resources: new Map([['r1', towardDeadPeer]]) },
  ...over,
});

describe('--force past a migrated-away record', () => {
  it('the Dom0 it went to is silent: still skipped automatically, saying since when; --force may start it', () => {
    const d = decideAll(snap()).get('web1');
    expect(d).toMatchObject({ kind: 'skip', reason: 'migrated-away', detail: 'the ledger says web1 was migrated to xen2 (its last report: the controller last heard from xen2 10 min ago)' });
    expect(forceVerdict(d)).toEqual({ allowed: true });
  });

  it('no controller to ask: the operator\'s word, as for a defer', () => {
    const d = decideAll(snap({ fleetRunningOn: null, fleetSilent: null })).get('web1');
    expect(d).toMatchObject({ kind: 'skip', reason: 'migrated-away', detail: 'the ledger says web1 was migrated to xen2' });
    expect(forceVerdict(d)).toEqual({ allowed: true });
  });

  it('the controller still hears from that Dom0: refused, pointing to the way back', () => {
    const d = decideAll(snap({ fleetSilent: new Map() })).get('web1');
    expect(forceVerdict(d)).toEqual({
      allowed: false,
      why: 'refused: skipped (migrated-away): the ledger says web1 was migrated to xen2, and the controller still hears from that Dom0: bring it back from there (`xenherdctl reverse`); --force passes migrated-away only when the controller no longer hears from that Dom0, or with no controller',
    });
  });

  it('never past the rules --force never overrides: a peer Primary, or another reporting host the controller hears', () => {
    const primaryPeer = { ...towardDeadPeer, peerRole: 'Primary' as const, connection: 'Connected' as const, peerDisk: 'UpToDate' as const, peers: [{ name: 'peer', role: 'Primary' as const, connection: 'Connected' as const, disk: 'UpToDate' as const, replication: 'Established' as const, syncedPercent: null }] };
    const peerUp = forceVerdict(decideAll(snap({ drbd: { availability: 'ok', resources: new Map([['r1', primaryPeer]]) } })).get('web1'));
    expect(peerUp).toMatchObject({ allowed: false, why: expect.stringContaining('never a peer Primary') });
    const alsoOnXen3 = forceVerdict(decideAll(snap({ fleetRunningOn: new Map([['web1', ['xen2', 'xen3']]]) })).get('web1'));
    expect(alsoOnXen3).toMatchObject({ allowed: false, why: expect.stringContaining('running-elsewhere') });
  });
});
