import { describe, expect, it } from 'vitest';
import { judgeMaintenance } from '../../agent/decide/maintenance-rules.js';
import { takesUp, type RollProgress } from '../../controller/plan/roll-record.js';
import { cutOperations } from '../../controller/jobs/cut-operations.js';
import { sameOwner } from '../../shared/owner-names.js';

// A controller upgraded from a release whose owner name had no instance id finds its own flags
// and roll records under the short name: they are its own, by host and port.
const OLD = 'xenherd-controller@ctl1:7443';
const NEW = 'xenherd-controller@ctl1:7443/0123abcd';
const OTHER = 'xenherd-controller@ctl1:7443/89abcdef';

describe('owner names across the instance id', () => {
  it('matches a short name with the long name of the same host and port, either way round', () => {
    expect(sameOwner(OLD, NEW)).toBe(true);
    expect(sameOwner(NEW, OLD)).toBe(true);
    expect(sameOwner(NEW, NEW)).toBe(true);
    expect(sameOwner(null, null)).toBe(true);
  });

  it('keeps two ids apart, and other hosts or ports, and a name that only looks like an id', () => {
    expect(sameOwner(NEW, OTHER)).toBe(false);
    expect(sameOwner('xenherd-controller@ctl2:7443', NEW)).toBe(false);
    expect(sameOwner('xenherd-controller@ctl1:7444', NEW)).toBe(false);
    expect(sameOwner(OLD, `${OLD}/0123ABCD`)).toBe(false);
    expect(sameOwner(OLD, `${OLD}/0123abc`)).toBe(false);
    expect(sameOwner(null, NEW)).toBe(false);
    expect(sameOwner('sim', 'sim/0123abcd')).toBe(false);
  });

  it('lets the upgraded controller renew its own drain the agent holds under the short name', () => {
    const v = judgeMaintenance({ state: 'draining', from: ['draining'], operationId: 'op1', owner: NEW, leaseMs: 60_000 }, { current: { state: 'draining', operationId: 'op1', owner: OLD }, leaseLive: true, domains: null });
    expect(v).toMatchObject({ ok: true, rule: 5, flag: { owner: NEW } });
    const other = judgeMaintenance({ state: 'draining', from: ['draining'], operationId: 'op1', owner: OTHER, leaseMs: 60_000 }, { current: { state: 'draining', operationId: 'op1', owner: NEW }, leaseLive: true, domains: null });
    expect(other).toMatchObject({ ok: false, rule: 3, code: 'XH_ERR_LOCKED' });
  });

  it('takes up the roll record its run before the upgrade wrote, not another instance\'s', () => {
    const rec: RollProgress = { controller: OLD, hosts: ['x1', 'x2'], at: 1_000, finished: { x1: 'boot-a' } };
    expect(takesUp(rec, NEW, ['x1', 'x2'], 2_000)).toBe(true);
    expect(takesUp({ ...rec, controller: OTHER }, NEW, ['x1', 'x2'], 2_000)).toBe(false);
  });

  it('lists the drain its run before the upgrade left as its own cut operation', () => {
    const host = (owner: string) => ({ host: 'xen1', state: { maintenance: { state: 'draining' as const, operationId: 'op1', owner } } });
    type Records = Parameters<typeof cutOperations>[0];
    expect(cutOperations([host(OLD)] as unknown as Records, NEW, new Set()).map((c) => c.host)).toEqual(['xen1']);
    expect(cutOperations([host(OTHER)] as unknown as Records, NEW, new Set())).toEqual([]);
  });
});
