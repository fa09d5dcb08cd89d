import { describe, expect, it } from 'vitest';
import { AGENT_STOPPING_REASON, CLOSE } from '../../../shared/link/link.js';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { dom, hostState } from '../states.js';
import { coreBed, SETTINGS, T0 } from './core-bed.js';

// A rolling upgrade of the agents stops and starts each in turn: an agent that closed its link
// saying it is stopping is a restart on its way for a minute (a WARNING naming when it stopped),
// not a Dom0 lost, so check pages only for one that stays away, or left any other way.

// staleAfter long enough that the fake agents need no heartbeats through the minute
const SLOW = { ...SETTINGS, staleAfterMs: 600_000 };

async function twoHosts() {
  const bed = coreBed(SLOW);
  await bed.online('xen1', hostState({ domains: [dom('web1')] }));
  const xen2 = await bed.online('xen2', hostState({ domains: [dom('web2')] }));
  await bed.clock.advance(5_000);
  return { bed, xen2 };
}

const check = (bed: Awaited<ReturnType<typeof twoHosts>>['bed']) => bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);

describe('an agent that stopped cleanly', () => {
  it('is a WARNING naming when it stopped for a minute, CRITICAL after it', async () => {
    const { bed, xen2 } = await twoHosts();
    expect(check(bed).status).toBe('OK');
    xen2.pair.agent.close(CLOSE.goingAway, AGENT_STOPPING_REASON);
    await bed.clock.advance(0);
    const stopped = check(bed);
    expect(stopped.status).toBe('WARNING');
    expect(stopped.summary).toBe("xen2's agent stopped cleanly at 14:00:05 UTC (restarting? upgrading?)");
    expect(stopped.details).toEqual([
      expect.objectContaining({ status: 'WARNING', kind: 'agent-stopped', subject: 'xen2', text: "xen2's agent stopped cleanly at 14:00:05 UTC (restarting? upgrading?): CRITICAL if it has not reported again by 14:01:05 UTC" }),
    ]);
    // hosts, status and where say the same of it
    const view = bed.core.hosts().hosts.find((h) => h.host === 'xen2');
    expect(view).toMatchObject({ reachable: false, linkUp: false, agentStoppedAt: T0 + 5_000 });
    expect(bed.core.status().hosts.find((h) => h.host === 'xen2')?.agentStoppedAt).toBe(T0 + 5_000);
    await bed.clock.advance(59_999);
    expect(check(bed).status).toBe('WARNING');
    await bed.clock.advance(1);
    const lost = check(bed);
    expect(lost.status).toBe('CRITICAL');
    expect(lost.summary).toBe('xen2 unreachable');
    expect(lost.details[0]?.text).toBe("xen2: agent unreachable (last heard 65 s ago; its agent stopped cleanly at 14:00:05 UTC and is not back within 60 s): check that xen2 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent");
  });

  it("is logged at info as a clean stop, at warn as unreachable only once the minute is over; any other close at warn at once", async () => {
    const { bed, xen2 } = await twoHosts();
    const said = (host: string) => bed.logs.filter((l) => l['host'] === host && (l['event'] === 'host-unreachable' || l['event'] === 'agent-stopped')).map((l) => [l.level, l.msg]);
    xen2.pair.agent.close(CLOSE.goingAway, AGENT_STOPPING_REASON);
    await bed.clock.advance(0);
    expect(said('xen2')).toEqual([[30, "xen2's agent stopped cleanly (restarting? upgrading?): its link closed; unreachable only if it is not back within 60 s"]]);
    await bed.clock.advance(59_999);
    expect(said('xen2')).toHaveLength(1);
    await bed.clock.advance(1);
    expect(said('xen2').slice(1)).toEqual([[40, 'xen2 is unreachable: its agent stopped cleanly at 14:00:05 UTC and is not back within 60 s']]);
    // back within the minute: no warn at all
    const { bed: other, xen2: x2 } = await twoHosts();
    const saidThere = () => other.logs.filter((l) => l['host'] === 'xen2' && (l['event'] === 'host-unreachable' || l['event'] === 'agent-stopped')).map((l) => l.level);
    x2.pair.agent.close(CLOSE.goingAway, AGENT_STOPPING_REASON);
    await other.clock.advance(4_000);
    const again = other.connect('xen2');
    again.agent.hello();
    again.agent.snapshot(hostState({ domains: [dom('web2')] }));
    await other.clock.advance(120_000);
    expect(saidThere()).toEqual([30]);
    // a link that drops is unreachable at once, at warn
    again.pair.drop();
    await other.clock.advance(0);
    expect(saidThere()).toEqual([30, 40]);
  });

  it('back within the minute is OK again, and its next link dropping is CRITICAL at once', async () => {
    const { bed, xen2 } = await twoHosts();
    xen2.pair.agent.close(CLOSE.goingAway, AGENT_STOPPING_REASON);
    await bed.clock.advance(4_000);
    const again = bed.connect('xen2');
    again.agent.hello();
    again.agent.snapshot(hostState({ domains: [dom('web2')] }));
    await bed.clock.advance(0);
    expect(check(bed).status).toBe('OK');
    expect(bed.core.hosts().hosts.find((h) => h.host === 'xen2')?.agentStoppedAt).toBeUndefined();
    again.pair.drop();
    await bed.clock.advance(0);
    expect(check(bed)).toMatchObject({ status: 'CRITICAL', summary: 'xen2 unreachable' });
  });

  it('any other close is CRITICAL at once: dropped, or going away for another reason', async () => {
    for (const close of [(p: { drop(): void }) => p.drop(), (_: unknown, a: { close(c: number, r: string): void }) => a.close(CLOSE.goingAway, 'controller silent')]) {
      const { bed, xen2 } = await twoHosts();
      close(xen2.pair, xen2.pair.agent);
      await bed.clock.advance(0);
      expect(check(bed)).toMatchObject({ status: 'CRITICAL', summary: 'xen2 unreachable' });
      expect(bed.core.hosts().hosts.find((h) => h.host === 'xen2')?.agentStoppedAt).toBeUndefined();
    }
  });

  it('in maintenance it keeps its WARNING, which says the agent stopped cleanly', async () => {
    const bed = coreBed(SLOW);
    const xen1 = await bed.online('xen1', hostState({ maintenance: { state: 'maintenance', operationId: 'op-1', owner: 'ctl' } }));
    await bed.clock.advance(5_000);
    xen1.pair.agent.close(CLOSE.goingAway, AGENT_STOPPING_REASON);
    await bed.clock.advance(120_000);
    expect(check(bed).details).toEqual([
      expect.objectContaining({ status: 'WARNING', kind: 'host-unreachable-in-maintenance', text: 'xen1: agent unreachable (last heard 2 min ago; its agent stopped cleanly at 14:00:05 UTC); its last report said it is in maintenance: check that xen1 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent' }),
    ]);
  });
});
