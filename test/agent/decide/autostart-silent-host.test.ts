import { describe, expect, it } from 'vitest';
import { decideAll, forceVerdict } from '../../../agent/decide/autostart-all.js';
import { decideAutostart } from '../../../agent/decide/autostart.js';
import type { HostSnapshot } from '../../../agent/state/snapshot.js';
import type { DrbdConnectionWord, DrbdRole } from '../../../shared/drbd-words.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';

// The recovery README documents after a Dom0 dies: on the survivor, `autostart start --force NAME
// --reason ...`. The controller keeps the dead host's last rows in its view (a silent host may still
// run the domU), so the automatic decision skips running-elsewhere; --force must pass that skip when
// only silent hosts report it, and only then, and never past the DRBD rules --force does not override.

const res = (name: string, peerRole: DrbdRole, connection: DrbdConnectionWord): DrbdResourceView => ({
  name, up: true, role: 'Secondary', peerRole, connection, disk: 'UpToDate', peerDisk: connection === 'Connected' ? 'UpToDate' : 'DUnknown',
  peers: [{ name: 'peer', role: peerRole, connection, disk: connection === 'Connected' ? 'UpToDate' : 'DUnknown', replication: connection === 'Connected' ? 'Established' : null, syncedPercent: null }],
});

/** xen3 survives; xen2 was powered off: DRBD towards it is Connecting, the controller last heard from it 4 min ago. */
const snap = (over: Partial<HostSnapshot> = {}): HostSnapshot => ({
  host: 'xen3',
  domains: [],
  guarded: [
    { name: 'mail1', configPath: '/etc/xen/drbd-auto/mail1.cfg', drbdResources: ['r1'], error: null },
    { name: 'db1', configPath: '/etc/xen/drbd-auto/db1.cfg', drbdResources: ['r2'], error: null },
  ],
  maintenance: false,
  awayTo: new Map(),
  fleetRunningOn: new Map([['mail1', ['xen2']], ['db1', ['xen2']]]),
  fleetSilent: new Map([['xen2', 240_000]]),
  handledThisBoot: new Set(),
  drbd: { availability: 'ok', resources: new Map([['r1', res('r1', 'Unknown', 'Connecting')], ['r2', res('r2', 'Primary', 'Connected')]]) },
  ...over,
});

const STALE = 'the controller sees mail1 running on xen2 (its last report: the controller last heard from xen2 4 min ago)';

describe('running-elsewhere on the last report of a host the controller no longer hears from', () => {
  it('still skips automatically, says when the host was last heard, and lets --force start it', () => {
    const d = decideAll(snap()).get('mail1');
    expect(d).toMatchObject({ kind: 'skip', reason: 'running-elsewhere', detail: STALE, splitBrainHazard: false });
    expect(d?.kind === 'skip' && d.withoutSilent).toMatchObject({ kind: 'defer', reason: 'peer-not-connected' });
    expect(forceVerdict(d)).toEqual({ allowed: true });
  });

  it('refuses --force when the reporting host is reachable, and says --force passes only silent hosts', () => {
    const d = decideAll(snap({ fleetSilent: new Map() })).get('mail1');
    expect(d).toMatchObject({ kind: 'skip', reason: 'running-elsewhere', detail: 'the controller sees mail1 running on xen2' });
    expect(forceVerdict(d)).toEqual({
      allowed: false,
      why: 'refused: skipped (running-elsewhere): the controller sees mail1 running on xen2. --force passes running-elsewhere only when every host reporting it is one the controller no longer hears from',
    });
    // a controller too old to say which hosts are silent: as refused as before
    expect(forceVerdict(decideAll(snap({ fleetSilent: undefined })).get('mail1')).allowed).toBe(false);
  });

  it('refuses --force when one of the hosts reporting it is reachable', () => {
    const d = decideAll(snap({ fleetRunningOn: new Map([['mail1', ['xen1', 'xen2']]]) })).get('mail1');
    expect(d?.detail).toBe('the controller sees mail1 running on xen1, xen2 (its last report: the controller last heard from xen2 4 min ago)');
    expect(forceVerdict(d).allowed).toBe(false);
  });

  it('never passes the DRBD rules --force does not override: a peer Primary is still refused', () => {
    const d = decideAll(snap()).get('db1');
    expect(d).toMatchObject({ kind: 'skip', reason: 'running-elsewhere' });
    const v = forceVerdict(d);
    expect(v.allowed).toBe(false);
    expect(!v.allowed && v.why).toBe(
      'refused: DRBD resource r2 is Primary on the peer: the domU may run there, starting it here would split the brain. --force overrides a defer, never a peer Primary (and the controller sees db1 running on xen2 (its last report: the controller last heard from xen2 4 min ago))',
    );
  });

  it('nor the guarded-dir rules: two files defining it are still refused', () => {
    const second = { name: 'mail1', configPath: '/etc/xen/drbd-auto/mail1-old.cfg', drbdResources: ['r1'], error: null };
    const d = decideAll(snap({ guarded: [...snap().guarded, second] })).get('mail1');
    expect(d).toMatchObject({ kind: 'skip', reason: 'running-elsewhere' });
    const v = forceVerdict(d);
    expect(!v.allowed && v.why).toContain('--force does not override config-duplicate');
  });

  it('a domU without DRBD disks: --force starts it past the stale report; ages read in s, min, h', () => {
    const base = {
      name: 'web1', drbdResources: [], domains: [], maintenance: false, awayTo: null, unsettled: null,
      fleetRunningOn: ['xen2'], localHost: 'xen3', drbd: { availability: 'ok' as const, resources: new Map() },
    };
    const d = decideAutostart({ ...base, fleetSilent: new Map([['xen2', 45_000]]) });
    expect(d.detail).toBe('the controller sees web1 running on xen2 (its last report: the controller last heard from xen2 45 s ago)');
    expect(forceVerdict(d)).toEqual({ allowed: true });
    expect(decideAutostart({ ...base, fleetSilent: new Map([['xen2', 3 * 3_600_000]]) }).detail).toContain('last heard from xen2 3 h ago');
    // and automatically: never started while the silent host's report stands
    expect(d.kind).toBe('skip');
  });
});
