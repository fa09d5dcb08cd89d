import { describe, expect, it } from 'vitest';
import { decideAutostart, type AutostartInput } from '../../../agent/decide/autostart.js';
import { forceVerdict } from '../../../agent/decide/autostart-all.js';
import {
  DRBD_CONNECTION_WORDS,
  DRBD_DISK_STATES,
  DRBD_REPLICATION_WORDS,
  DRBD_ROLES,
  type DrbdConnectionWord,
  type DrbdDiskState,
  type DrbdReplicationWord,
  type DrbdRole,
} from '../../../shared/drbd-words.js';
import type { DrbdResourceView, InventoryDomain } from '../../../shared/inventory.js';

const dom = (name: string, over: Partial<InventoryDomain> = {}): InventoryDomain => ({
  name,
  baseName: name.replace(/--(incoming|migratedaway)$/, ''),
  domid: 5,
  memMiB: 1024,
  vcpus: 1,
  stateLetters: '-b----',
  state: 'blocked',
  shutdownReason: null,
  migration: name.endsWith('--incoming') ? 'incoming' : name.endsWith('--migratedaway') ? 'migratedaway' : null,
  cpuTimeS: 1,
  ...over,
});

interface Res {
  up?: boolean;
  role?: DrbdRole | null;
  peerRole?: DrbdRole | null;
  connection?: DrbdConnectionWord | null;
  disk?: DrbdDiskState | null;
  replication?: DrbdReplicationWord | null;
}

const view = (name: string, r: Res): DrbdResourceView => {
  const up = r.up ?? true;
  const peer: DrbdResourceView['peers'][number] = { name: 'xen2', role: r.peerRole ?? null, connection: r.connection ?? null, disk: 'UpToDate', replication: r.replication ?? null, syncedPercent: null };
  return {
    name,
    up,
    role: up ? ('role' in r ? (r.role ?? null) : 'Secondary') : null,
    peerRole: peer.role,
    connection: peer.connection,
    disk: up ? ('disk' in r ? (r.disk ?? null) : 'UpToDate') : null,
    peerDisk: 'UpToDate',
    peers: up ? [peer] : [],
  };
};

const SAFE: Res = { role: 'Secondary', peerRole: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established' };

const input = (resources: Res[], over: Partial<AutostartInput> = {}): AutostartInput => {
  const names = resources.map((_, i) => `r${i}`);
  return {
    name: 'web1',
    drbdResources: names,
    domains: [dom('Domain-0', { domid: 0 })],
    maintenance: false,
    awayTo: null,
    unsettled: null,
    fleetRunningOn: null,
    localHost: 'xen1',
    drbd: { availability: 'ok', resources: new Map(resources.map((r, i) => [`r${i}`, view(`r${i}`, r)])) },
    ...over,
  };
};

/** The specification the decision must meet, stated independently of its code. */
const isSafe = (r: Res): boolean =>
  (r.up ?? true) && r.role === 'Secondary' && r.peerRole === 'Secondary' && r.connection === 'Connected' && r.disk === 'UpToDate' && (r.replication === 'Established' || r.replication === null);
const expected = (rs: Res[]): 'start' | 'skip' | 'defer' => (rs.some((r) => (r.up ?? true) && r.peerRole === 'Primary') ? 'skip' : rs.every(isSafe) ? 'start' : 'defer');

describe('decideAutostart: the rules before DRBD', () => {
  it.each([
    ['running here', { domains: [dom('web1')] }, 'running', undefined],
    ['arriving here (--incoming)', { domains: [dom('web1--incoming', { state: 'paused' })] }, 'running', undefined],
    ['crashed but present here', { domains: [dom('web1', { state: 'crashed' })] }, 'running', undefined],
    ['leaving here (--migratedaway)', { domains: [dom('web1--migratedaway')] }, 'skip', 'migrating-away'],
    ['host in maintenance', { maintenance: true }, 'skip', 'maintenance'],
    ['ledger: migrated away', { awayTo: 'xen2' }, 'skip', 'migrated-away'],
    ['ledger: a migration ended in an ALARM, unsettled', { unsettled: { peer: 'xen2', since: 't0', operationId: 'op1' } }, 'skip', 'unsettled'],
    ['controller: running elsewhere', { fleetRunningOn: ['xen3'] }, 'skip', 'running-elsewhere'],
    ['controller: running nowhere', { fleetRunningOn: [] }, 'start', undefined],
    ['controller: only here (stale xl list race)', { fleetRunningOn: ['xen1'] }, 'start', undefined],
    ['DRBD tools missing', { drbd: { availability: 'tools-missing' as const, resources: new Map() } }, 'defer', 'drbd-tools-missing'],
    ['DRBD module not loaded', { drbd: { availability: 'module-not-loaded' as const, resources: new Map() } }, 'defer', 'drbd-module-not-loaded'],
    ['resource not readable', { drbd: { availability: 'ok' as const, resources: new Map() } }, 'defer', 'resource-unknown'],
  ])('%s → %s', (_label, over, kind, reason) => {
    const d = decideAutostart(input([SAFE], over as Partial<AutostartInput>));
    expect(d.kind).toBe(kind);
    if (reason) expect(d).toMatchObject({ reason });
  });

  it('a dying domain of the same name does not count as running', () => {
    expect(decideAutostart(input([SAFE], { domains: [dom('web1', { state: 'dying' })] })).kind).toBe('start');
  });

  it('a domU without DRBD disks starts unless it runs elsewhere or is away', () => {
    const noDrbd = { ...input([]), drbd: { availability: 'module-not-loaded' as const, resources: new Map() } };
    expect(decideAutostart(noDrbd).kind).toBe('start');
    expect(decideAutostart({ ...noDrbd, awayTo: 'xen2' }).kind).toBe('skip');
    expect(decideAutostart({ ...noDrbd, fleetRunningOn: ['xen2'] }).kind).toBe('skip');
  });

  it('an unsettled ALARM is a split-brain hazard --force cannot override, whatever DRBD and the controller say', () => {
    const u = { peer: 'xen2', since: '2026-01-01T00:00:00.000Z', operationId: 'op1' };
    for (const over of [{}, { fleetRunningOn: [] }, { awayTo: 'xen2' }]) {
      const d = decideAutostart(input([SAFE], { unsettled: u, ...over }));
      expect(d).toEqual({
        kind: 'skip',
        reason: 'unsettled',
        splitBrainHazard: true,
        detail: 'a migration of web1 with xen2 (operation op1, 2026-01-01T00:00:00.000Z) ended in an ALARM: it may run on xen2; check both hosts, then `xenherd-agent reconcile web1` here',
      });
      expect(forceVerdict(d).allowed).toBe(false);
    }
    expect(decideAutostart(input([SAFE], { unsettled: u, domains: [dom('web1')] })).kind).toBe('running');
  });

  it('maintenance wins over a peer Primary (nothing to start either way), but the ledger is checked before DRBD', () => {
    expect(decideAutostart(input([{ ...SAFE, peerRole: 'Primary' }], { maintenance: true }))).toMatchObject({ reason: 'maintenance' });
  });
});

describe('decideAutostart: one resource, every role × peer role × connection × disk × replication', () => {
  const roles = [...DRBD_ROLES, null];
  it('starts exactly when safe, skips exactly when the peer is Primary, defers otherwise', () => {
    let count = 0;
    for (const role of roles)
      for (const peerRole of roles)
        for (const connection of [...DRBD_CONNECTION_WORDS, null])
          for (const disk of [...DRBD_DISK_STATES, null])
            for (const replication of [...DRBD_REPLICATION_WORDS, null]) {
              const r: Res = { role, peerRole, connection, disk, replication };
              const d = decideAutostart(input([r]));
              if (d.kind !== expected([r])) throw new Error(`${JSON.stringify(r)} → ${JSON.stringify(d)}, expected ${expected([r])}`);
              if (d.kind === 'skip') expect(d).toMatchObject({ reason: 'peer-primary', splitBrainHazard: true });
              count++;
            }
    expect(count).toBe(roles.length ** 2 * (DRBD_CONNECTION_WORDS.length + 1) * (DRBD_DISK_STATES.length + 1) * (DRBD_REPLICATION_WORDS.length + 1));
  });

  it('defers a resource that is not up, whatever else', () => {
    expect(decideAutostart(input([{ up: false }]))).toMatchObject({ kind: 'defer', reason: 'resource-not-up' });
  });

  it.each<[Res, string]>([
    [{ ...SAFE, peerRole: 'Unknown', connection: 'Connecting' }, 'peer-not-connected'],
    [{ ...SAFE, peerRole: 'Unknown', connection: 'StandAlone' }, 'peer-not-connected'],
    [{ ...SAFE, peerRole: 'Unknown', connection: 'WFConnection' }, 'peer-not-connected'],
    [{ ...SAFE, replication: 'SyncTarget', disk: 'Inconsistent' }, 'syncing'],
    [{ ...SAFE, replication: 'SyncSource' }, 'syncing'],
    [{ ...SAFE, disk: 'Outdated' }, 'local-disk-not-uptodate'],
    [{ ...SAFE, disk: 'Diskless' }, 'local-disk-not-uptodate'],
    [{ ...SAFE, role: 'Primary' }, 'local-primary'],
  ])('%j → defer %s', (r, reason) => {
    expect(decideAutostart(input([r]))).toMatchObject({ kind: 'defer', reason });
  });
});

describe('decideAutostart: two and three resources', () => {
  // Per resource, one representative of every class the single-resource table distinguishes.
  const classes: Res[] = [
    SAFE,
    { ...SAFE, replication: null },
    { ...SAFE, peerRole: 'Primary' },
    { ...SAFE, peerRole: 'Primary', connection: 'Connected', disk: 'Inconsistent', replication: 'SyncTarget' },
    { ...SAFE, peerRole: 'Unknown', connection: 'Connecting' },
    { ...SAFE, peerRole: 'Unknown', connection: 'StandAlone' },
    { ...SAFE, replication: 'SyncSource' },
    { ...SAFE, disk: 'Outdated' },
    { ...SAFE, role: 'Primary' },
    { up: false },
  ];
  it.each([2, 3])('%i resources: every combination of classes', (n) => {
    const combos: Res[][] = n === 2 ? classes.flatMap((a) => classes.map((b) => [a, b])) : classes.flatMap((a) => classes.flatMap((b) => classes.map((c) => [a, b, c])));
    for (const rs of combos) {
      const d = decideAutostart(input(rs));
      if (d.kind !== expected(rs)) throw new Error(`${JSON.stringify(rs)} → ${JSON.stringify(d)}, expected ${expected(rs)}`);
    }
    expect(combos.length).toBe(classes.length ** n);
  });

  it('names the first unsafe resource in the reason', () => {
    const d = decideAutostart(input([SAFE, { ...SAFE, peerRole: 'Unknown', connection: 'Connecting' }]));
    expect(d.kind === 'defer' && d.detail).toContain('r1');
  });

  it("DRBD 8.4 (its one peer named \"peer\"): the defer says WFConnection, 8.4's word, not drbd-utils' Connecting", () => {
    const as84 = (r: DrbdResourceView): DrbdResourceView => ({ ...r, peers: r.peers.map((p) => ({ ...p, name: 'peer' })) });
    const i = input([{ ...SAFE, peerRole: 'Unknown', connection: 'Connecting' }]);
    const d = decideAutostart({ ...i, drbd: { ...i.drbd, resources: new Map([...i.drbd.resources].map(([k, r]) => [k, as84(r)])) } });
    expect(d).toMatchObject({ kind: 'defer', reason: 'peer-not-connected', detail: 'DRBD resource r0: the peer is WFConnection' });
    // DRBD 9 names the peer after its host, and says Connecting itself
    expect(decideAutostart(i)).toMatchObject({ detail: 'DRBD resource r0: peer xen2 is Connecting' });
  });

  it('a peer Primary on the last resource still wins over an undetermined first one', () => {
    expect(decideAutostart(input([{ up: false }, { ...SAFE, peerRole: 'Primary' }]))).toMatchObject({ kind: 'skip', reason: 'peer-primary' });
  });
});
