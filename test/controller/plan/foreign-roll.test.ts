import { describe, expect, it } from 'vitest';
import { foreignRollRefusal } from '../../../controller/plan/foreign-roll.js';
import { ONLINE, type Maintenance } from '../../../shared/protocol/agent-link-values.js';

// When a roll asked of this controller (ctl-b) is refused for another controller's roll cut on its hosts.
const ME = 'xenherd-controller@ctl2:7443/0a1b2c3d';
const flags = (m: Record<string, Maintenance>) => (h: string): Maintenance => m[h] ?? ONLINE;
const held = (state: Maintenance['state'], operationId: string, owner = 'xenherd-controller@ctl1:7443/99aa88bb'): Maintenance => ({ state, operationId, owner });
const none = (): boolean => false;

describe('foreignRollRefusal', () => {
  it("refuses while another controller's roll holds a Dom0 of it and another is online with no record here", () => {
    for (const flag of [held('draining', 'op-1.roll'), held('maintenance', 'op-1.roll.boot.b-1'), held('restoring', 'op-2.boot.b-2')]) {
      const why = foreignRollRefusal(['xen1', 'xen2', 'xen3'], flags({ xen2: flag }), ME, none);
      expect([flag.state, why]).toEqual([flag.state, expect.stringMatching(/^a roll of xenherd-controller@ctl1:7443\/99aa88bb was cut here, leaving xen2 .*which of xen1 and xen3 that roll had already rolled .*none of them is drained again; `xenherdctl roll xen2` \(same options\) continues xen2 here from its flag/)]);
    }
  });

  it('lets the roll begin otherwise', () => {
    const cases: Array<[string, Record<string, Maintenance>, (h: string) => boolean]> = [
      ['nothing held', {}, none],
      ["this controller's own roll (its name before the instance id too)", { xen2: held('draining', 'op-1.roll', 'xenherd-controller@ctl2:7443') }, none],
      ["another controller's plain drain (no roll mark)", { xen2: held('draining', 'op-1') }, none],
      ["another controller's roll holds every Dom0 asked", { xen1: held('maintenance', 'op-1.roll.boot.b-1'), xen2: held('draining', 'op-3.roll'), xen3: held('restoring', 'op-5.boot.b-5') }, none],
      ['the online ones are in this controller\'s own record', { xen2: held('draining', 'op-1.roll') }, (h) => h !== 'xen2'],
    ];
    for (const [what, m, rolled] of cases) expect([what, foreignRollRefusal(['xen1', 'xen2', 'xen3'], flags(m), ME, rolled)]).toEqual([what, null]);
  });
});
