import { afterEach, describe, expect, it } from 'vitest';
import { reconnectSpreadMs } from '../../shared/protocol/agent-link.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { pairFleet } from '../harness/pair-fleet.js';

// A controller restart drops every agent's link at once. A controller of 2,000 enrolled Dom0s
// tells its agents (in welcome) to spread their first try over 20 s, and the restarted one takes
// them back as they come: the whole path from the core's welcome to the agents' retry timers
// (agent cores and controller core in this process, one deterministic clock).
const FLEET = pairFleet({ optionLine: false, drbd: '9', migrateTab: [], xen3: true });
const HOSTS = ['xen1', 'xen2', 'xen3'];

let fleet: Fleet;
afterEach(async () => fleet?.stop());

describe('agents dialling back a restarted controller of a large fleet', () => {
  it('wait a moment within the spread it gave them, not all within the same 1.5 s, and all report again', async () => {
    // the three Dom0s here and as many more enrolled as make 2,000 (not connected: placeholders)
    const enrolled: ReadonlySet<string> = new Set([...HOSTS, ...Array.from({ length: 1_997 }, (_, i) => `spare${i}`)]);
    const spread = reconnectSpreadMs(enrolled.size);
    expect(spread).toBe(20_000);
    fleet = await startFleet(FLEET, { controller: { settings: { heartbeatMs: 1_000, staleAfterMs: 3_000, commandTimeoutMs: 600_000 }, enrolled: () => enrolled } });
    for (const h of HOSTS) fleet.startAgent(h);
    await fleet.until(() => fleet.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 3, 'all three agents reporting');
    fleet.controller!.crash();
    const core = fleet.controller!.restart();
    const waits: number[] = [];
    for (const h of HOSTS) {
      const line = await fleet.log(h, (l) => /^controller link: closed \(.*\); trying again in [\d.]+ s$/.test(l.msg), 'the link lost, and when it is tried again', 5_000);
      waits.push(Number(/trying again in ([\d.]+) s$/.exec(line.msg)?.[1]) * 1_000);
    }
    for (const w of waits) expect(w).toBeLessThanOrEqual(spread);
    // drawn over the spread (the seeds are the harness's, so the draws are the same at every run)
    expect(Math.max(...waits)).toBeGreaterThan(1_500);
    await fleet.until(() => HOSTS.every((h) => core.hosts().hosts.some((r) => r.host === h && r.reported)), 'all three reporting again', spread + 5_000, 100);
  });
});
