import { describe, expect, it } from 'vitest';
import { leftover, mayClearUp, waitsOnUnreachable } from '../../../controller/plan/leftover-text.js';

// Which leftovers a job waits for (they may clear up on their own) before it calls them final.
describe('mayClearUp', () => {
  it('waits for a target without memory figures (its agent has not read xl info yet) as for one unreachable, stale or behind', () => {
    const targets = (...whys: ('no-memory-report' | 'unreachable' | 'behind' | 'maintenance')[]) => leftover('vm', 'xen3', { kind: 'targets-unavailable', targets: whys.map((why, i) => ({ host: `xen${i + 1}`, why })) });
    expect(mayClearUp(targets('no-memory-report'))).toBe(true);
    expect(mayClearUp(targets('no-memory-report', 'unreachable'))).toBe(true);
    expect(mayClearUp(targets('behind'))).toBe(true);
    expect(mayClearUp(targets('no-memory-report', 'maintenance'))).toBe(false);
    expect(mayClearUp(leftover('vm', 'xen2', { kind: 'source-unavailable', host: 'xen2', why: 'behind' }))).toBe(true);
    expect(mayClearUp(leftover('vm', null, { kind: 'runs-nowhere' }))).toBe(false);
  });

  it('before a drain starts, a domU whose every target (or own host, or home as a visitor) has its link down is not waited for', () => {
    const targets = (...whys: ('no-memory-report' | 'unreachable' | 'stale')[]) => leftover('vm', 'xen3', { kind: 'targets-unavailable', targets: whys.map((why, i) => ({ host: `xen${i + 1}`, why })) });
    expect(waitsOnUnreachable(targets('unreachable'))).toBe(true);
    expect(waitsOnUnreachable(targets('unreachable', 'unreachable'))).toBe(true);
    // another target may still take it, or is only silent a moment
    expect(waitsOnUnreachable(targets('unreachable', 'no-memory-report'))).toBe(false);
    expect(waitsOnUnreachable(targets('stale'))).toBe(false);
    expect(waitsOnUnreachable(leftover('vm', 'xen2', { kind: 'visitor', home: 'xen1', why: 'unreachable' }))).toBe(true);
    expect(waitsOnUnreachable(leftover('vm', 'xen2', { kind: 'source-unavailable', host: 'xen2', why: 'behind' }))).toBe(false);
    expect(waitsOnUnreachable(leftover('vm', null, { kind: 'mid-migration' }))).toBe(false);
  });
});
