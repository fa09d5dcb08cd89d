import { describe, expect, it } from 'vitest';
import { AlertKeeper } from '../../../controller/core/alert-keeper.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import type { Clock } from '../../../shared/clock/clock.js';
import { memoryLogger } from '../../harness/memory-log.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
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

/** the domU of xen<H> */
const own = (h: number) => [dom(`vm${h}`)];

/**
 * HOSTS Dom0s: the look asks every Dom0 of the fleet in several passes (and only a few of its
 * domUs, look-shortlist.ts), so a fleet of many is one whose look takes many slices.
 */
const HOSTS = 3_000;

/** HOSTS Dom0s with a domU each, and `twice` running on both xen1 and xen2 (looked at first). */
function bigFleet(): FleetIndex {
  const index = new FleetIndex();
  for (let h = 1; h <= HOSTS; h++) index.put(record(`xen${h}`, hostState({ domains: h <= 2 ? [dom('twice'), ...own(h)] : own(h) })));
  return index;
}

/** xen<H> reports that it runs its own domUs only, or `twice` too (then last) */
const report = (index: FleetIndex, h: number, withTwice: boolean): void => void index.put(record(`xen${h}`, hostState({ domains: withTwice ? [...own(h), dom('twice')] : own(h) })));

/** the least time between two looks in slices beginning, as the core's default settings have it */
const EVERY_MS = 1_000;

function keeper() {
  const { clock, runDue, runOne } = tickingClock();
  const { log, lines } = memoryLogger(clock, 'xenherd-controller');
  const logged = (event: string) => lines.filter((l) => l['event'] === event).map((l) => l['alert']);
  return { alerts: new AlertKeeper(log, clock, EVERY_MS), runDue, runOne, raised: () => logged('alert-raised'), cleared: () => logged('alert-cleared') };
}

/**
 * A clock on which every reading costs a millisecond, so a look in slices takes time as it does on
 * a busy controller, and whose timers fire in order of when they are due once the test runs it.
 */
function costlyClock(): { clock: Clock; runUntil: (end: number) => void } {
  let now = NOW;
  let seq = 0;
  let timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  const clock: Clock = {
    now: () => now++,
    schedule: (ms, fn) => {
      const t = { at: now + Math.max(0, Math.ceil(ms)), seq: seq++, fn };
      timers.push(t);
      return () => void (timers = timers.filter((x) => x !== t));
    },
    sleep: () => Promise.resolve(),
  };
  const runUntil = (end: number): void => {
    for (;;) {
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const t = timers[0];
      if (t === undefined || t.at > end) return;
      timers.shift();
      now = Math.max(now, t.at);
      t.fn();
    }
  };
  return { clock, runUntil };
}

/** the fleet of bigFleet, `twice` on xen1 only (and on xen2 too when asked) */
const stormFleet = (index: FleetIndex, twiceOn2: boolean): void => {
  for (let h = 1; h <= HOSTS; h++) index.put(record(`xen${h}`, hostState({ domains: h === 1 || (h === 2 && twiceOn2) ? [dom('twice'), ...own(h)] : own(h) })));
};

/** a keeper on the costly clock, the times at which a look in slices began (it asks `fresh` once, then), and when an alert was raised */
function keeperOnTime() {
  const { clock, runUntil } = costlyClock();
  const { log, lines } = memoryLogger(clock, 'xenherd-controller');
  const begun: number[] = [];
  const fresh = () => {
    const now = clock.now();
    begun.push(now);
    return { now, staleAfterMs: 15_000 };
  };
  const raisedAt = (id: string): number | undefined => lines.find((l) => l['event'] === 'alert-raised' && l['alert'] === id)?.time;
  return { clock, runUntil, alerts: new AlertKeeper(log, clock, EVERY_MS), fresh, begun, raisedAt };
}

/** every 10 ms until END a snapshot arrives (as 2,000 agents dialling back send them) and asks for a look; at CHANGE_AT, xen2 starts `twice` too */
function storm(k: ReturnType<typeof keeperOnTime>, index: FleetIndex, end: number, changeAt = Infinity): { changedAt: number } {
  const out = { changedAt: -1 };
  const snapshot = (n: number): void => {
    const t = k.clock.now();
    if (t >= end) return;
    if (t >= changeAt && out.changedAt < 0) {
      stormFleet(index, true);
      out.changedAt = t;
    } else report(index, 3 + (n % 28), false);
    k.alerts.refreshInSlices(index, k.fresh);
    k.clock.schedule(10, () => snapshot(n + 1));
  };
  snapshot(0);
  k.runUntil(end + 10 * EVERY_MS);
  return out;
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

  it('begins a look no sooner than EVERY_MS after the last one ended, while snapshots keep arriving', () => {
    const index = new FleetIndex();
    stormFleet(index, false);
    const k = keeperOnTime();
    storm(k, index, NOW + 5_000);
    // one look begun per EVERY_MS of the storm (and the one just after it); back to back, a look per look's length
    expect(k.begun.length).toBeGreaterThan(1);
    expect(k.begun.length).toBeLessThanOrEqual(7);
    for (let i = 1; i < k.begun.length; i++) expect((k.begun[i] ?? 0) - (k.begun[i - 1] ?? 0)).toBeGreaterThanOrEqual(EVERY_MS);
  });

  it('still raises an alert within EVERY_MS and two looks of the change, while snapshots keep arriving', () => {
    // how long one look takes on this clock, nothing else running
    const quiet = keeperOnTime();
    const twiceIndex = new FleetIndex();
    stormFleet(twiceIndex, true);
    const asked = quiet.clock.now();
    quiet.alerts.refreshInSlices(twiceIndex, quiet.fresh);
    quiet.runUntil(NOW + 10 * EVERY_MS);
    const lookMs = (quiet.raisedAt('running-on-two-hosts:twice') ?? Infinity) - asked;
    expect(lookMs).toBeGreaterThan(20);

    const index = new FleetIndex();
    stormFleet(index, false);
    const k = keeperOnTime();
    // `twice` starts on xen2 too halfway through a second of the storm, after a look began
    const { changedAt } = storm(k, index, NOW + 5_000, NOW + 2_500);
    expect(changedAt).toBeGreaterThan(0);
    const raised = k.raisedAt('running-on-two-hosts:twice');
    expect(raised).toBeDefined();
    expect((raised ?? Infinity) - changedAt).toBeLessThanOrEqual(EVERY_MS + 2 * lookMs);
  });
});
