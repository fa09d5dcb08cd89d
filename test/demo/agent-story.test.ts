import { describe, expect, it } from 'vitest';
import { demoRunner, leftBehind } from './run-demo.js';

// `npm run demo -- --agent-only`: the older story, in its own file so it runs beside the fleet story.
const demo = demoRunner();

describe('npm run demo -- --agent-only', () => {
  it('-- --agent-only tells one agent\'s view of each Dom0, without a controller', async () => {
    const r = await demo(['--agent-only']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const host of ['xen1', 'xen2', 'xen3']) expect(r.out).toContain(`--- on ${host} ---`);
    expect(r.out).toContain('r9: local Secondary UpToDate | peer Unknown WFConnection');
    expect(r.out).toContain('r9: local Secondary UpToDate | peer Secondary Connected UpToDate');
    expect(r.out).toContain('db2: not running here');
    expect(r.out).toMatch(/deferring db2: DRBD resource r9: the peer is WFConnection/);
    expect(r.out).toMatch(/started dns1/);
    expect(r.out).toMatch(/ERROR NOT starting shop1: DRBD resource r8 is Primary on the peer/);
    expect(r.out).toMatch(/started db2/);
    expect(r.out).toContain('Now: dns1 on xen3, db2 on xen3, shop1 on xen2 (not started twice).');
    expect(r.out).toMatch(/xen1# xenherd-agent migrate web1[\s\S]*web1 migrated from xen1 to xen2/);
    expect(r.out).toMatch(/web1 +MIGRATED to xen2 since/);
    expect(r.out).toMatch(/web1 +visitor from xen1/);
    expect(r.out).toContain('PING from xen1 ...\n    PONG from xen2 ...\n    Success.');
    expect(r.out).toContain('web1 is back on xen1; ledger updated');
    expect(r.out).toMatch(/shop1 +visitor from xen3, running here/);
    expect(leftBehind(r.dir)).toEqual({ processes: [], files: [] });
  }, 240_000);

});
