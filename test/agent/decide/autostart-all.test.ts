import { describe, expect, it } from 'vitest';
import { decideAll, forceVerdict } from '../../../agent/decide/autostart-all.js';
import { coexistenceWarnings, xendomainsSave } from '../../../agent/decide/coexistence.js';
import type { HostSnapshot } from '../../../agent/state/snapshot.js';
import type { DrbdConnectionWord, DrbdRole } from '../../../shared/drbd-words.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';

const safe = (name: string, peerRole: DrbdRole = 'Secondary', connection: DrbdConnectionWord = 'Connected'): DrbdResourceView => ({
  name, up: true, role: 'Secondary', peerRole, connection, disk: 'UpToDate', peerDisk: 'UpToDate',
  peers: [{ name: 'peer', role: peerRole, connection, disk: 'UpToDate', replication: connection === 'Connected' ? 'Established' : null, syncedPercent: null }],
});

const snap = (over: Partial<HostSnapshot> = {}): HostSnapshot => ({
  host: 'xen1',
  domains: [],
  guarded: [
    { name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg', drbdResources: ['r1'], error: null },
    { name: 'db1', configPath: '/etc/xen/drbd-auto/db1.cfg', drbdResources: ['r2'], error: null },
    { name: 'bad', configPath: '/etc/xen/drbd-auto/bad.cfg', drbdResources: [], error: 'line 3: unterminated string' },
  ],
  maintenance: false,
  awayTo: new Map(),
  fleetRunningOn: null,
  handledThisBoot: new Set(),
  drbd: { availability: 'ok', resources: new Map([['r1', safe('r1')], ['r2', safe('r2', 'Primary')]]) },
  ...over,
});

describe('decideAll over a host snapshot', () => {
  it('decides each guarded domU; an unreadable config is deferred, never started', () => {
    const d = decideAll(snap());
    expect(d.get('web1')?.kind).toBe('start');
    expect(d.get('db1')).toMatchObject({ kind: 'skip', reason: 'peer-primary', splitBrainHazard: true });
    expect(d.get('bad')).toMatchObject({ kind: 'defer', reason: 'config-unreadable' });
  });

  it('defers everything while xl list cannot be read, and DRBD domUs while DRBD state is unknown', () => {
    expect([...decideAll(snap({ domains: null })).values()].every((x) => x.kind === 'defer')).toBe(true);
    const unknown = decideAll(snap({ drbd: { availability: 'unknown', resources: new Map() } }));
    expect(unknown.get('web1')).toMatchObject({ kind: 'defer', reason: 'resource-unknown' });
  });

  it('does not start again what autostart already started or saw running since boot', () => {
    const d = decideAll(snap({ handledThisBoot: new Set(['web1', 'db1']) }));
    expect(d.get('web1')).toMatchObject({ kind: 'skip', reason: 'handled-this-boot' });
    expect(d.get('db1')).toMatchObject({ reason: 'peer-primary' });
  });

  it('with the ledger (empty today) and a fleet view (absent today) when they arrive', () => {
    expect(decideAll(snap({ awayTo: new Map([['web1', 'xen2']]) })).get('web1')).toMatchObject({ reason: 'migrated-away' });
    expect(decideAll(snap({ fleetRunningOn: new Map([['web1', ['xen3']]]) })).get('web1')).toMatchObject({ reason: 'running-elsewhere' });
    expect(decideAll(snap({ fleetRunningOn: new Map() })).get('web1')?.kind).toBe('start');
  });

  it('marks a StandAlone peer as a suspected split brain', () => {
    const d = decideAll(snap({ drbd: { availability: 'ok', resources: new Map([['r1', safe('r1', 'Unknown', 'StandAlone')]]) } }));
    expect(d.get('web1')).toMatchObject({ kind: 'defer', reason: 'peer-not-connected', splitBrainSuspected: true });
  });
});

describe('a domU two files of the guarded dir define', () => {
  it('is never started, by autostart or --force: the decision names both files', () => {
    const second = { name: 'web1', configPath: '/etc/xen/drbd-auto/a-web1.cfg', drbdResources: ['r1'], error: null };
    const d = decideAll(snap({ guarded: [second, ...snap().guarded] })).get('web1');
    expect(d).toEqual({
      kind: 'defer',
      reason: 'config-duplicate',
      detail: 'web1 is defined by 2 files of the guarded dir (/etc/xen/drbd-auto/a-web1.cfg, /etc/xen/drbd-auto/web1.cfg): which one to start cannot be known; keep one file per domU',
    });
    expect(forceVerdict(d)).toEqual({ allowed: false, why: `refused: ${d?.kind === 'defer' ? d.detail : ''}. --force does not override config-duplicate: keep one file per domU` });
    // running already: nothing to start, nothing to refuse
    const running = decideAll(snap({ guarded: [second, ...snap().guarded], domains: [{ name: 'web1', baseName: 'web1', domid: 3, memMiB: 512, vcpus: 1, stateLetters: '-b----', state: 'blocked', shutdownReason: null, migration: null, cpuTimeS: 1 }] }));
    expect(running.get('web1')?.kind).toBe('running');
  });

  it('is config-duplicate while DRBD defers it too, so --force cannot start the stale copy', () => {
    const second = { name: 'web1', configPath: '/etc/xen/drbd-auto/a-web1.cfg', drbdResources: ['r1'], error: null };
    const d = decideAll(snap({ guarded: [second, ...snap().guarded], drbd: { availability: 'ok', resources: new Map([['r1', safe('r1', 'Unknown', 'Connecting')]]) } })).get('web1');
    expect(d).toMatchObject({ kind: 'defer', reason: 'config-duplicate' });
    expect(forceVerdict(d).allowed).toBe(false);
  });
});

describe('forceVerdict', () => {
  it('allows a defer (and a domU stopped after boot), refuses a peer Primary and every other skip', () => {
    const d = decideAll(snap({ drbd: { availability: 'ok', resources: new Map([['r1', safe('r1', 'Unknown', 'Connecting')], ['r2', safe('r2', 'Primary')]]) } }));
    expect(forceVerdict(d.get('web1')).allowed).toBe(true);
    const refused = forceVerdict(d.get('db1'));
    expect(refused.allowed).toBe(false);
    expect(!refused.allowed && refused.why).toContain('never a peer Primary');
    expect(forceVerdict({ kind: 'skip', reason: 'maintenance', detail: 'x', splitBrainHazard: false }).allowed).toBe(false);
    expect(forceVerdict({ kind: 'running', detail: 'x' }).allowed).toBe(false);
    expect(forceVerdict(undefined).allowed).toBe(false);
    expect(forceVerdict({ kind: 'skip', reason: 'handled-this-boot', detail: 'x', splitBrainHazard: false }).allowed).toBe(true);
  });

  it('refuses a defer whose config or ledger cannot be read: what it would start, or whether it left, is unknown', () => {
    const bad = decideAll(snap()).get('bad');
    const r = forceVerdict(bad);
    expect(r).toEqual({ allowed: false, why: 'refused: config /etc/xen/drbd-auto/bad.cfg cannot be read: line 3: unterminated string. --force does not override config-unreadable: fix the config file first' });
    const ledger = forceVerdict(decideAll(snap({ ledgerProblem: '/var/lib/xenherd/ledger.json: not JSON' })).get('web1'));
    expect(ledger.allowed).toBe(false);
    expect(!ledger.allowed && ledger.why).toContain('--force does not override ledger-unreadable: repair the migration ledger first');
  });
});

describe('decideAll when the record of what autostart handled this boot was lost', () => {
  const lost = { why: '/run/xenherd/autostart-boot.json could not be read, kept as /run/xenherd/autostart-boot.json.unreadable', file: '/run/xenherd/autostart-boot.json.unreadable' };

  it('starts nothing on its own: a safe domU is deferred saying it cannot tell an operator\'s stop from a crash, naming --force (allowed) and how to acknowledge a stop; the other decisions stand', () => {
    const d = decideAll(snap({ bootRecordLost: lost, domains: [{ name: 'db1', baseName: 'db1', domid: 3, memMiB: 512, vcpus: 1, stateLetters: '-b----', state: 'blocked', shutdownReason: null, migration: null, cpuTimeS: 1 }] }));
    expect(d.get('web1')).toEqual({
      kind: 'defer',
      reason: 'boot-record-lost',
      detail:
        `what autostart handled since this Dom0 booted is not known (${lost.why}), so it cannot tell whether an operator stopped web1 this boot or it went down, and does not start it on its own (\`xenherd-agent autostart status\` says how to have it start every guarded domU not running): ` +
        'if it should run, `xenherd-agent autostart start --force web1 --reason TEXT`; if it was stopped on purpose, move its config out of the guarded dir of each Dom0 guarding it, then `xenherd-agent autostart reload` there, and this clears',
    });
    expect(forceVerdict(d.get('web1')).allowed).toBe(true);
    expect(d.get('db1')?.kind).toBe('running');
    expect(d.get('bad')).toMatchObject({ kind: 'defer', reason: 'config-unreadable' });
    // one handled since the loss (an operator's forced start, stopped again) is the usual skip
    expect(decideAll(snap({ bootRecordLost: lost, handledThisBoot: new Set(['web1']) })).get('web1')).toMatchObject({ kind: 'skip', reason: 'handled-this-boot' });
  });
});

describe('coexistence checks', () => {
  const guarded = [{ name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg' }];
  it('warns for a guarded domU also in /etc/xen/auto (by file name or declared name)', () => {
    for (const entry of [{ file: 'web1.cfg', name: null }, { file: 'web-frontend', name: 'web1' }]) {
      const w = coexistenceWarnings({ guarded, autoDir: '/etc/xen/auto', autoEntries: [entry], xendomainsPath: '/etc/default/xendomains', xendomainsText: null });
      expect(w).toHaveLength(1);
      expect(w[0]).toContain('xendomains would start it at boot without the DRBD checks');
    }
    expect(coexistenceWarnings({ guarded, autoDir: '/etc/xen/auto', autoEntries: [{ file: 'other.cfg', name: 'other' }], xendomainsPath: '/x', xendomainsText: null })).toEqual([]);
  });

  it.each([
    ['XENDOMAINS_SAVE=/var/lib/xen/save\n', '/var/lib/xen/save'],
    ['XENDOMAINS_SAVE="/srv/save"  # where\n', '/srv/save'],
    ['XENDOMAINS_SAVE=/var/lib/xen/save\nXENDOMAINS_SAVE=\n', null],
    ['#XENDOMAINS_SAVE=/var/lib/xen/save\n', null],
    ['XENDOMAINS_SAVE=""\n', null],
  ])('XENDOMAINS_SAVE in %j → %s', (text, value) => {
    expect(xendomainsSave(text)).toBe(value);
  });
});
