import { describe, expect, it } from 'vitest';
import { EnrolledHosts, FORGOTTEN_MAX } from '../../../controller/core/enrolled-hosts.js';

// A revoked Dom0 the core forgot is remembered, with when it was last heard, so its peers' agents
// are told it is silent; the memory is bounded, and a host enrolled again is no longer forgotten.
const noop = { joined: () => undefined, left: () => undefined };

describe('EnrolledHosts: the hosts the controller forgot', () => {
  it('remembers when each was last heard, drops the oldest past the bound, and forgets the memory of one enrolled again', () => {
    let set: ReadonlySet<string> = new Set(['xen1', 'xen2']);
    const e = new EnrolledHosts(() => set, 1_000);
    e.refresh(noop);
    set = new Set(['xen1']);
    e.refresh(noop);
    e.forgot('xen2', 5_000);
    expect(e.enrolment()?.forgotten.get('xen2')).toBe(5_000);
    for (let i = 0; i < FORGOTTEN_MAX; i++) e.forgot(`h${i}`, null);
    const f = e.enrolment()?.forgotten;
    expect([f?.size, f?.has('xen2'), f?.get(`h${FORGOTTEN_MAX - 1}`)]).toEqual([FORGOTTEN_MAX, false, null]);
    set = new Set(['xen1', 'h3']);
    e.refresh(noop);
    expect(e.enrolment()?.forgotten.has('h3')).toBe(false);
  });
});
