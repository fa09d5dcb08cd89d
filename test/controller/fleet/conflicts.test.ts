import { describe, expect, it } from 'vitest';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import { away, dom, guarded, hostState, primary, record } from '../states.js';

const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const kinds = (records: Parameters<typeof mergeFleet>[0]) => mergeFleet(records, fresh).findings.map((f) => [f.kind, f.subject, f.hosts]);

describe('conflicts no single Dom0 sees', () => {
  it('a quiet healthy fleet has none', () => {
    expect(
      kinds([
        record('xen1', hostState({ domains: [dom('web01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], drbd: { availability: 'ok', resources: [primary('r-web01', 'xen2')] }, guarded: [guarded('web01')] })),
        record('xen2', hostState({ drbd: { availability: 'ok', resources: [primary('r-web01', 'xen1', 'Secondary', 'Primary')] }, guarded: [guarded('web01')] })),
      ]),
    ).toEqual([]);
  });

  it('a domU running on two hosts', () => {
    expect(kinds([record('xen1', hostState({ domains: [dom('web01')] })), record('xen2', hostState({ domains: [dom('web01')] }))])).toEqual([
      ['running-on-two-hosts', 'web01', ['xen1', 'xen2']],
    ]);
  });

  it('but not a migration in progress (NAME--incoming / NAME--migratedaway beside NAME)', () => {
    expect(kinds([record('xen1', hostState({ domains: [dom('web01')] })), record('xen2', hostState({ domains: [dom('web01', { migration: 'incoming' })] }))])).toEqual([]);
    expect(kinds([record('xen1', hostState({ domains: [dom('web01', { migration: 'migratedaway' })] })), record('xen2', hostState({ domains: [dom('web01')] }))])).toEqual([]);
  });

  it('and not a stopped xm-managed domain or a dying one', () => {
    expect(kinds([record('xen1', hostState({ domains: [dom('web01', { state: 'stopped', domid: null })] })), record('xen2', hostState({ domains: [dom('web01')] }))])).toEqual([]);
  });

  it('a silent host still counts for running-twice, and the message says how old its report is', () => {
    const m = mergeFleet([record('xen1', hostState({ domains: [dom('web01')] }), NOW - 60_000, false), record('xen2', hostState({ domains: [dom('web01')] }))], fresh);
    expect(m.findings).toHaveLength(1);
    expect(m.findings[0]?.message).toContain('xen1 (unreachable, last heard 60 s ago)');
    // what the operator checks, and how it ends when xen1 died with its copy
    expect(m.findings[0]?.message).toMatch(
      /; xen1 is unreachable, so its part rests on its last report: if it is down \(check its console\), that copy is gone too and this clears when it reports again; a Dom0 gone for good: `xenherd-controller revoke HOST`$/,
    );
  });

  it('with every host reachable, the message says nothing of silent hosts', () => {
    const m = mergeFleet([record('xen1', hostState({ domains: [dom('web01')] })), record('xen2', hostState({ domains: [dom('web01')] }))], fresh);
    expect(m.findings[0]?.message).toBe(
      'web01 runs on xen1 and xen2, not as a migration: a split brain of its disks is likely; stop one copy after checking which is current; to choose the copy to keep: the copy clients reached last holds the newest writes (compare the guests\' own clocks and logs), never decide by this alone: see "DRBD split brain" in the README',
    );
  });

  it('a home claimed by two Dom0s', () => {
    expect(kinds([record('xen1', hostState({ homes: [{ name: 'db1', peer: 'xen2', source: 'migrate-tab' }] })), record('xen3', hostState({ homes: [{ name: 'db1', peer: 'xen4', source: 'migrate-tab' }] }))])).toEqual([
      ['home-claimed-twice', 'db1', ['xen1', 'xen3']],
    ]);
  });

  it('both Dom0s of a DRBD pair guarding a domU (each naming the other) is the usual set-up, not a conflict', () => {
    const pair = (a: 'migrate-tab' | 'guarded', b: 'migrate-tab' | 'guarded') =>
      kinds([record('xen1', hostState({ homes: [{ name: 'db1', peer: 'xen2', source: a }] })), record('xen2', hostState({ homes: [{ name: 'db1', peer: 'xen1', source: b }] }))]);
    expect(pair('guarded', 'guarded')).toEqual([]);
    expect(pair('migrate-tab', 'guarded')).toEqual([]);
    expect(pair('migrate-tab', 'migrate-tab').map((k) => k[0])).toEqual(['home-claimed-twice']);
  });

  it('a DRBD resource Primary on both partners outside a migration', () => {
    const both = [
      record('xen1', hostState({ drbd: { availability: 'ok', resources: [primary('r0', 'xen2', 'Primary', 'Primary')] } })),
      record('xen2', hostState({ drbd: { availability: 'ok', resources: [primary('r0', 'xen1', 'Primary', 'Primary')] } })),
    ];
    expect(kinds(both)).toEqual([['drbd-primary-on-both', 'r0@xen1+xen2', ['xen1', 'xen2']]]);
  });

  it('DRBD 8.4 names its peer "peer": partners are then the hosts guarding a domU on the resource', () => {
    const r84 = (role: 'Primary') => ({ ...primary('r0', 'peer', role, 'Primary') });
    expect(
      kinds([
        record('xen1', hostState({ guarded: [guarded('web01', ['r0'])], drbd: { availability: 'ok', resources: [r84('Primary')] } })),
        record('xen2', hostState({ guarded: [guarded('web01', ['r0'])], drbd: { availability: 'ok', resources: [r84('Primary')] } })),
      ]).map((k) => k[0]),
    ).toEqual(['drbd-primary-on-both']);
  });

  it('DRBD 8.4, a domU guarded on one Dom0 with a standby config on the other: partners by the .res hosts or the config', () => {
    const r84 = primary('r5', 'peer', 'Primary', 'Primary');
    const config = (name: string, source: 'guarded' | 'config-dir', hosts: string[]) => ({ name, source, memMiB: 512, vcpus: 1, resources: [{ name: 'r5', hosts }] });
    const drbd = { availability: 'ok' as const, resources: [r84] };
    // the standby's config names both hosts in r5.res
    expect(
      kinds([
        record('xen3', hostState({ guarded: [guarded('mail1', ['r5'])], domus: [config('mail1', 'guarded', ['xen1', 'xen3'])], drbd })),
        record('xen1', hostState({ domus: [config('mail1', 'config-dir', ['xen1', 'xen3'])], drbd })),
      ]),
    ).toEqual([['drbd-primary-on-both', 'r5@xen1+xen3', ['xen1', 'xen3']]]);
    // no .res file on the standby (hosts unknown there): the config of the same domU still pairs them
    expect(
      kinds([
        record('xen3', hostState({ guarded: [guarded('mail1', ['r5'])], drbd })),
        record('xen1', hostState({ domus: [config('mail1', 'config-dir', [])], drbd })),
      ]).map((k) => k[0]),
    ).toEqual(['drbd-primary-on-both']);
    // two unrelated 8.4 pairs using the name r5, each Primary over a Secondary: their .res files name other hosts
    const alone = { availability: 'ok' as const, resources: [primary('r5', 'peer', 'Primary', 'Secondary')] };
    expect(
      kinds([
        record('xen1', hostState({ domus: [config('a', 'guarded', ['xen1', 'xen2'])], drbd: alone })),
        record('xen3', hostState({ domus: [config('b', 'guarded', ['xen3', 'xen4'])], drbd: alone })),
      ]),
    ).toEqual([]);
  });

  it('Primary on both seen from one side: the partner reports no such resource (it guards no domU on it)', () => {
    const drbd = { availability: 'ok' as const, resources: [primary('r5', 'peer', 'Primary', 'Primary')] };
    const config = { name: 'mail1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r5', hosts: ['xen3', 'xen1'] }] };
    // the .res file names the partner
    const m = mergeFleet([record('xen3', hostState({ guarded: [guarded('mail1', ['r5'])], domus: [config], drbd })), record('xen1', hostState())], fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['drbd-primary-on-both', 'r5@xen1+xen3', ['xen1', 'xen3']]]);
    expect(m.findings[0]?.message).toMatch(/^DRBD resource r5 is Primary on xen1 and xen3 \(as xen3 sees it\)/);
    // no .res file: the partner is unknown, and said so
    const u = mergeFleet([record('xen3', hostState({ guarded: [guarded('mail1', ['r5'])], drbd }))], fresh);
    expect(u.findings.map((f) => [f.subject, (f.message.split('; to choose')[0] ?? '').replace(/ \(.*?\)/, '')])).toEqual([['r5@xen3', 'DRBD resource r5 is Primary on xen3 and on its DRBD peer and no domU using it is migrating: a split brain']]);
    // while a domU on it migrates, both Primary is allow-two-primaries
    const moving = mergeFleet([record('xen3', hostState({ domains: [dom('mail1', { migration: 'migratedaway' })], guarded: [guarded('mail1', ['r5'])], domus: [config], drbd })), record('xen1', hostState())], fresh);
    expect(moving.findings).toEqual([]);
  });

  it('the same resource name on two unrelated pairs is not a conflict', () => {
    expect(
      kinds([
        record('xen1', hostState({ drbd: { availability: 'ok', resources: [primary('r0', 'xen2')] } })),
        record('xen3', hostState({ drbd: { availability: 'ok', resources: [primary('r0', 'xen4')] } })),
      ]),
    ).toEqual([]);
  });

  it('both Primary during a live migration of a domU using the resource is allow-two-primaries, not a conflict', () => {
    expect(
      kinds([
        record('xen1', hostState({ domains: [dom('web01', { migration: 'migratedaway' })], guarded: [guarded('web01', ['r0'])], drbd: { availability: 'ok', resources: [primary('r0', 'xen2', 'Primary', 'Primary')] } })),
        record('xen2', hostState({ domains: [dom('web01', { migration: 'incoming' })], guarded: [guarded('web01', ['r0'])], drbd: { availability: 'ok', resources: [primary('r0', 'xen1', 'Primary', 'Primary')] } })),
      ]),
    ).toEqual([]);
  });

  it('a ledger saying "away at X" while X (reachable, fresh) does not run it', () => {
    expect(
      kinds([record('xen1', hostState({ ledger: { seq: 3, away: { web01: away('xen1', 'xen2') }, visitors: {} } })), record('xen2', hostState({ domains: [] }))]),
    ).toEqual([['ledger-away-not-there', 'web01', ['xen1', 'xen2']]]);
  });

  it('but not while X is unreachable or stale (its silence is not evidence)', () => {
    const ledger = { seq: 3, away: { web01: away('xen1', 'xen2') }, visitors: {} };
    expect(kinds([record('xen1', hostState({ ledger })), record('xen2', hostState(), NOW, false)])).toEqual([]);
    expect(kinds([record('xen1', hostState({ ledger })), record('xen2', hostState(), NOW - 16_000)])).toEqual([]);
  });

  it('X not in the fleet at all (revoked and forgotten, or never enrolled) while no host reports the domU: the finding says to check on X first (a standby copied before X was enrolled does not know it), then the forced start at home only if X is gone', () => {
    const ledger = { seq: 3, away: { web01: away('xen1', 'xen2') }, visitors: {} };
    const m = mergeFleet([record('xen1', hostState({ ledger }))], fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['ledger-away-not-there', 'web01', ['xen1']]]);
    expect(m.findings[0]?.message).toMatch(/^the ledger of xen1 sends web01 to xen2 since .*, which is not in this controller's fleet \(revoked, or never enrolled\), and no Dom0 reporting runs it: web01 may still run on xen2 \(a standby whose tokens.json was copied before xen2 was enrolled does not know it\); first check on xen2 \(`ssh xen2 xl list`, or `xenherdctl where web01` on the controller it reports to\); only if xen2 is really gone \(powered off\) is web01 down: then start it at home: `xenherd-agent autostart start --force web01 --reason TEXT` on xen1 \(`xenherdctl restore xen1` cannot/);
    // the check on X comes before the forced start, on one line: advice read top-down must not start a domU X may run
    const message = m.findings[0]?.message ?? '';
    expect(message).not.toContain('\n');
    expect(message.indexOf(`ssh xen2 xl list`)).toBeLessThan(message.indexOf('--force'));
    // a report of it anywhere (a silent host's last one included) is not "runs nowhere": no claim
    expect(kinds([record('xen1', hostState({ ledger })), record('xen3', hostState({ domains: [dom('web01')] }), NOW, false)])).toEqual([]);
  });

  it('nor while X runs it (also as NAME--incoming)', () => {
    const ledger = { seq: 3, away: { web01: away('xen1', 'xen2') }, visitors: {} };
    expect(kinds([record('xen1', hostState({ ledger })), record('xen2', hostState({ domains: [dom('web01', { migration: 'incoming' })] }))])).toEqual([]);
  });

  it('status lists the findings as alerts with a summary', () => {
    const m = mergeFleet([record('xen1', hostState({ domains: [dom('web01')] })), record('xen2', hostState({ domains: [dom('web01')] }), NOW, false)], fresh);
    const s = mergedStatus(m, fresh);
    expect(s.alerts.map((a) => a.id)).toEqual(['running-on-two-hosts:web01']);
    expect(s.summary).toEqual({ hosts: 2, reachable: 1, unreachable: 1, domus: 1, domusUnreachable: 0, runningTwice: 1, midMigration: 0, unsettled: 0, inMaintenance: 0, alerts: 1, reportsElsewhere: 0, crashed: 0 });
  });

  it("a dead Dom0's domUs are not counted as running: apart, and named in its host view with their state then", () => {
    const m = mergeFleet([record('xen1', hostState({ domains: [dom('web01')] })), record('xen2', hostState({ domains: [dom('db1', { state: 'running' }), dom('app1')] }), NOW - 60_000, false)], fresh);
    const s = mergedStatus(m, fresh);
    expect(s.summary).toMatchObject({ domus: 1, domusUnreachable: 2 });
    expect(s.hosts.map((h) => [h.host, h.lastDomains])).toEqual([
      ['xen1', undefined],
      ['xen2', [{ name: 'app1', state: 'blocked' }, { name: 'db1', state: 'running' }]],
    ]);
  });
});
