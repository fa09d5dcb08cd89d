import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../shared/protocol/ctl-check.js';
import { TEST_TIMERS } from '../harness/agent-on-sim.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { pairFleet } from '../harness/pair-fleet.js';

// `xenherdctl check`'s line for a guarded domU deferred because its DRBD resource cannot be read
// names why: here its config names r9, which no .res file of xen1 defines, and drbdadm says so.
// Real agent cores (polling DRBD) and a controller core in this process, on the simulator's clock.

const FLEET = pairFleet({ optionLine: false, drbd: '9', migrateTab: [] });
const POLLING = { ...TEST_TIMERS, events: { ...TEST_TIMERS.events, drbd: 'poll' as const } };

let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

describe('check names why a deferred domU\'s DRBD resource could not be read', () => {
  it('a resource no .res file defines: resource-unknown with drbdadm\'s own words, WARNING after 5 min', async () => {
    const f = (fleet = await startFleet(FLEET, { controller: true }));
    const dir = join(f.sim.hostRoot('xen1'), 'etc/xen/drbd-auto');
    writeFileSync(join(dir, 'app9.cfg'), readFileSync(join(dir, 'web1.cfg'), 'utf8').replaceAll('web1', 'app9').replaceAll('r1', 'r9'));
    for (const h of ['xen1', 'xen2']) f.startAgent(h, POLLING);
    const core = f.controller!.core;
    const decision = (): string | undefined => {
      const w = core.where('app9');
      return w.ok ? w.value.matches[0]?.autostart[0]?.decision : undefined;
    };
    await f.until(() => decision() === 'defer', 'app9 deferred');
    await f.advance(5 * 60_000);
    const details = CheckAnswerSchema.parse(core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).details;
    const line = details.find((d) => d.subject === 'app9');
    expect(line).toMatchObject({ status: 'WARNING', kind: 'start-deferred' });
    expect(line?.text).toMatch(/^app9: not running anywhere, its start deferred on xen1 for 5 min \(resource-unknown: DRBD resource r9 could not be read: drbdadm status r9: .*'r9' not defined in your config \(for this host\)\.\)$/);
  });
});
