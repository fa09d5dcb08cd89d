import { describe, expect, it } from 'vitest';
import { noteCopies } from '../../../controller/fleet/copy-since.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { dom, hostState, primary, record } from '../states.js';

const at = (r: HostRecord, ms: number, parts: Parameters<typeof hostState>[0]): HostRecord => noteCopies({ ...r, state: hostState(parts) }, ms);

describe('since when a copy has run and a resource been Primary, as the controller saw it', () => {
  it('the first report is "already"; what appears later is seen starting; a report changing nothing keeps the record', () => {
    const first = noteCopies(record('xen1', hostState({ domains: [dom('web1')], drbd: { availability: 'ok', resources: [primary('r1', 'xen2')] } })), 100);
    expect(first.copiesSince).toEqual({ running: new Map([['web1', { domid: 7, since: 100, already: true }]]), primary: new Map([['r1', { domid: null, since: 100, already: true }]]) });
    const same = noteCopies(first, 200);
    expect(same).toBe(first);
    const more = at(first, 300, { domains: [dom('web1'), dom('db1', { domid: 9 })], drbd: { availability: 'ok', resources: [primary('r1', 'xen2'), primary('r2', 'xen2')] } });
    expect(more.copiesSince?.running.get('db1')).toEqual({ domid: 9, since: 300 });
    expect(more.copiesSince?.primary.get('r2')).toEqual({ domid: null, since: 300 });
    expect(more.copiesSince?.running.get('web1')).toEqual({ domid: 7, since: 100, already: true });
  });

  it('a domain restarted under another domid starts anew; a row gone or a resource Secondary again is dropped; halves and stopped rows are no copy', () => {
    const first = noteCopies(record('xen1', hostState({ domains: [dom('web1'), dom('db1')], drbd: { availability: 'ok', resources: [primary('r1', 'xen2')] } })), 100);
    const next = at(first, 500, { domains: [dom('web1', { domid: 20 }), dom('mail1', { migration: 'incoming' }), dom('old1', { state: 'stopped', domid: null })], drbd: { availability: 'ok', resources: [primary('r1', 'xen2', 'Secondary')] } });
    expect(next.copiesSince).toEqual({ running: new Map([['web1', { domid: 20, since: 500 }]]), primary: new Map() });
  });

  it('a domU named as what every object has ("constructor") and a resource "__proto__" are noted like any other', () => {
    const first = noteCopies(record('xen1', hostState({ domains: [dom('constructor')], drbd: { availability: 'ok', resources: [primary('__proto__', 'xen2')] } })), 100);
    expect(first.copiesSince?.running.get('constructor')).toEqual({ domid: 7, since: 100, already: true });
    expect(first.copiesSince?.primary.get('__proto__')).toEqual({ domid: null, since: 100, already: true });
    expect(noteCopies(first, 200)).toBe(first);
  });
});
