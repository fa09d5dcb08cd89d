import { describe, expect, it } from 'vitest';
import { CheckAnswerSchema } from '../../../shared/protocol/ctl-check.js';
import { HostsAnswerSchema } from '../../../shared/protocol/ctl-hosts.js';
import { PlanSchema } from '../../../shared/protocol/ctl-jobs.js';
import { WhereAnswerSchema } from '../../../shared/protocol/ctl-where.js';
import { ndjson, run } from './newer-controller-bed.js';

// A controller upgraded before the operators' xenherdctl names a reason, a view, a DRBD mark, a
// move's why, a job's kind, a maintenance state or a perfdata unit this xenherdctl has never heard
// of. Each is shown by its own word, not the whole answer refused, nor said as a word it knows;
// what decides an exit code stays strict.
const AT = 1_700_000_000_000;
const SINCE = '2023-11-14T22:00:00.000Z';
const domain = { name: 'web01', baseName: 'web01', domid: 3, state: 'running', memMiB: 1024, vcpus: 2, migration: null };
const away = { name: 'web01', places: [{ host: 'xen2', domain, reachable: true, ageMs: 1000 }], home: 'xen1', homeClaims: ['xen1'], away: { home: 'xen1', currentHost: 'xen2', since: SINCE, operationId: 'op1', reason: 'quarantine' }, visitor: null, autostart: [], midMigration: false, alerts: [], ageMs: 1000, reachable: true };
const known = { ...away, away: { ...away.away, reason: 'drain' } };
const nowhere = { ...away, name: 'db1', places: [], away: null, autostart: [{ host: 'xen1', decision: 'postpone', reason: 'waiting for quorum', since: SINCE }] };

describe('where: words a newer controller adds', () => {
  it("an away record's reason, a DRBD mark's kind, an unsettled migration's operation, an autostart decision, a view: each said by its word, exit 0", async () => {
    const answer = {
      at: AT,
      pattern: '*',
      matches: [{ ...away, drbd: [{ resource: 'r1', kind: 'peer-outdated', hosts: ['xen2'] }], unsettled: [{ host: 'xen1', peer: 'xen2', since: SINCE, operationId: 'op2', operation: 'migrate3' }] }, { ...nowhere, reachable: false }],
      notListing: [{ host: 'xen3', view: 'frozen', forMs: 60_000 }],
    };
    const r = await run({ '/where': JSON.stringify(answer) }, ['where', '*']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const [web01 = '', db1 = ''] = r.stdout.split('\n');
    expect(web01).toMatch(/^web01 +xen2 +running, ALARM unsettled: the migrate3 xen1 ran with xen2 .* home xen1 \(away since 2023-11-14 22:00, quarantine\) .*DRBD r1: peer-outdated on xen2$/);
    // a mark it does not know is no split brain, and not said as one
    expect(r.stdout).not.toMatch(/split|DRBD split brain/);
    // a Dom0 in a view it does not know is not taken as listing its domains: db1 is not called 'not running'
    expect(db1).toMatch(/^db1 +- +unknown +home xen1 .*xen3: its agent's view of its domains: frozen \(for 60 s\).*autostart on xen1: postpone waiting for quorum/);
  });

  it('a split it knows is said as before, beside a mark it does not know', async () => {
    const answer = WhereAnswerSchema.parse({ at: AT, pattern: 'web01', matches: [{ ...known, drbd: [{ resource: 'r1', kind: 'standalone', hosts: ['xen2'] }, { resource: 'r2', kind: 'peer-outdated', hosts: ['xen2'] }] }] });
    const r = await run({ '/where': JSON.stringify(answer) }, ['where', 'web01']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DRBD r1 split \(StandAlone on xen2\): see "DRBD split brain" in the README; DRBD r2: peer-outdated on xen2|DRBD r1 split \(StandAlone on xen2\): see "DRBD split brain" in the README +DRBD r2: peer-outdated on xen2/);
  });
});

const hostRow = {
  host: 'xen1', reachable: true, linkUp: true, lastSeen: AT - 1000, ageMs: 1000, bootId: 'b0a1b2c3d4', agentVersion: '0.1.0+20261205.184112', toolstack: 'xl',
  memory: { totalMiB: 65536, freeMiB: 30000 }, maintenance: { state: 'online', operationId: null, owner: null }, maintenanceSince: AT - 60_000, domains: 1, homes: 1, reported: true, view: 'current',
};

describe('hosts: words a newer controller adds', () => {
  it("a host's view and maintenance state it does not know: shown as sent, here and under --json", async () => {
    HostsAnswerSchema.parse({ at: AT, hosts: [hostRow] });
    const newer = { at: AT, hosts: [{ ...hostRow, view: 'frozen', maintenance: { state: 'quarantined', operationId: 'op9', owner: 'xenherd-controller@ctl1' } }] };
    const r = await run({ '/hosts': JSON.stringify(newer) }, ['hosts']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/\nxen1 +view: frozen +1\.0 s ago +quarantined \(ctl1, op op9\) .* 0\.1\.0\+20261205\.184112\n$/);
    const json = await run({ '/hosts': JSON.stringify(newer) }, ['hosts', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ hosts: [{ view: 'frozen', maintenance: { state: 'quarantined' }, agentVersion: '0.1.0+20261205.184112' }] });
  });
});

const move = { name: 'web01', from: 'xen1', to: 'xen2', memMiB: 1024, vcpus: 2, why: 'evacuate' };
const plan = PlanSchema.parse({ kind: 'drain', hosts: ['xen1'], sets: [[move]], leftovers: [] });
const newerPlan = { ...plan, sets: [[{ ...move, why: 'cold-evacuate' }]] };

describe('plans and jobs: words a newer controller adds', () => {
  it("a planned move's why: in the WHY column as sent, exit 0", async () => {
    const r = await run({ '/plan': JSON.stringify(newerPlan) }, ['plan', 'drain', 'xen1']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe('drain xen1: 1 move(s) in 1 set(s)\nSET  DOMU   FROM  TO    MEM       WHY\n1    web01  xen1  xen2  1024 MiB  cold-evacuate\n');
  });

  it("a job's kind, its plan's why and a host's maintenance state: each shown, the end decides (0)", async () => {
    const events = [
      { type: 'job', jobId: 'j1', kind: 'evacuate', hosts: ['xen1'], operationId: 'op1', by: 'ops', startedAt: AT, attached: false },
      { type: 'plan', plan: newerPlan },
      { type: 'host', host: 'xen1', maintenance: { state: 'quarantined', operationId: 'op1', owner: 'ops' } },
      { type: 'end', ok: true, code: null, message: 'xen1 quarantined', moved: 1, remaining: [] },
    ];
    const r = await run({ '/jobs': ndjson(events) }, ['drain', 'xen1']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
    expect(lines).toEqual(['evacuate xen1: job j1', 'drain xen1: 1 move(s) in 1 set(s)', 'SET  DOMU   FROM  TO    MEM       WHY', '1    web01  xen1  xen2  1024 MiB  cold-evacuate', 'xen1: quarantined (operation op1)', 'xen1 quarantined', '']);
  });
});

const check = { at: AT, status: 'OK', summary: '3 Dom0s, 7 domUs', details: [], perfdata: [{ label: 'hosts', value: 3, uom: '', warn: null, crit: null, min: 0, max: null }], thresholds: { warnDeferredMs: 300_000, critDeferredMs: 900_000, notHomeAfterMs: 1_800_000, maintenanceWarnMs: 0 } };

describe('check: a newer controller', () => {
  it('a perfdatum in a unit the plugin guidelines allow is passed on as sent; its verdict decides the exit code (0)', async () => {
    CheckAnswerSchema.parse(check);
    const newer = { ...check, perfdata: [...check.perfdata, { label: 'memory_free', value: 41, uom: '%', warn: null, crit: null, min: 0, max: 100 }] };
    const r = await run({ '/check': JSON.stringify(newer) }, ['check']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/\| .*'memory_free'=41%;;;0;100/);
  });

  it('what a verdict or a monitoring system would misread stays refused: a unit outside the guidelines, a status it does not know (UNKNOWN, 3)', async () => {
    for (const bad of [{ ...check, perfdata: [{ ...check.perfdata[0], uom: 'parsecs' }] }, { ...check, status: 'MOSTLY-OK' }]) {
      const r = await run({ '/check': JSON.stringify(bad) }, ['check']);
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/^XENHERD UNKNOWN/);
    }
  });
});
