import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import type { CheckAnswer } from '../../../shared/protocol/ctl-check.js';
import { away, dom, guarded, hostState, record } from '../states.js';
import { checkAt } from './check-bed.js';

// A guarded domU lost while its Dom0 is in maintenance (a crash during a drain or a roll, then
// reconciled as the ALARM asks) runs nowhere, and that Dom0 starts nothing until it is online:
// check must not stay OK while it is down.
const NOW = 1_700_000_000_000;
const MIN = 60_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const iso = (ms: number): string => new Date(ms).toISOString();
const DRAINING = { state: 'draining' as const, operationId: 'op1', owner: 'xenherd-controller@ctl:7443' };

const host = (name: string, parts: Partial<HostState>): HostRecord => {
  const state = hostState(parts);
  return { ...record(name, state, NOW, true), maintenanceSince: { state: state.maintenance.state, since: NOW - 60 * MIN } };
};

const IN_MAINTENANCE = { ...DRAINING, state: 'maintenance' as const };

/** xen1 draining (or as MAINTENANCE says), guarding web2 (skip: maintenance for AGO); xen2 online, running what OTHERS says */
function fleet(ago: number, xen2: Partial<HostState> = {}, maintenance: HostState['maintenance'] = DRAINING): HostRecord[] {
  return [
    host('xen1', { maintenance, guarded: [guarded('web2', ['r2'], { decision: 'skip', reason: 'maintenance', detail: 'this host is in maintenance', since: iso(NOW - ago) })] }),
    host('xen2', xen2),
  ];
}

// by default with a job of this controller on xen1 (its drain under way)
const check = checkAt(fresh, { jobHosts: ['xen1'] });
const texts = (a: CheckAnswer): string[] => a.details.map((d) => `${d.status}: ${d.text}`);

describe('a guarded domU running nowhere while its Dom0 is in maintenance', () => {
  it('while a job works on its draining Dom0 (a cold move between shutdown and start), judged as a deferral: OK for a while, WARNING past --warn-deferred, CRITICAL past --crit-deferred, naming restore', () => {
    expect(check(fleet(4 * MIN)).status).toBe('OK');
    const w = check(fleet(6 * MIN));
    expect(w.status).toBe('WARNING');
    expect(w.summary).toBe('web2 runs nowhere, xen1 draining');
    expect(w.details.map((d) => `${d.status}: ${d.text}`)).toEqual([
      'WARNING: web2: running nowhere, and xen1 starts nothing while it is draining (for 6 min): `xenherdctl restore xen1` brings xen1 online, and its autostart then starts web2 (or start it elsewhere)',
    ]);
    expect(check(fleet(16 * MIN)).status).toBe('CRITICAL');
  });

  it('running elsewhere (as a drain leaves it), or between two halves of a migration: not down', () => {
    expect(check(fleet(60 * MIN, { domains: [dom('web2')] })).status).toBe('OK');
    expect(check(fleet(60 * MIN, { domains: [dom('web2', { migration: 'incoming' })] })).status).toBe('OK');
  });

  it('another Dom0 out of maintenance that may start it (start or defer): its own decision speaks, not this', () => {
    const starting = check(fleet(60 * MIN, { guarded: [guarded('web2', ['r2'], { decision: 'start', reason: null, since: iso(NOW - MIN) })] }));
    expect(starting.details.map((d) => d.text).join('\n')).not.toContain('starts nothing while');
    const deferring = check(fleet(60 * MIN, { guarded: [guarded('web2', ['r2'], { decision: 'defer', reason: 'peer-not-connected', since: iso(NOW - 60 * MIN) })] }));
    expect(deferring.details.map((d) => d.text)).toEqual([expect.stringMatching(/^web2: not running anywhere, its start deferred on xen2/)]);
  });

  it('in maintenance, nothing under way will start it: a WARNING at once (an agent back from a power loss decides afresh, "since" now), CRITICAL past --crit-deferred', () => {
    for (const jobs of [[], ['xen1']]) {
      const w = check(fleet(0, {}, IN_MAINTENANCE), { jobHosts: jobs });
      expect([w.status, w.summary]).toEqual(['WARNING', 'web2 runs nowhere, xen1 in maintenance']);
      expect(texts(w)).toEqual([
        'WARNING: web2: running nowhere, and xen1 starts nothing while it is in maintenance (for 0 s): `xenherdctl restore xen1` brings xen1 online, and its autostart then starts web2 (or start it elsewhere)',
      ]);
    }
    expect(check(fleet(16 * MIN, {}, IN_MAINTENANCE), { jobHosts: [] }).status).toBe('CRITICAL');
    expect(check(fleet(0, { domains: [dom('web2')] }, IN_MAINTENANCE), { jobHosts: [] }).status).toBe('OK');
  });

  it('draining or restoring with no job of this controller on it (a drain that failed, a controller restart): a WARNING at once', () => {
    for (const state of ['draining', 'restoring'] as const) {
      const w = check(fleet(MIN, {}, { ...DRAINING, state }), { jobHosts: ['xen2'] });
      // beside the host's own line (out of service with no job: maintenance-without-job)
      expect(texts(w).filter((t) => t.includes('web2'))).toEqual([
        `WARNING: web2: running nowhere, and xen1 starts nothing while it is ${state} (for 60 s): \`xenherdctl restore xen1\` brings xen1 online, and its autostart then starts web2 (or start it elsewhere)`,
      ]);
      expect(check(fleet(MIN, {}, { ...DRAINING, state })).status).toBe('OK');
    }
  });
});

// After a controller restart, xen2 (where a drain moved web2) has not reported yet: web2 may well
// run there. "Running nowhere … or start it elsewhere" would start a second copy.
describe('a guarded domU not seen running while a Dom0 that could run it is unheard', () => {
  const PLACEHOLDER: HostRecord = { ...record('xen2', null, NOW, false), lastSeen: null };
  const SILENT: HostRecord = record('xen2', hostState(), NOW - 5 * MIN, false);
  const xen1 = (parts: Partial<HostState>): HostRecord =>
    host('xen1', { maintenance: IN_MAINTENANCE, guarded: [guarded('web2', ['r2'], { decision: 'skip', reason: 'maintenance', detail: 'this host is in maintenance', since: iso(NOW - 20 * MIN) })], ...parts });
  const ledgerSendsToXen2 = { ledger: { seq: 1, away: { web2: away('xen1', 'xen2') }, visitors: {} } };
  const configOnXen1And2 = { domus: [{ name: 'web2', source: 'guarded' as const, memMiB: 1024, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2'] }] }] };

  it("its home's ledger sends it to a Dom0 not heard from since the controller started: unknown, not down, and no advice to start it", () => {
    const w = check([xen1(ledgerSendsToXen2), PLACEHOLDER], { jobHosts: [] });
    expect(w.summary).toBe('xen2 unreachable, web2 not seen running, xen1 in maintenance');
    const line = texts(w).find((t) => t.includes('web2:'));
    expect(line).toBe(
      "WARNING: web2: not seen running, and xen1 starts nothing while it is in maintenance (for 20 min); unknown whether it runs on xen2 (xen1's ledger sends web2 there; not heard from since the controller started): start it nowhere before `xenherdctl where web2` hears from that Dom0",
    );
    expect(line).not.toMatch(/running nowhere|start it elsewhere/);
  });

  it('its DRBD partner, as its config names it, unreachable or unreported: unknown too; heard from and not running it: down, as before', () => {
    expect(texts(check([xen1(configOnXen1And2), SILENT], { jobHosts: [] })).find((t) => t.includes('web2:'))).toContain('unknown whether it runs on xen2 (unreachable, last heard 5 min ago)');
    expect(texts(check([xen1(configOnXen1And2), PLACEHOLDER], { jobHosts: [] })).find((t) => t.includes('web2:'))).toContain('unknown whether it runs on xen2 (not heard from since the controller started)');
    const heard = check([xen1({ ...configOnXen1And2, ...ledgerSendsToXen2 }), host('xen2', {})], { jobHosts: [] });
    expect(texts(heard).find((t) => t.includes('web2:'))).toMatch(/^CRITICAL: web2: running nowhere, .*\(or start it elsewhere\)$/);
  });
});
