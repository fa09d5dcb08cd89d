import { describe, expect, it } from 'vitest';
import { AlertKeeper } from '../../../controller/core/alert-keeper.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import type { Clock } from '../../../shared/clock/clock.js';
import { memoryLogger } from '../../harness/memory-log.js';
import { dom, hostState, record } from '../states.js';

const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };

/**
 * A clock on which every reading is a millisecond after the one before, and whose timers wait
 * until the test runs them: each slice of a look stops at the first point where it may.
 */
function tickingClock(): { clock: Clock; runDue: () => number; runOne: () => boolean } {
  let now = NOW;
  const due: Array<() => void> = [];
  const clock: Clock = {
    now: () => now++,
    schedule: (_ms, fn) => {
      due.push(fn);
      return () => undefined;
    },
    sleep: () => Promise.resolve(),
  };
  const runDue = (): number => {
    let ran = 0;
    for (let fn = due.shift(); fn !== undefined; fn = due.shift()) {
      fn();
      ran++;
    }
    return ran;
  };
  const runOne = (): boolean => {
    const fn = due.shift();
    fn?.();
    return fn !== undefined;
  };
  return { clock, runDue, runOne };
}

/** the 100 domUs of xen<H> */
const own = (h: number) => Array.from({ length: 100 }, (_, i) => dom(`vm${h}-${i}`));

/** 30 Dom0s with 100 domUs each, and `twice` running on both xen1 and xen2 (looked at first). */
function bigFleet(): FleetIndex {
  const index = new FleetIndex();
  for (let h = 1; h <= 30; h++) index.put(record(`xen${h}`, hostState({ domains: h <= 2 ? [dom('twice'), ...own(h)] : own(h) })));
  return index;
}

/** xen<H> reports that it runs its own domUs only, or `twice` too (then last) */
const report = (index: FleetIndex, h: number, withTwice: boolean): void => void index.put(record(`xen${h}`, hostState({ domains: withTwice ? [...own(h), dom('twice')] : own(h) })));

function keeper() {
  const { clock, runDue, runOne } = tickingClock();
  const { log, lines } = memoryLogger(clock, 'xenherd-controller');
  const logged = (event: string) => lines.filter((l) => l['event'] === event).map((l) => l['alert']);
  return { alerts: new AlertKeeper(log, clock), runDue, runOne, raised: () => logged('alert-raised'), cleared: () => logged('alert-cleared') };
}

describe('the alert keeper', () => {
  it('looks over the fleet a slice at a time when a timer asks, and ends with what a look at once finds', () => {
    const index = bigFleet();
    const k = keeper();
    k.alerts.refreshInSlices(index, () => fresh);
    expect(k.alerts.sorted()).toEqual([]);
    expect(k.runDue()).toBeGreaterThan(5);
    const atOnce = keeper();
    atOnce.alerts.refresh(index, fresh);
    expect(k.alerts.sorted().map((a) => a.id)).toEqual(['running-on-two-hosts:twice']);
    expect(k.alerts.sorted()).toEqual(atOnce.alerts.sorted());
    expect(k.alerts.idsOf('twice')).toEqual(['running-on-two-hosts:twice']);
    expect(k.raised()).toEqual(['running-on-two-hosts:twice']);
  });

  it('drops a look in slices when a look at once came after it began: its findings are older', () => {
    const index = bigFleet();
    const k = keeper();
    // the first slice has seen `twice` on two hosts...
    k.alerts.refreshInSlices(index, () => fresh);
    // ...then xen2 stops it, and a status request looks at once
    report(index, 2, false);
    k.alerts.refresh(index, fresh);
    expect(k.alerts.sorted()).toEqual([]);
    k.runDue();
    expect(k.alerts.sorted()).toEqual([]);
    expect(k.raised()).toEqual([]);
  });

  it('counts a domU the look reaches twice once (it left the index and came back meanwhile)', () => {
    const index = bigFleet();
    const k = keeper();
    k.alerts.refreshInSlices(index, () => fresh);
    for (const withTwice of [false, true]) for (const h of [1, 2]) report(index, h, withTwice);
    k.runDue();
    expect(k.alerts.sorted().map((a) => a.id)).toEqual(['running-on-two-hosts:twice']);
    expect(k.raised()).toEqual(['running-on-two-hosts:twice']);
  });

  it('runs a look asked for while one is under way after it: the first may have passed what changed', () => {
    const index = bigFleet();
    const k = keeper();
    // the first slice has seen `twice` on two hosts; then xen2 stops it, and the fleet changing asks again
    k.alerts.refreshInSlices(index, () => fresh);
    report(index, 2, false);
    k.alerts.refreshInSlices(index, () => fresh);
    k.runDue();
    expect(k.raised()).toEqual(['running-on-two-hosts:twice']);
    expect(k.cleared()).toEqual(['running-on-two-hosts:twice']);
    expect(k.alerts.sorted()).toEqual([]);
  });

  it('ends a look even when another is asked for at every slice', () => {
    const index = bigFleet();
    const k = keeper();
    k.alerts.refreshInSlices(index, () => fresh);
    for (let slices = 0; k.raised().length === 0; slices++) {
      if (slices > 1_000) throw new Error('no look ended in 1,000 slices');
      k.alerts.refreshInSlices(index, () => fresh);
      expect(k.runOne()).toBe(true);
    }
    expect(k.alerts.sorted().map((a) => a.id)).toEqual(['running-on-two-hosts:twice']);
  });

  it('drops a look in slices when stopped, and starts none after', () => {
    const k = keeper();
    k.alerts.refreshInSlices(bigFleet(), () => fresh);
    k.alerts.stop();
    k.alerts.refreshInSlices(bigFleet(), () => fresh);
    k.runDue();
    expect(k.alerts.sorted()).toEqual([]);
    expect(k.raised()).toEqual([]);
  });
});
