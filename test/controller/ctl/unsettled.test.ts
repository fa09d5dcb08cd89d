import { describe, expect, it } from 'vitest';
import { away, dom, hostState, unsettled } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// What an operator sees of a migration whose ending nobody knows (xen1's ledger keeps it until
// `xenherd-agent reconcile web01` there), through xenherdctl against a real TLS controller.
const bed = controllerBed();

async function alarmed(c: TestController) {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(
    hostState({
      homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }],
      ledger: { seq: 2, away: { web01: away('xen1', 'xen2') }, visitors: {}, unsettled: { web01: unsettled('xen2', { operation: 'migrate', operationId: 'op-7' }) } },
    }),
  );
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('web01', { state: 'running' })] }));
  await until(() => c.core.status().alerts.length === 1, 'the alert', { limitMs: 10_000 });
  return { xen1, xen2 };
}

describe('xenherdctl and a migration that ended in an ALARM', () => {
  it('status lists the alert, where marks the domU, check is CRITICAL with it on its own line', async () => {
    const c = await bed.start();
    await alarmed(c);
    const ctl = ctlFor(c);
    const s = await ctl(['status']);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^ALERTS \(1\)\n {2}migration-unsettled {2}web01@xen1 {2}since \d\d:\d\d: web01: the migrate xen1 ran with xen2 \(operation op-7, at 2024-05-01T14:02:00\.000Z\) ended in an ALARM \(XH_ERR_MIGRATION_UNKNOWN\); xen1's agent recorded: .*\. Nobody knows where web01 has run since; web01 runs on xen2\. .*then run xenherd-agent reconcile web01 on xen1\n/);
    const w = await ctl(['where', 'web01']);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(
      /^web01 {2}xen2 {2}running, ALARM unsettled: the migrate xen1 ran with xen2 at .* ended unknown; check both hosts, then xenherd-agent reconcile web01 on xen1 {2}home xen1 \(away since .*\) {2}as of .* {2}ALERT migration-unsettled:web01@xen1\n$/,
    );
    const k = await ctl(['check']);
    expect(k.code).toBe(2);
    const lines = k.stdout.split('\n');
    // worst first: the ALARM, then web01 away from its online home since the move its ledger dates (2024)
    expect(lines[0]).toMatch(/^XENHERD CRITICAL - web01: a migration xen1 ran ended unknown, not reconciled, web01 not home on xen1 after \d+ d \| /);
    expect(lines[1]).toMatch(/^CRITICAL: alert migration-unsettled: web01: the migrate xen1 ran with xen2 /);
  });

  it('both halves left frozen: where says the ALARM and the way out, not "migrating" (exit 0, found); status counts it unsettled, not migrating', async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    xen1.snapshot(
      hostState({
        domains: [dom('web01', { migration: 'migratedaway', state: 'shutdown' })],
        homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }],
        ledger: { seq: 2, away: {}, visitors: {}, unsettled: { web01: unsettled('xen2', { operation: 'migrate', operationId: 'op-7' }) } },
      }),
    );
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState({ domains: [dom('web01', { migration: 'incoming', state: 'paused' })] }));
    await until(() => c.core.status().alerts.length === 1, 'the alert', { limitMs: 10_000 });
    const ctl = ctlFor(c);
    const w = await ctl(['where', 'web01']);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(
      /^web01 {2}xen1,xen2 {2}ALARM unsettled: the migrate xen1 ran with xen2 at .* ended unknown; web01--migratedaway suspended on xen1 for [\d.]+ s; web01--incoming paused on xen2 for [\d.]+ s; check both hosts, then xenherd-agent reconcile web01 on xen1 {2}home xen1 {2}as of .* {2}ALERT migration-unsettled:web01@xen1\n$/,
    );
    expect(w.stdout).not.toContain('migrating');
    const s = await ctl(['status']);
    expect(s.stdout).toMatch(/\nfleet: 2 hosts \(2 reachable, 0 unreachable\), 0 domUs running, 0 migrating, 1 ALARM unsettled, 0 hosts not online\n/);
  });

  it('reverse and migrate of it are refused with exit 83 (XH_ERR_MIGRATION_UNKNOWN), saying how to settle it', async () => {
    const c = await bed.start();
    const { xen1, xen2 } = await alarmed(c);
    const ctl = ctlFor(c);
    for (const argv of [['reverse', 'web01'], ['migrate', 'web01', 'xen1']]) {
      const r = await ctl(argv);
      expect(r.code).toBe(83);
      expect(r.stderr).toContain('XH_ERR_MIGRATION_UNKNOWN');
      expect(r.stderr).toContain('then run xenherd-agent reconcile web01 on xen1 (nothing was sent)');
    }
    expect([...xen1.of('command'), ...xen2.of('command')]).toEqual([]);
  });

  it('check --help names it among the CRITICAL conditions', async () => {
    const h = await ctlFor(null)(['check', '--help']);
    expect(h.stdout).toMatch(/CRITICAL {2}[^]*a migration that ended\n {10}in an ALARM \(XH_ERR_MIGRATION_UNKNOWN\), until xenherd-agent reconcile NAME on its Dom0;[^]*\nWARNING/);
  });
});
