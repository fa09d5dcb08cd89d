import { describe, expect, it } from 'vitest';
import { DOWN_GUARDED_SETTLE_MS } from '../../../controller/fleet/down-guarded.js';
import type { Freshness, HostRecord } from '../../../controller/fleet/host-record.js';
import type { HostState, LinkGuarded } from '../../../shared/protocol/agent-link-state.js';
import type { CheckAnswer } from '../../../shared/protocol/ctl-check.js';
import { away, dom, guarded, hostState, record, unsettled } from '../states.js';
import { checkAt } from './check-bed.js';

// A guarded domU whose domain went without anyone of the fleet asking (a guest crash under
// on_crash="destroy", `xl destroy`, the OOM killer, a guest powering off) runs nowhere, and its
// agent starts it no more (skip handled-this-boot): check stayed OK. Now CRITICAL, unless
// something else explains it or speaks for it.
const NOW = 1_735_700_000_000;
const MIN = 60_000;
const fresh: Freshness = { now: NOW, staleAfterMs: 15_000 };
const iso = (ms: number): string => new Date(ms).toISOString();
const stopped = (ago: number): Partial<LinkGuarded> => ({ decision: 'skip', reason: 'handled-this-boot', detail: 'someone stopped it', since: iso(NOW - ago) });

/** xen1 guards web1, stopped AGO ago; xen2, its partner, as XEN2 says */
function fleet(ago = 10 * MIN, xen2: Partial<HostState> = {}, xen1: Partial<HostState> = {}): HostRecord[] {
  return [
    record('xen1', hostState({ homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web1', ['r1'], stopped(ago))], ...xen1 }), NOW, true),
    record('xen2', hostState(xen2), NOW, true),
  ];
}

const check = checkAt(fresh);
const kinds = (a: CheckAnswer): string[] => a.details.map((d) => `${d.status} ${d.kind} ${d.subject}`);

describe('check: a guarded domU stopped with nobody of the fleet asking', () => {
  it('is CRITICAL once it has stood the settle, dated by its agent, with how to start it and how to stop it on purpose', () => {
    const a = check(fleet());
    expect(a.status).toBe('CRITICAL');
    expect(a.summary).toBe('web1 down, stopped on xen1');
    expect(a.details).toEqual([
      {
        status: 'CRITICAL',
        kind: 'down-guarded',
        subject: 'web1',
        text:
          "web1: guarded, and running nowhere: xen1's autostart started it or saw it run this boot and has seen it stopped since 2025-01-01 02:43 UTC (10 min ago), so it starts it no more (skip handled-this-boot); " +
          'nothing of this fleet stopped it (a guest crash under on_crash="destroy", `xl destroy`, the OOM killer, a shutdown inside the guest): ' +
          'see why on xen1 (/var/log/xen/xl-web1.log), then `xenherd-agent autostart start --force web1 --reason TEXT` there starts it; ' +
          'stopped on purpose: move its config out of the guarded dir on xen1, then `xenherd-agent autostart reload` there, and this clears',
      },
    ]);
  });

  it('counted in the perfdata as domus_down, after every older datum; not the one a Dom0 unheard may run', () => {
    const down = (a: CheckAnswer) => a.perfdata.find((p) => p.label === 'domus_down')?.value;
    expect(check(fleet()).perfdata.at(-2)).toEqual({ label: 'domus_down', value: 1, uom: '', warn: null, crit: null, min: 0, max: null });
    expect(check(fleet()).perfdata.find((p) => p.label === 'domus_running')?.value).toBe(0);
    const [xen1, xen2] = fleet();
    expect(down(check([xen1 as HostRecord, { ...(xen2 as HostRecord), lastSeen: NOW - 5 * MIN, linkUp: false }]))).toBe(0);
    expect(down(check(fleet(10 * MIN, {}, { domains: [dom('web1')], guarded: [guarded('web1', ['r1'])] })))).toBe(0);
  });

  it('not within the settle: a guest rebooting is a new domain a moment later', () => {
    expect(check(fleet(DOWN_GUARDED_SETTLE_MS - 1_000)).status).toBe('OK');
    expect(kinds(check(fleet(DOWN_GUARDED_SETTLE_MS)))).toEqual(['CRITICAL down-guarded web1']);
  });

  it('guarded on both Dom0s of the pair, both skipping it: one line naming both, dated by the older word', () => {
    const a = check(fleet(10 * MIN, { guarded: [guarded('web1', ['r1'], stopped(12 * MIN))] }));
    expect(kinds(a)).toEqual(['CRITICAL down-guarded web1']);
    expect(a.details[0]?.text).toContain("the autostarts of xen1 and xen2 started it or saw it run this boot and have seen it stopped since 2025-01-01 02:41 UTC (12 min ago), so they start it no more");
    expect(a.details[0]?.text).toContain('on each of xen1 and xen2, then');
  });

  it('points at the Dom0 whose agent saw it stop first, and at its toolstack\'s log', () => {
    const a = check(fleet(10 * MIN, { toolstack: 'xm', guarded: [guarded('web1', ['r1'], stopped(12 * MIN))] }));
    expect(a.details[0]?.text).toContain('see why on xen2 (/var/log/xen/xend.log), then `xenherd-agent autostart start --force web1 --reason TEXT` there starts it');
  });

  it('after a controller restart it did not see it go: said at once, on the agent\'s word and date', () => {
    const restarted: Freshness = { ...fresh, startedAt: NOW - 5_000 };
    const a = check(fleet(3 * 60 * MIN), { fresh: restarted });
    expect(kinds(a)).toEqual(['CRITICAL down-guarded web1']);
    expect(a.details[0]?.text).toContain('seen it stopped since 2024-12-31 23:53 UTC (3 h ago)');
  });

  it('present anywhere (running elsewhere, a migration half, a crashed domain with its own line): not down', () => {
    // running on its partner: away from home, said as that
    expect(kinds(check(fleet(10 * MIN, { domains: [dom('web1')] })))).toEqual(['WARNING away-unrecorded web1', 'WARNING away-from-home web1']);
    expect(kinds(check(fleet(10 * MIN, { domains: [dom('web1', { migration: 'incoming' })] })))).not.toContain('CRITICAL down-guarded web1');
    expect(kinds(check(fleet(10 * MIN, {}, { domains: [dom('web1', { state: 'crashed' })] })))).toEqual(['CRITICAL domu-crashed web1']);
  });

  it('a live migration of it this controller has under way: not down', () => {
    expect(check(fleet(), { fresh: { ...fresh, moves: [{ name: 'web1', from: 'xen1', to: 'xen2' }] } }).details.map((d) => d.kind)).not.toContain('down-guarded');
  });

  it("stopped by a job of ours (a drain's cold shutdown: its Dom0 draining, the job working there): not this alert", () => {
    const draining = { maintenance: { state: 'draining' as const, operationId: 'op1', owner: 'xenherd-controller@ctl' } };
    // its partner guards it too and skips it while the drain's cold move has it nowhere
    expect(kinds(check(fleet(10 * MIN, { guarded: [guarded('web1', ['r1'], stopped(MIN))] }, draining), { jobHosts: ['xen1'] }))).not.toContain('CRITICAL down-guarded web1');
    // the job on the Dom0 alone, whatever it reports
    expect(check(fleet(), { jobHosts: ['xen1'] }).status).toBe('OK');
  });

  it('held by maintenance: held-by-maintenance.ts speaks, not this', () => {
    const inMaintenance = { maintenance: { state: 'maintenance' as const, operationId: 'op1', owner: 'xenherd-controller@ctl' } };
    const a = check(fleet(10 * MIN, { ...inMaintenance, guarded: [guarded('web1', ['r1'], { decision: 'skip', reason: 'maintenance', since: iso(NOW - 10 * MIN) })] }));
    expect(a.details.map((d) => d.kind)).toEqual(['down-in-maintenance']);
  });

  it('another Dom0 that starts it, defers it or sees its peer Primary: that decision speaks', () => {
    for (const g of [{ decision: 'start' as const, reason: null }, { decision: 'defer' as const, reason: 'peer-not-connected' }, { decision: 'skip' as const, reason: 'peer-primary' }]) {
      expect(check(fleet(10 * MIN, { guarded: [guarded('web1', ['r1'], { ...g, since: iso(NOW - 10 * MIN) })] })).details.map((d) => d.kind)).not.toContain('down-guarded');
    }
  });

  it("a ledger sending it elsewhere or keeping its migration unsettled: the ledger's alerts speak", () => {
    expect(check(fleet(10 * MIN, {}, { ledger: { seq: 1, away: { web1: away('xen1', 'xen2') }, visitors: {} } })).details.map((d) => d.kind)).not.toContain('down-guarded');
    expect(check(fleet(10 * MIN, {}, { ledger: { seq: 1, away: {}, visitors: {}, unsettled: { web1: unsettled('xen2') } } })).details.map((d) => d.kind)).not.toContain('down-guarded');
  });

  it('a Dom0 that could run it unheard: not known down, a WARNING saying where it may run, never "start it"', () => {
    const [xen1, xen2] = fleet();
    const a = check([xen1 as HostRecord, { ...(xen2 as HostRecord), lastSeen: NOW - 5 * MIN, linkUp: false }]);
    const line = a.details.find((d) => d.kind === 'down-guarded');
    expect(line).toMatchObject({ status: 'WARNING', subject: 'web1' });
    expect(line?.text).toMatch(/^web1: not seen running: xen1's autostart started it or saw it run this boot .*; unknown whether it runs on xen2 \(unreachable, last heard 5 min ago\): start it nowhere before `xenherdctl where web1` hears from that Dom0$/);
    expect(a.summary).toMatch(/^xen2 unreachable/);
  });

  it('started again (or its config moved out of the guarded dir): clears', () => {
    expect(check(fleet(10 * MIN, {}, { domains: [dom('web1')], guarded: [guarded('web1', ['r1'])] })).status).toBe('OK');
    expect(check(fleet(10 * MIN, {}, { guarded: [] })).status).toBe('OK');
  });
});
