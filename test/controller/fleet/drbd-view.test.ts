import { describe, expect, it } from 'vitest';
import { noteCopies } from '../../../controller/fleet/copy-since.js';
import { drbdView } from '../../../controller/fleet/drbd-view.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { compilePattern } from '../../../shared/name-pattern.js';
import type { LinkDomain, LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { DrbdResourceViewSchema } from '../../../shared/protocol/ctl-drbd.js';
import { dom, guarded, hostState, primary, record, unsettled } from '../states.js';

const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const view = (records: HostRecord[], pattern?: string) => {
  const p = pattern === undefined ? null : compilePattern(pattern);
  if (p !== null && !p.ok) throw new Error(p.error);
  return drbdView(mergeFleet(records, fresh).index, fresh, p === null ? null : p.value);
};
const flagsOf = (records: HostRecord[]) => view(records).map((r) => [r.name, r.ok, r.flags.map((f) => `${f.kind}: ${f.text}`)]);

// db1 runs on xen1 on r2, guarded on both Dom0s of the pair xen1/xen2 (whose .res names both)
const config = { name: 'db1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2'] }] };
const res = (role: 'Primary' | 'Secondary', peer: string, peerRole: 'Primary' | 'Secondary' | 'Unknown', connection: string | null = 'Connected', o: Partial<LinkDrbdResource> = {}, replication: string | null = 'Established'): LinkDrbdResource => ({
  ...primary('r2', peer, role, peerRole),
  peers: [{ name: peer, role: peerRole, connection, disk: connection === 'Connected' ? 'UpToDate' : 'DUnknown', replication }],
  ...o,
});
interface Side {
  drbd?: LinkDrbdResource[];
  domains?: LinkDomain[];
  lastSeen?: number;
  linkUp?: boolean;
}
const host = (name: string, s: Side) => record(name, hostState({ domains: s.domains ?? [], guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: s.drbd ?? [] } }), s.lastSeen ?? NOW, s.linkUp ?? true);
const healthy = (): HostRecord[] => [host('xen1', { domains: [dom('db1')], drbd: [res('Primary', 'xen2', 'Secondary')] }), host('xen2', { drbd: [res('Secondary', 'xen1', 'Primary')] })];

describe('the fleet-wide DRBD view: one entry per resource and pair, each side as it reports it, and what is wrong', () => {
  it('connected and UpToDate on both sides: ok, no flag, the domU using it and both sides', () => {
    expect(view(healthy())).toEqual([
      {
        name: 'r2',
        domus: ['db1'],
        sides: [
          { host: 'xen1', reported: true, role: 'Primary', disk: 'UpToDate', peers: [{ name: 'xen2', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established' }], reachable: true, ageMs: 0, inFleet: true },
          { host: 'xen2', reported: true, role: 'Secondary', disk: 'UpToDate', peers: [{ name: 'xen1', role: 'Primary', connection: 'Connected', disk: 'UpToDate', replication: 'Established' }], reachable: true, ageMs: 0, inFleet: true },
        ],
        flags: [],
        ok: true,
      },
    ]);
  });

  it('the peer Dom0 dead: not connected as xen1 reports it, and xen2 shown as it last reported, with its age (stale)', () => {
    const r = [host('xen1', { domains: [dom('db1')], drbd: [res('Primary', 'xen2', 'Unknown', 'Connecting')] }), host('xen2', { drbd: [res('Secondary', 'xen1', 'Primary')], lastSeen: NOW - 95_000, linkUp: false })];
    expect(flagsOf(r)).toEqual([['r2', false, ['not-connected: not connected (as xen1 reports): writes do not replicate', 'stale: xen2 unheard: its state as last reported 95 s ago (stale)']]]);
    expect(view(r)[0]?.sides.map((s) => [s.host, s.reachable, s.ageMs])).toEqual([['xen1', true, 0], ['xen2', false, 95_000]]);
  });

  it("a silent agent whose Dom0 its partner is connected to now: its last word of a cut link is overtaken, the resource ok", () => {
    const r = [host('xen1', { domains: [dom('db1')], drbd: [res('Primary', 'xen2', 'Secondary')] }), host('xen2', { drbd: [res('Secondary', 'xen1', 'Unknown', 'Connecting')], lastSeen: NOW - 40_000, linkUp: false })];
    expect(flagsOf(r)).toEqual([['r2', true, ['stale: xen2 unheard: its state as last reported 40 s ago (stale); xen1 is connected to it now: the Dom0 is up']]]);
  });

  it('StandAlone on both ends: a split brain (or disconnected by hand), not ok', () => {
    const r = [host('xen1', { domains: [dom('db1')], drbd: [res('Primary', 'xen2', 'Unknown', 'StandAlone')] }), host('xen2', { drbd: [res('Secondary', 'xen1', 'Unknown', 'StandAlone')] })];
    expect(flagsOf(r)).toEqual([['r2', false, ['split-brain: StandAlone on xen1 and xen2: DRBD dropped the connection (a split brain) or it was disconnected by hand; see "DRBD split brain" in the README']]]);
  });

  it('DRBD 8.4 (its peer called "peer", StandAlone listing no peer): paired by the .res file, Primary on both while not connected', () => {
    const r = [host('xen1', { domains: [dom('db1')], drbd: [{ name: 'r2', role: 'Primary', disk: 'UpToDate', peers: [] }] }), host('xen2', { domains: [dom('db1')], drbd: [res('Primary', 'peer', 'Unknown', 'WFConnection', {}, null)] })];
    expect(flagsOf(r)).toEqual([
      [
        'r2',
        false,
        [
          'split-brain: Primary on xen1 and xen2 while not connected: if both still are, each takes writes the other lacks (a split brain)',
          'split-brain: StandAlone on xen1: DRBD dropped the connection (a split brain) or it was disconnected by hand; see "DRBD split brain" in the README',
          'not-connected: not connected (as xen2 reports): writes do not replicate',
        ],
      ],
    ]);
  });

  it('Primary on both while db1 migrates (its migration rows on both): said, and still ok', () => {
    const r = [
      host('xen1', { domains: [dom('db1', { migration: 'migratedaway' })], drbd: [res('Primary', 'xen2', 'Primary')] }),
      host('xen2', { domains: [dom('db1', { migration: 'incoming' })], drbd: [res('Primary', 'xen1', 'Primary')] }),
    ];
    expect(flagsOf(r)).toEqual([['r2', true, ['migrating: Primary on xen1 and xen2: db1 is migrating (both sides are Primary while it moves)']]]);
  });

  it('Primary on both with the halves of db1 kept as an unsettled migration: not said as migrating (it ended, in an ALARM), and not ok', () => {
    const ledger = { seq: 2, away: {}, visitors: {}, unsettled: { db1: unsettled('xen2') } };
    const r = [
      record('xen1', hostState({ domains: [dom('db1', { migration: 'migratedaway' })], guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [res('Primary', 'xen2', 'Primary')] }, ledger }), NOW, true),
      host('xen2', { domains: [dom('db1', { migration: 'incoming' })], drbd: [res('Primary', 'xen1', 'Primary')] }),
    ];
    expect(flagsOf(r)).toEqual([['r2', false, ["migration-unsettled: Primary on xen1 and xen2: db1's migration ended in an ALARM, its outcome unknown, and both sides stay Primary until a person settles it (xenherdctl status)"]]]);
  });

  it('Primary on both, connected, with no migration: a split brain in the making, not ok', () => {
    const r = [host('xen1', { domains: [dom('db1')], drbd: [res('Primary', 'xen2', 'Primary')] }), host('xen2', { domains: [dom('db1')], drbd: [res('Primary', 'xen1', 'Primary')] })];
    expect(flagsOf(r)).toEqual([['r2', false, ['dual-primary: Primary on xen1 and xen2 and no domU using it is migrating: a split brain in the making (xenherdctl status)']]]);
  });

  it('a resource only one side reports: the other, named by the .res file, is shown reporting nothing, and why', () => {
    const only = (connection: string) => [host('xen1', { domains: [dom('db1')], drbd: [res('Primary', 'xen2', 'Secondary', connection)] }), host('xen2', {})];
    const [connected] = view(only('Connected'));
    expect(connected?.sides.map((s) => [s.host, s.reported, s.role])).toEqual([['xen1', true, 'Primary'], ['xen2', false, null]]);
    expect([connected?.ok, connected?.flags]).toEqual([true, [{ kind: 'unreported-side', text: 'xen2 does not report r2 (not configured there, or an agent that reports only its guarded domUs\' resources); xen1 is connected to it now: the Dom0 is up' }]]);
    expect(flagsOf(only('Connecting'))).toEqual([['r2', false, ['not-connected: not connected (as xen1 reports): writes do not replicate', "unreported-side: xen2 does not report r2 (not configured there, or an agent that reports only its guarded domUs' resources)"]]]);
    // a partner whose agent reads no DRBD at all says why
    const noModule = record('xen2', hostState({ guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'module-not-loaded', resources: [] } }), NOW);
    expect(flagsOf([only('Connecting')[0] as HostRecord, noModule])[0]?.[2]).toContain('unreported-side: xen2 reports no DRBD resource: the drbd module is not loaded there (modprobe drbd)');
    // a partner the controller has never heard of
    expect(flagsOf([only('Connecting')[0] as HostRecord])[0]?.[2]).toContain("unreported-side: xen2, which its partner or .res file names, is not in this controller's fleet");
  });

  it('a resync (DRBD 9: Connected, replication SyncSource) and the target Inconsistent: not ok, both said', () => {
    const r = [
      host('xen1', { domains: [dom('db1')], drbd: [res('Primary', 'xen2', 'Secondary', 'Connected', {}, 'SyncSource')] }),
      host('xen2', { drbd: [res('Secondary', 'xen1', 'Primary', 'Connected', { disk: 'Inconsistent' }, 'SyncTarget')] }),
    ];
    expect(flagsOf(r)).toEqual([['r2', false, ['syncing: resync under way (xen1 SyncSource and xen2 SyncTarget; its progress is not reported)', 'not-uptodate: not UpToDate: xen2 Inconsistent']]]);
  });

  it('the resource down on one side: not up there, not ok', () => {
    const r = [host('xen1', { domains: [dom('db1')], drbd: [res('Primary', 'xen2', 'Unknown', 'Connecting')] }), host('xen2', { drbd: [{ name: 'r2', role: null, disk: null, peers: [] }] })];
    expect(flagsOf(r)[0]?.[2]).toEqual(['down: not up on xen2 (drbdadm up r2 there)', 'not-connected: not connected (as xen1 reports): writes do not replicate']);
  });

  it('sorted by name; the same name on two unrelated pairs is two entries; PATTERN matches a resource or a domU using it', () => {
    const other = (h: string, peer: string) => record(h, hostState({ drbd: { availability: 'ok', resources: [primary('r2', peer, 'Secondary', 'Secondary'), primary('r10', peer, 'Secondary', 'Secondary'), primary('a1', peer, 'Secondary', 'Secondary')] } }), NOW);
    const all = [...healthy(), other('xen3', 'xen4'), other('xen4', 'xen3')];
    expect(view(all).map((r) => [r.name, r.sides.map((s) => s.host).join('+')])).toEqual([
      ['a1', 'xen3+xen4'],
      ['r2', 'xen1+xen2'],
      ['r2', 'xen3+xen4'],
      ['r10', 'xen3+xen4'],
    ]);
    expect(view(all, 'db*').map((r) => r.name)).toEqual(['r2']);
    expect(view(all, 'r1?').map((r) => r.name)).toEqual(['r10']);
    expect(view(all, 'nope')).toEqual([]);
  });

  it("a split brain's sides are left off its flag when long host names would take it past what xenherdctl reads", () => {
    // db1 started on each of three DRBD 9 partners while cut: each side's times are known (noteCopies)
    const split = (names: string[]): HostRecord[] => {
      const domu = { ...config, resources: [{ name: 'r2', hosts: names }] };
      return names.map((h) => {
        const peers = names.filter((o) => o !== h).map((o) => ({ name: o, role: null, connection: 'StandAlone', disk: null, replication: null }));
        const state = hostState({ domains: [dom('db1')], guarded: [guarded('db1', ['r2'])], domus: [domu], drbd: { availability: 'ok', resources: [{ name: 'r2', role: 'Primary', disk: 'UpToDate', peers }] } });
        return noteCopies(record(h, state, NOW), NOW);
      });
    };
    const firstSplit = (records: HostRecord[]) => view(records)[0]?.flags.find((f) => f.kind === 'split-brain')?.text ?? '';
    expect(firstSplit(split(['xen1', 'xen2', 'xen3']))).toContain('; each side: xen1: runs db1 since');
    // host names as long as a host name may be (253 characters)
    const long = split(['xen1', 'xen2', 'xen3'].map((h) => `${h}.${'d'.repeat(248)}`));
    const [entry] = view(long);
    expect(DrbdResourceViewSchema.safeParse(entry).error?.issues ?? []).toEqual([]);
    const text = firstSplit(long);
    expect(text).toMatch(/^Primary on xen1\.d+, xen2\.d+ and xen3\.d+ while not connected/);
    expect(text).not.toContain('each side');
  });
});
