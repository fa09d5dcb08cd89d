import { describe, expect, it } from 'vitest';
import { CLOSE, type Link } from '../../../shared/link/link.js';
import { memoryLinkPair } from '../../../shared/link/memory-link.js';
import { AGENT_LINK_PROTOCOL_VERSION } from '../../../shared/protocol/agent-link.js';
import { dom, hostState } from '../states.js';
import { FakeAgent } from '../fake-agent.js';
import { coreBed, T0 } from './core-bed.js';

const where = (bed: ReturnType<typeof coreBed>, p: string) => {
  const r = bed.core.where(p);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.matches;
};

describe('agent sessions on the deterministic clock', () => {
  it('hello → welcome; snapshot → the fleet view answers where, as of the last message', async () => {
    const bed = coreBed();
    const { agent } = bed.connect('xen1');
    agent.hello();
    await bed.clock.advance(0);
    expect(agent.of('welcome')).toEqual([{ type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs: 1000, staleAfterMs: 3000 }]);
    agent.snapshot(hostState({ domains: [dom('web01')] }));
    await bed.clock.advance(300);
    const [m] = where(bed, 'web01');
    expect(m?.places.map((p) => p.host)).toEqual(['xen1']);
    expect(m?.ageMs).toBe(300);
    expect(m?.reachable).toBe(true);
    expect(bed.events('agent-reported')).toHaveLength(1);
  });

  it('heartbeats keep a host reachable; silence makes it unreachable after staleAfter, with its last seen, and its link is closed', async () => {
    const bed = coreBed();
    const { agent } = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    for (let i = 0; i < 5; i++) {
      await bed.clock.advance(1_000);
      agent.heartbeat();
    }
    await bed.clock.advance(0);
    const lastSeen = T0 + 5_000;
    expect(bed.core.hosts().hosts[0]).toMatchObject({ host: 'xen1', reachable: true, lastSeen });
    await bed.clock.advance(3_000);
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: true }); // exactly staleAfter: still fresh
    await bed.clock.advance(1);
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: false, lastSeen, ageMs: 3_001 });
    await bed.clock.advance(1_000);
    expect(agent.closed?.code).toBe(CLOSE.stale);
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: false, linkUp: false, lastSeen });
    const [m] = where(bed, 'web01');
    expect(m).toMatchObject({ reachable: false, ageMs: bed.clock.now() - lastSeen });
    expect(bed.events('agent-stale')).toHaveLength(1);
  });

  it('a snapshot and deltas alone (no heartbeat) keep a host reachable, its last seen the last report', async () => {
    const bed = coreBed();
    const { agent } = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    expect(bed.core.hosts().hosts[0]).toMatchObject({ host: 'xen1', reachable: true, lastSeen: bed.clock.now() });
    for (let i = 0; i < 5; i++) {
      await bed.clock.advance(2_000);
      agent.delta({ memory: { totalMiB: 8192, freeMiB: 1000 + i } });
    }
    await bed.clock.advance(0);
    const lastSeen = bed.clock.now();
    await bed.clock.advance(2_500);
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: true, lastSeen, ageMs: 2_500 });
    expect(bed.events('agent-stale')).toHaveLength(0);
  });

  it('a link whose transport still hears the agent (frames queued behind a backlog) is not closed as stale', async () => {
    const bed = coreBed();
    const pair = memoryLinkPair({ name: 'xen1', clock: bed.clock });
    let heard = bed.clock.now();
    const inner = pair.controller;
    const queued: Link = {
      remote: inner.remote,
      send: (t) => inner.send(t),
      close: (c, r) => inner.close(c, r),
      onMessage: (h) => inner.onMessage(h),
      onClose: (h) => inner.onClose(h),
      heardAt: () => heard,
    };
    bed.core.acceptAgent(queued, { host: 'xen1' });
    const agent = new FakeAgent(pair.agent, 'xen1', () => bed.clock.now());
    agent.hello();
    agent.snapshot(hostState({ domains: [dom('web01')] }));
    await bed.clock.advance(0);
    const lastSeen = bed.clock.now();
    // no message handled for 10 s, but the transport keeps receiving frames
    for (let i = 0; i < 10; i++) {
      await bed.clock.advance(1_000);
      heard = bed.clock.now();
    }
    expect(agent.closed).toBeNull();
    expect(bed.events('agent-stale')).toHaveLength(0);
    // its rows are still as old as the last message handled: where says so
    expect(bed.core.hosts().hosts[0]).toMatchObject({ host: 'xen1', linkUp: true, lastSeen, reachable: false });
    // once the transport hears nothing either, the link is closed as before
    await bed.clock.advance(4_500);
    expect(agent.closed?.code).toBe(CLOSE.stale);
  });

  it("a host's link dropped → unreachable at once, its last state kept and marked so", async () => {
    const bed = coreBed();
    const { pair } = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    await bed.online('xen2', hostState({ domains: [dom('db1')] }));
    pair.drop();
    await bed.clock.advance(0);
    expect(bed.core.hosts().hosts.map((h) => [h.host, h.reachable, h.linkUp])).toEqual([
      ['xen1', false, false],
      ['xen2', true, true],
    ]);
    expect(where(bed, 'web01')[0]).toMatchObject({ reachable: false, places: [{ host: 'xen1', reachable: false }] });
    expect(where(bed, 'db1')[0]).toMatchObject({ reachable: true });
    expect(bed.events('host-unreachable').map((l) => l['host'])).toEqual(['xen1']);
  });

  it('a delta replaces whole sections of that host only', async () => {
    const bed = coreBed();
    const { agent } = await bed.online('xen1', hostState({ domains: [dom('a'), dom('b')], homes: [{ name: 'a', peer: null, source: 'migrate-tab' }] }));
    agent.delta({ domains: [dom('b'), dom('c')] });
    await bed.clock.advance(0);
    expect(where(bed, '*').map((m) => [m.name, m.places.length, m.home])).toEqual([
      ['a', 0, 'xen1'],
      ['b', 1, null],
      ['c', 1, null],
    ]);
  });

  it('a reconnect replaces the older link of the same host; the old one closing later changes nothing', async () => {
    const bed = coreBed();
    const first = await bed.online('xen1', hostState({ domains: [dom('a')] }));
    const second = await bed.online('xen1', hostState({ domains: [dom('b')] }));
    await bed.clock.advance(0);
    expect(first.agent.closed?.code).toBe(CLOSE.replaced);
    expect(second.agent.closed).toBeNull();
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: true, linkUp: true });
    expect(where(bed, '*').map((m) => m.name)).toEqual(['b']);
  });

  it('a host counts as up again with its snapshot; after a reboot its old report is dropped at hello', async () => {
    const bed = coreBed();
    const first = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    first.pair.drop();
    await bed.clock.advance(0);
    const again = bed.connect('xen1').agent;
    again.hello(); // same boot: the agent restarted
    await bed.clock.advance(0);
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: false, reported: true });
    again.snapshot(hostState({ domains: [dom('web01')] }));
    await bed.clock.advance(0);
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: true });
    const rebooted = bed.connect('xen1').agent;
    rebooted.hello({ bootId: 'boot-after-reboot' });
    await bed.clock.advance(0);
    expect(bed.core.hosts().hosts[0]).toMatchObject({ reachable: false, reported: false, bootId: 'boot-after-reboot' });
    expect(where(bed, 'web01')).toEqual([]);
    expect(bed.events('host-rebooted')).toHaveLength(1);
  });

  it('results for commands this controller never sent are ignored and logged sparingly (1st, 10th, every 1000th)', async () => {
    const bed = coreBed();
    const { agent } = await bed.online('xen1', hostState());
    for (let i = 0; i < 12; i++) agent.result(`never-sent-${i}`, { ok: true, code: null, message: 'done', detail: null });
    await bed.clock.advance(0);
    expect(bed.events('result-unknown-command').map((l) => l['count'])).toEqual([1, 10]);
    expect(agent.closed).toBeNull();
    expect(bed.core.hosts().hosts[0]).toMatchObject({ host: 'xen1', reachable: true });
  });

  it('a link that never says hello is closed after staleAfter, with a code the agent retries at its usual pace', async () => {
    const bed = coreBed();
    const { agent } = bed.connect('xen1');
    await bed.clock.advance(3_000);
    expect(agent.closed?.code).toBe(CLOSE.helloLate);
    expect(agent.of('error')[0]?.code).toBe('XH_ERR_TIMEOUT');
  });
});

describe('refusals: logged with a reason, answered with error, link closed, everyone else unaffected', () => {
  const refusalCases: Array<[string, (a: import('../fake-agent.js').FakeAgent) => void, string, number, RegExp]> = [
    ['hello for another host (xen1 token reporting as xen2)', (a) => a.hello({ host: 'xen2' }), 'XH_ERR_AUTH', CLOSE.policy, /^the token of xen1 was used to report as xen2: each host needs its own token: xenherd-controller enroll xen2$/],
    // the token is bound to one spelling; the fix is to enroll the name the agent reports
    ['hello as the same name in other case (xen1 token reporting as XEN1)', (a) => a.hello({ host: 'XEN1' }), 'XH_ERR_AUTH', CLOSE.policy, /^the token of xen1 was used to report as XEN1: a token reports as the name it was enrolled under, in the same case: enroll this host as its agent names itself \(xenherd-controller enroll XEN1\)/],
    ['another protocol version', (a) => a.sendRaw(JSON.stringify({ type: 'hello', protocol: 99, host: 'xen1' })), 'XH_ERR_PROTOCOL', CLOSE.protocol, new RegExp(`version 99.*version ${AGENT_LINK_PROTOCOL_VERSION}`)],
    ['not JSON', (a) => a.sendRaw('{"type":'), 'XH_ERR_PROTOCOL', CLOSE.protocol, /not JSON/],
    ['not in the schema', (a) => a.sendRaw(JSON.stringify({ type: 'hello', protocol: 1, host: 'xen1', bootId: 'b', agentVersion: '1', capabilities: [], extra: 1 })), 'XH_ERR_PROTOCOL', CLOSE.protocol, /not in the protocol/],
    ['a snapshot before hello', (a) => a.snapshot(hostState()), 'XH_ERR_PROTOCOL', CLOSE.protocol, /expected hello first/],
    ['a message above the size limit', (a) => a.sendRaw(JSON.stringify({ type: 'heartbeat', at: 1, pad: 'x'.repeat(70_000) })), 'XH_ERR_PROTOCOL', CLOSE.tooBig, /above the limit/],
  ];
  it.each(refusalCases)('%s', async (_what, act, code, closeCode, reason) => {
    const bed = coreBed();
    const other = await bed.online('xen9', hostState({ domains: [dom('z')] }));
    const { agent } = bed.connect('xen1');
    act(agent);
    await bed.clock.advance(0);
    expect(agent.of('error')).toEqual([{ type: 'error', code, message: expect.stringMatching(reason) }]);
    expect(agent.closed?.code).toBe(closeCode);
    const refused = bed.events('agent-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ host: 'xen1', code, reason: expect.stringMatching(reason) });
    other.agent.heartbeat();
    await bed.clock.advance(0);
    expect(other.agent.closed).toBeNull();
    expect(bed.core.hosts().hosts.map((h) => [h.host, h.reachable])).toEqual([['xen9', true]]);
  });

  it('a delta before the snapshot, and a seq going backwards', async () => {
    const bed = coreBed();
    const a = bed.connect('xen1').agent;
    a.hello();
    a.delta({ domains: [] });
    await bed.clock.advance(0);
    expect(a.of('error')[0]?.message).toMatch(/delta before the first snapshot/);
    const b = bed.connect('xen2').agent;
    b.hello();
    b.send({ type: 'snapshot', seq: 5, at: 1, state: hostState() });
    b.send({ type: 'delta', seq: 5, at: 1, state: { domains: [] } });
    await bed.clock.advance(0);
    expect(b.of('error')[0]?.message).toMatch(/seq 5 does not follow seq 5/);
  });
});
