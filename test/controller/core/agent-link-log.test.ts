import { describe, expect, it } from 'vitest';
import { dom, hostState } from '../states.js';
import { coreBed, T0, type CoreBed } from './core-bed.js';

// An agent whose token is good but whose link keeps dropping (a tight reconnect loop) must not
// write several lines a link into the controller's log: its first links are logged, the rest
// counted and said once a window, on the injected clock.
const LINK_EVENTS = new Set(['agent-reported', 'agent-link-closed', 'host-unreachable', 'agent-refused']);
const linkLines = (bed: CoreBed, host: string) => bed.logs.filter((l) => LINK_EVENTS.has(String(l['event'])) && l['host'] === host);
const summaries = (bed: CoreBed) => bed.events('agent-reconnects').map((l) => [l.time - T0, l['host'], l['links'], l['unlogged'], l.msg]);

/** HOST connects, reports and loses its link TIMES times, one every EVERY ms. */
async function reconnect(bed: CoreBed, host: string, times: number, every: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const { agent, pair } = bed.connect(host);
    agent.hello();
    agent.snapshot(hostState({ domains: [dom('web01')] }));
    await bed.clock.advance(0);
    pair.drop();
    await bed.clock.advance(every);
  }
}

describe("an agent reconnecting in a loop: the controller's log stays bounded", () => {
  it('the first 3 links line by line, then one exact summary a window; a host still at it logs only summaries', async () => {
    const bed = coreBed();
    await reconnect(bed, 'xen3', 240, 250);
    await bed.clock.advance(0);
    // 3 links of 3 lines each (reported, closed, unreachable) instead of 720
    expect(linkLines(bed, 'xen3').map((l) => l['event'])).toEqual(Array.from({ length: 3 }, () => ['agent-reported', 'agent-link-closed', 'host-unreachable']).flat());
    expect(summaries(bed)).toEqual([
      [
        60_000,
        'xen3',
        240,
        711,
        'xen3 reconnected 240 times in the last 60 s (711 lines about them not logged: only its first 3 links logged one by one); an agent that keeps reconnecting: look at its log on xen3 (journalctl -u xenherd-agent) and its network to this controller',
      ],
    ]);
    await reconnect(bed, 'xen3', 240, 250);
    await bed.clock.advance(0);
    expect(linkLines(bed, 'xen3')).toHaveLength(9);
    expect(summaries(bed).slice(1)).toEqual([
      [
        120_000,
        'xen3',
        240,
        720,
        'xen3 reconnected 240 times in the last 60 s (720 lines about them not logged: none of them logged one by one, as it was reconnecting before too); an agent that keeps reconnecting: look at its log on xen3 (journalctl -u xenherd-agent) and its network to this controller',
      ],
    ]);
  });

  it('hosts are counted apart, and a host calm for a window is logged in full again', async () => {
    const bed = coreBed();
    await reconnect(bed, 'xen1', 2, 1_000);
    await reconnect(bed, 'xen3', 10, 1_000);
    await bed.clock.advance(120_000);
    expect(linkLines(bed, 'xen1')).toHaveLength(6);
    expect(summaries(bed).map(([at, host, links, unlogged]) => [at, host, links, unlogged])).toEqual([[62_000, 'xen3', 10, 21]]);
    await reconnect(bed, 'xen3', 1, 1_000);
    expect(linkLines(bed, 'xen3')).toHaveLength(12);
  });

  it("a link that stayed up a whole window is no churn: its end is logged, whatever the window's count", async () => {
    const bed = coreBed({ heartbeatMs: 1_000, staleAfterMs: 600_000, commandTimeoutMs: 60_000, maxMessageBytes: 64 * 1024 });
    await reconnect(bed, 'xen3', 4, 100);
    const { agent, pair } = bed.connect('xen3');
    agent.hello();
    agent.snapshot(hostState());
    await bed.clock.advance(0);
    expect(linkLines(bed, 'xen3')).toHaveLength(9);
    await bed.clock.advance(70_000);
    pair.drop();
    await bed.clock.advance(0);
    expect(linkLines(bed, 'xen3').slice(9).map((l) => l['event'])).toEqual(['agent-link-closed', 'host-unreachable']);
  });

  it('a controller stopping says what its open windows counted', async () => {
    const bed = coreBed();
    await reconnect(bed, 'xen3', 5, 1_000);
    bed.core.close();
    expect(summaries(bed).map(([at, host, links, unlogged]) => [at, host, links, unlogged])).toEqual([[5_000, 'xen3', 5, 6]]);
  });
});
