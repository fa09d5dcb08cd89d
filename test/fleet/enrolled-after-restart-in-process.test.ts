import { afterEach, describe, expect, it } from 'vitest';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../shared/protocol/ctl-check.js';
import { startupGraceMs } from '../../controller/fleet/enrolment.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { DB1_ON_XEN2, pairFleet } from '../harness/pair-fleet.js';

// A controller restarted while a Dom0 is powered off: tokens.json still enrolls it, so the new
// controller does not take the dead Dom0 for one that never was (agent cores and controller core
// in this process, one deterministic clock).
const FLEET = pairFleet({ connectDelay: 300, drbd: '9', more: DB1_ON_XEN2 });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const check = (f: Fleet): CheckAnswer => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS));

describe('a controller restarted while an enrolled Dom0 is powered off', () => {
  it('lists it, warns while agents reconnect, then says CRITICAL; where of its domU is stale, naming it', async () => {
    const enrolled: ReadonlySet<string> = new Set(['xen1', 'xen2']);
    fleet = await startFleet(FLEET, { controller: { settings: { heartbeatMs: 1_000, staleAfterMs: 3_000, commandTimeoutMs: 600_000 }, enrolled: () => enrolled } });
    for (const h of ['xen1', 'xen2']) fleet.startAgent(h);
    await fleet.until(() => fleet.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting');
    fleet.powerOff('xen2');
    fleet.controller!.crash();
    const core = fleet.controller!.restart();
    await fleet.until(() => core.hosts().hosts.some((h) => h.host === 'xen1' && h.reported), 'xen1 reporting again', 10_000, 100);
    expect(core.hosts().hosts.map((h) => [h.host, h.reported])).toEqual([['xen1', true], ['xen2', false]]);
    // within the start-up grace: one WARNING for the Dom0s not heard from yet; xen1's DRBD, cut off
    // from xen2 with db1 on no Dom0 that reports, makes xen2's own line CRITICAL at once
    const early = check(fleet);
    expect(early.status).toBe('CRITICAL');
    expect(early.details.map((d) => d.text)).toContainEqual(expect.stringMatching(/^the controller started \d+ s ago; 1 of 2 enrolled Dom0s has not reported yet: the view is incomplete$/));
    expect(early.details.map((d) => d.text)).toContainEqual(expect.stringMatching(/^xen2: not heard from since the controller started \d+ s ago \(enrolled; within the start-up grace, but its DRBD partners are cut off from it\): check that xen2 is powered .*; db1 may be down with xen2: it runs on no Dom0 that reports, and xen1, heard now, holds r2 Secondary, cut off from xen2, /));
    const w = core.where('db1');
    if (!w.ok) throw new Error(w.error.message);
    // db1 ran on xen2 only: nobody heard from mentions it; the answer says whom it has not heard from
    expect(w.value).toMatchObject({ matches: [], unreported: ['xen2'] });
    // the grace covers the longest wait of an agent retrying while the controller was down: xen2 is "not reported yet" until it ends
    await fleet.advance(startupGraceMs(3_000, enrolled.size) - 5_000);
    expect(check(fleet).details.map((d) => d.kind)).toEqual(expect.arrayContaining(['host-not-reported', 'hosts-not-reported']));
    await fleet.advance(5_000);
    const late = check(fleet);
    expect(late.status).toBe('CRITICAL');
    expect(late.details.map((d) => d.text)).toContainEqual(expect.stringMatching(/^xen2: agent unreachable \(not heard from since the controller started \d+ s ago; enrolled; its maintenance state is unknown until it reports\): check that xen2 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent; db1 may be down with xen2: /));
  });
});
