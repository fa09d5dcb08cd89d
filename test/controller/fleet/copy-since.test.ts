import { describe, expect, it } from 'vitest';
import { noteCopies } from '../../../controller/fleet/copy-since.js';
import { withHeldDrbd } from '../../../controller/fleet/held-drbd.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { scavengesDuring } from '../../fuzz/heap-after-gc.js';
import { dom, hostState, primary, record } from '../states.js';

// r1 as a side of a split shows it: its peer StandAlone, or Connected again after the runbook
const r1 = (role: 'Primary' | 'Secondary', connection: 'StandAlone' | 'Connected'): LinkDrbdResource => ({ ...primary('r1', 'xen2', role), peers: [{ name: 'xen2', role: null, connection, disk: null, replication: null }] });
const drbd = (...resources: LinkDrbdResource[]) => ({ availability: 'ok' as const, resources });

const at = (r: HostRecord, ms: number, parts: Parameters<typeof hostState>[0]): HostRecord => noteCopies({ ...r, state: hostState(parts) }, ms);

describe('since when a copy has run and a resource been Primary, as the controller saw it', () => {
  it('the first report is "already"; what appears later is seen starting; a report changing nothing keeps the record', () => {
    const first = noteCopies(record('xen1', hostState({ domains: [dom('web1')], drbd: { availability: 'ok', resources: [primary('r1', 'xen2')] } })), 100);
    expect(first.copiesSince).toEqual({ running: new Map([['web1', { domid: 7, since: 100, already: true }]]), primary: new Map([['r1', { domid: null, since: 100, already: true }]]), wasPrimary: new Map(), bootId: 'boot-xen1' });
    const same = noteCopies(first, 200);
    expect(same).toBe(first);
    const more = at(first, 300, { domains: [dom('web1'), dom('db1', { domid: 9 })], drbd: { availability: 'ok', resources: [primary('r1', 'xen2'), primary('r2', 'xen2')] } });
    expect(more.copiesSince?.running.get('db1')).toEqual({ domid: 9, since: 300 });
    expect(more.copiesSince?.primary.get('r2')).toEqual({ domid: null, since: 300 });
    expect(more.copiesSince?.running.get('web1')).toEqual({ domid: 7, since: 100, already: true });
  });

  it('notes the resources one report first shows Primary as one note, shared: at 2,000 Dom0s a note each was 40,000', () => {
    const first = noteCopies(record('xen1', hostState({ drbd: drbd(primary('r1', 'xen2'), primary('r2', 'xen2'), primary('r3', 'xen2', 'Secondary')) })), 100);
    expect(first.copiesSince?.primary.get('r2')).toBe(first.copiesSince?.primary.get('r1'));
    const more = at(first, 300, { drbd: drbd(primary('r1', 'xen2'), primary('r2', 'xen2'), primary('r3', 'xen2'), primary('r4', 'xen2')) });
    expect(more.copiesSince?.primary.get('r3')).toEqual({ domid: null, since: 300 });
    expect(more.copiesSince?.primary.get('r4')).toBe(more.copiesSince?.primary.get('r3'));
    expect(more.copiesSince?.primary.get('r1')).toEqual({ domid: null, since: 100, already: true });
  });

  it('a domain restarted under another domid starts anew; a row gone or a resource Secondary again is dropped; halves and stopped rows are no copy', () => {
    const first = noteCopies(record('xen1', hostState({ domains: [dom('web1'), dom('db1')], drbd: { availability: 'ok', resources: [primary('r1', 'xen2')] } })), 100);
    const next = at(first, 500, { domains: [dom('web1', { domid: 20 }), dom('mail1', { migration: 'incoming' }), dom('old1', { state: 'stopped', domid: null })], drbd: { availability: 'ok', resources: [primary('r1', 'xen2', 'Secondary')] } });
    expect(next.copiesSince).toEqual({ running: new Map([['web1', { domid: 20, since: 500 }]]), primary: new Map(), wasPrimary: new Map(), bootId: 'boot-xen1' });
  });

  it('a domU named as what every object has ("constructor") and a resource "__proto__" are noted like any other', () => {
    const first = noteCopies(record('xen1', hostState({ domains: [dom('constructor')], drbd: { availability: 'ok', resources: [primary('__proto__', 'xen2')] } })), 100);
    expect(first.copiesSince?.running.get('constructor')).toEqual({ domid: 7, since: 100, already: true });
    expect(first.copiesSince?.primary.get('__proto__')).toEqual({ domid: null, since: 100, already: true });
    expect(noteCopies(first, 200)).toBe(first);
  });

  it('a Primary left while cut is kept as a span (from its first beginning to its last end) until the resource is Connected again', () => {
    const up = at(record('xen1', null), 100, { drbd: drbd(r1('Secondary', 'Connected')) });
    const primaryAt = at(up, 200, { drbd: drbd(r1('Primary', 'Connected')) });
    const cutAt = at(primaryAt, 300, { drbd: drbd(r1('Primary', 'StandAlone')) });
    expect(cutAt.copiesSince?.wasPrimary).toEqual(new Map());
    // the runbook's first step on the victim: `drbdadm secondary r1`
    const demoted = at(cutAt, 400, { drbd: drbd(r1('Secondary', 'StandAlone')) });
    expect(demoted.copiesSince?.primary).toEqual(new Map());
    expect(demoted.copiesSince?.wasPrimary).toEqual(new Map([['r1', { since: { domid: null, since: 200 }, until: 400 }]]));
    expect(at(demoted, 450, { drbd: drbd(r1('Secondary', 'StandAlone')) }).copiesSince).toBe(demoted.copiesSince);
    // promoted again and demoted again while still cut: one span over both
    const again = at(at(demoted, 500, { drbd: drbd(r1('Primary', 'StandAlone')) }), 600, { drbd: drbd(r1('Secondary', 'StandAlone')) });
    expect(again.copiesSince?.wasPrimary.get('r1')).toEqual({ since: { domid: null, since: 200 }, until: 600 });
    // the DRBD tools not answering say nothing of r1: kept; Connected again: dropped
    const blind = at(again, 700, { drbd: { availability: 'unknown', resources: [] } });
    expect(blind.copiesSince?.wasPrimary.get('r1')).toEqual({ since: { domid: null, since: 200 }, until: 600 });
    expect(at(blind, 800, { drbd: drbd(r1('Secondary', 'Connected')) }).copiesSince?.wasPrimary).toEqual(new Map());
    // a resource no longer reported at all (its config removed) drops its span
    expect(at(again, 800, { drbd: drbd() }).copiesSince?.wasPrimary).toEqual(new Map());
  });

  it('a Primary left while Connected (a migration handing over) is no span, nor a Secondary the controller never saw Primary', () => {
    const first = noteCopies(record('xen1', hostState({ drbd: drbd(r1('Primary', 'Connected')) })), 100);
    expect(at(first, 200, { drbd: drbd(r1('Secondary', 'Connected')) }).copiesSince?.wasPrimary).toEqual(new Map());
    const cutFirst = noteCopies(record('xen1', hostState({ drbd: drbd(r1('Secondary', 'StandAlone')) })), 100);
    expect(cutFirst.copiesSince?.wasPrimary).toEqual(new Map());
  });

  it('a span ended in the first report after a silence says since when the Dom0 was unheard: its end is only a bound', () => {
    const cut = at(at(record('xen1', null), 100, { drbd: drbd(r1('Primary', 'StandAlone')) }), 200, { drbd: drbd(r1('Primary', 'StandAlone')) });
    const back = noteCopies({ ...cut, state: hostState({ drbd: drbd(r1('Secondary', 'StandAlone')) }) }, 900, 250);
    expect(back.copiesSince?.wasPrimary.get('r1')).toEqual({ since: { domid: null, since: 100, already: true }, until: 900, unheardFrom: 250 });
    // heard throughout again: promoted and demoted once more, the span's end is exact again
    const again = at(at(back, 1000, { drbd: drbd(r1('Primary', 'StandAlone')) }), 1100, { drbd: drbd(r1('Secondary', 'StandAlone')) });
    expect(again.copiesSince?.wasPrimary.get('r1')).toEqual({ since: { domid: null, since: 100, already: true }, until: 1100 });
  });

  it('the DRBD tools not answering for a while keep a Primary\'s time when the same boot reports it Primary again', () => {
    const up = at(at(record('xen1', null), 100, { drbd: drbd() }), 200, { drbd: drbd(primary('r1', 'xen2')) });
    expect(up.copiesSince?.primary.get('r1')).toEqual({ domid: null, since: 200 });
    const blind = at(up, 300, { drbd: { availability: 'unknown', resources: [] } });
    expect(blind.copiesSince?.primary.get('r1')).toEqual({ domid: null, since: 200 });
    expect(at(blind, 350, { drbd: { availability: 'unknown', resources: [] } }).copiesSince).toBe(blind.copiesSince);
    expect(at(blind, 400, { drbd: drbd(primary('r1', 'xen2')) }).copiesSince?.primary.get('r1')).toEqual({ domid: null, since: 200 });
    // back Secondary: no longer Primary, as before the tools stopped answering
    expect(at(blind, 400, { drbd: drbd(primary('r1', 'xen2', 'Secondary')) }).copiesSince?.primary).toEqual(new Map());
  });

  it('a Dom0 rebooted starts its copies anew: nothing of the boot before, the same domid or a Primary again included, is carried', () => {
    const first = at(at(record('xen1', null), 100, { domains: [dom('web1', { domid: 1 })], drbd: drbd() }), 200, { domains: [dom('web1', { domid: 1 })], drbd: drbd(primary('r1', 'xen2')) });
    expect(first.copiesSince?.primary.get('r1')).toEqual({ domid: null, since: 200 });
    const blind = at(first, 300, { domains: [dom('web1', { domid: 1 })], drbd: { availability: 'unknown', resources: [] } });
    // its first report of the new boot: Primary already, and web1 under domid 1 again
    const rebooted = at({ ...blind, bootId: 'boot-xen1-2' }, 900, { domains: [dom('web1', { domid: 1 })], drbd: drbd(primary('r1', 'xen2')) });
    expect(rebooted.copiesSince).toEqual({
      running: new Map([['web1', { domid: 1, since: 900, already: true }]]),
      primary: new Map([['r1', { domid: null, since: 900, already: true }]]),
      wasPrimary: new Map(),
      bootId: 'boot-xen1-2',
    });
    // Primary while cut when it went down, Secondary after the reboot: that Primary ended with the boot, and may hold writes
    const cut = at(first, 300, { drbd: drbd(r1('Primary', 'StandAlone')) });
    const after = at({ ...cut, bootId: 'boot-xen1-2' }, 900, { drbd: drbd(r1('Secondary', 'StandAlone')) });
    expect(after.copiesSince?.wasPrimary.get('r1')).toEqual({ since: { domid: null, since: 200 }, until: 900 });
  });
});

describe('a report that changes none of the notes', () => {
  it('makes no garbage per DRBD resource: the held, frozen section walked by for-of made a result object each', async () => {
    const resources = Array.from({ length: 40 }, (_, i) => primary(`r${i}`, 'xen2', i % 2 === 0 ? 'Primary' : 'Secondary'));
    const domains = Array.from({ length: 20 }, (_, i) => dom(`vm${i}`, { domid: i + 1 }));
    // the DRBD section as FleetIndex holds it (held-drbd.ts): hostState would parse it anew
    const held = noteCopies(record('xen1', { ...hostState({ domains }), drbd: withHeldDrbd(drbd(...resources), undefined) }), 100);
    expect(Object.isFrozen(held.state?.drbd.resources)).toBe(true);
    const calls = (n: number) => () => {
      for (let i = 0; i < n; i++) if (noteCopies(held, 200 + i) !== held) throw new Error('a report changing nothing changed the notes');
    };
    // optimized first: unoptimized code makes an iterator result for every for-of, frozen or not
    calls(50_000)();
    // 40 resources a call, 100,000 calls: some 100 MB of results before, several scavenges
    expect(await scavengesDuring(calls(100_000))).toBeLessThanOrEqual(1);
  });
});
