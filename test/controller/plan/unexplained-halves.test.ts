import { describe, expect, it } from 'vitest';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { routeCommand } from '../../../controller/fleet/route.js';
import { INCOMING_STRANDED_MS } from '../../../controller/fleet/incoming-halves.js';
import { planDrain } from '../../../controller/plan/drain.js';
import { mayClearUp } from '../../../controller/plan/leftover-text.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRestore } from '../../../controller/plan/restore.js';
import type { Leftover } from '../../../shared/protocol/ctl-jobs.js';
import { record } from '../states.js';
import { factsOf, NOW, statesOf, type FleetSpec } from './plan-fleet.js';

// web runs on xen1, its disks (r-web) on xen1 and xen2. A drain of xen1 leaves it alone while a
// migration half of it stands; whether waiting helps is what the fleet says of that half.
const spec = (on: string, halfFor: number, view?: 'behind'): FleetSpec => ({
  hosts: { xen1: {}, xen2: {}, xen3: view ? { view } : {} },
  domus: [
    { name: 'web', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 },
    { name: 'web', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on, migration: 'incoming', halfFor, noHome: true },
  ],
});
const drained = (s: FleetSpec): Leftover[] => planDrain(factsOf(s), ['xen1'], DEFAULT_POLICY).leftovers;
const seen = (ls: readonly Leftover[]) => ls.map((l) => [l.name, l.blocker.kind, mayClearUp(l)]);

describe("a plan's leftover for a migration half no migration explains any more", () => {
  it('a receiving half younger than any migration is let run: being migrated right now, waited for', () => {
    const ls = drained(spec('xen2', 60_000));
    expect(seen(ls)).toEqual([['web', 'mid-migration', true]]);
    expect(ls[0]?.message).toBe('web is being migrated right now');
  });

  it('one that has outlived any migration: waiting will not end it, what to check, and not waited for', () => {
    const ls = drained(spec('xen2', INCOMING_STRANDED_MS + 60_000));
    expect(seen(ls)).toEqual([['web', 'migration-stranded', false]]);
    expect(ls[0]?.message).toBe(
      'web shows a migration half no migration explains any more (web on xen1, web--incoming on xen2 for 36 min): web--incoming has stood on xen2 for 36 min, longer than any migration is let run (35 min), so waiting will not end it. Check xen2 by hand (xenherd-agent status web there; xl list): xenherdctl status says what the fleet shows of it (migration-stranded)',
    );
  });

  it('one on a Dom0 that holds neither its config nor its disks: said at once, in the words a refused migrate uses', () => {
    const ls = drained(spec('xen3', 1_000));
    expect(seen(ls)).toEqual([['web', 'migration-stranded', false]]);
    expect(ls[0]?.message).toContain("web--incoming stands on xen3, which holds no replica of web's disks (r-web is on xen1 and xen2, as xen1's config says): no migration of web runs there, so waiting will not end it. Check xen3 by hand");
    // the same judgement and words as `xenherdctl migrate web` refused now, which alone adds that it sent nothing
    const records = [...statesOf(spec('xen3', 1_000))].map(([h, s]) => ({ ...record(h, s, NOW - 1_000), ...(h === 'xen3' ? { incomingSince: { 'web--incoming': { domid: 5, since: NOW - 1_000 } } } : {}) }));
    const index = mergeFleet(records, { now: NOW, staleAfterMs: 15_000 }).index;
    const refused = routeCommand(index, { op: 'migrate', name: 'web', target: 'xen2' }, { now: NOW, staleAfterMs: 15_000 });
    expect(refused.ok ? null : refused.error.message.replace('; nothing was sent.', '.')).toBe(ls[0]?.message);
  });

  it('a half on a host whose view is behind is not judged: its toolstack may have ended it already', () => {
    expect(seen(drained(spec('xen3', 1_000, 'behind')))).toEqual([['web', 'mid-migration', true]]);
  });

  it('restore says the same of a domU away whose way home is blocked by such a half', () => {
    const s: FleetSpec = {
      hosts: { xen1: {}, xen2: {}, xen3: {} },
      domus: [
        { name: 'web', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
        { name: 'web', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen3', migration: 'incoming', halfFor: 1_000, noHome: true },
      ],
    };
    const ls = planRestore(factsOf(s), 'xen1', DEFAULT_POLICY).leftovers;
    expect(seen(ls)).toEqual([['web', 'migration-stranded', false]]);
  });
});
