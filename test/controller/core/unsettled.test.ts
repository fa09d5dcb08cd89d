import { describe, expect, it } from 'vitest';
import { away, dom, hostState, unsettled } from '../states.js';
import { coreBed, recordingSink } from './core-bed.js';

// A migration whose ending nobody knows, as an agent's ledger reports it until a person runs
// `xenherd-agent reconcile NAME` there: the controller core raises it, marks the domU in `where`,
// refuses to route a command for it, and lets go of it all once the record is gone.
const noLedger = { seq: 1, away: { web01: away('xen1', 'xen2') }, visitors: {} };
const withRecord = { ...noLedger, seq: 2, unsettled: { web01: unsettled('xen2', { operation: 'reverse', operationId: 'op-9' }) } };

const fleetOf = async () => {
  const bed = coreBed();
  const xen1 = (await bed.online('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], ledger: noLedger }))).agent;
  const xen2 = (await bed.online('xen2', hostState({ domains: [dom('web01')] }))).agent;
  await bed.clock.advance(300);
  return { bed, xen1, xen2 };
};

describe('an unsettled record reported by an agent', () => {
  it('a delta that only adds the record raises the alert at once; where marks the domU; the next report without it clears it', async () => {
    const { bed, xen1 } = await fleetOf();
    expect(bed.core.status().alerts).toEqual([]);
    xen1.delta({ ledger: withRecord });
    // a look begins no sooner than alertScanEveryMs (1 s) after the one the hosts' joining asked for ended
    await bed.clock.advance(1_000);
    expect(bed.events('alert-raised')).toEqual([expect.objectContaining({ alert: 'migration-unsettled:web01@xen1', kind: 'migration-unsettled', subject: 'web01@xen1', hosts: ['xen1', 'xen2'] })]);
    expect(bed.core.status().alerts.map((a) => [a.id, a.message])).toEqual([['migration-unsettled:web01@xen1', expect.stringMatching(/^web01: the reverse xen1 ran with xen2 \(operation op-9, .*; web01 runs on xen2\. .*reconcile web01 on xen1$/)]]);
    expect(bed.core.where('web01')).toMatchObject({ ok: true, value: { matches: [{ name: 'web01', alerts: ['migration-unsettled:web01@xen1'] }] } });
    // xenherd-agent reconcile web01 on xen1 drops it: the agent's next ledger has none
    xen1.delta({ ledger: { ...noLedger, seq: 3 } });
    await bed.clock.advance(1_000);
    expect(bed.events('alert-cleared').map((l) => l['alert'])).toEqual(['migration-unsettled:web01@xen1']);
    expect(bed.core.where('web01')).toMatchObject({ ok: true, value: { matches: [{ alerts: [] }] } });
  });

  it('migrate and reverse of it are refused before anything is sent, with the ALARM and the way out; routed again once reconciled', async () => {
    const { bed, xen1, xen2 } = await fleetOf();
    xen1.delta({ ledger: withRecord });
    await bed.clock.advance(300);
    const message =
      'the reverse xen1 ran with xen2 (operation op-9, at 2024-05-01T14:02:00.000Z) ended with its outcome unknown, so nobody knows where web01 has run since; check both hosts by hand (xenherd-agent status web01 on each), then run xenherd-agent reconcile web01 on xen1 (nothing was sent)';
    for (const req of [{ op: 'reverse', name: 'web01' }, { op: 'migrate', name: 'web01', target: 'xen1' }] as const) {
      expect(bed.core.command(req, { name: 'admin' }, recordingSink())).toEqual({ ok: false, error: { code: 'XH_ERR_MIGRATION_UNKNOWN', message } });
    }
    await bed.clock.advance(0);
    expect([...xen1.of('command'), ...xen2.of('command')]).toEqual([]);
    xen1.delta({ ledger: { ...noLedger, seq: 3 } });
    await bed.clock.advance(300);
    expect(bed.core.command({ op: 'reverse', name: 'web01' }, { name: 'admin' }, recordingSink())).toMatchObject({ ok: true, value: { host: 'xen1' } });
  });

  it('a record kept by a host whose agent went silent still stands, and still refuses', async () => {
    const { bed, xen2 } = await fleetOf();
    await bed.online('xen3', hostState({ ledger: { seq: 1, away: {}, visitors: {}, unsettled: { web01: unsettled('xen2', { operation: 'reverse' }) } } }));
    for (let t = 0; t < 10; t++) {
      await bed.clock.advance(1_000);
      xen2.heartbeat();
    }
    await bed.clock.advance(0);
    expect(bed.core.hosts().hosts.find((h) => h.host === 'xen3')?.reachable).toBe(false);
    expect(bed.core.status().alerts.map((a) => [a.id, a.message])).toEqual([['migration-unsettled:web01@xen3', expect.stringMatching(/^web01: the reverse xen3 \(unreachable, last heard \d+ s ago\) ran with xen2 /)]]);
    expect(bed.core.command({ op: 'migrate', name: 'web01', target: null }, { name: 'admin' }, recordingSink())).toMatchObject({ ok: false, error: { code: 'XH_ERR_MIGRATION_UNKNOWN' } });
  });
});
