import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { dom, hostState } from '../states.js';
import { startupGraceMs } from '../../../controller/fleet/enrolment.js';
import { coreBed, SETTINGS, T0 } from './core-bed.js';
import { notKnownYet } from '../../../controller/ctl/not-known-yet.js';

/** the start-up grace at the bed's staleAfter (3 s) for a few Dom0s: 94.5 s, their reconnect spread (1.5 s), longest retry wait and staleAfter */
const GRACE = startupGraceMs(3_000, 3);

/** The enrolled hosts as serve hands them over: a new set is a change of tokens.json. */
function tokens(...hosts: string[]): { enrolled: () => ReadonlySet<string>; set: (...h: string[]) => void } {
  let now: ReadonlySet<string> = new Set(hosts);
  return { enrolled: () => now, set: (...h) => void (now = new Set(h)) };
}

const whereOf = (bed: ReturnType<typeof coreBed>, p: string) => {
  const r = bed.core.where(p);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

/** Time passes with the agents of AGENTS heard every second (they stay reachable). */
async function pass(bed: ReturnType<typeof coreBed>, ms: number, agents: ReadonlyArray<{ heartbeat(): void }>): Promise<void> {
  for (let t = 0; t < ms; t += 1_000) {
    await bed.clock.advance(Math.min(1_000, ms - t));
    for (const a of agents) a.heartbeat();
  }
  await bed.clock.advance(0);
}

describe('enrolled hosts (tokens.json) the controller has not heard from since it started', () => {
  it('hosts lists an enrolled host never heard from, unreported, with when the controller started', async () => {
    const t = tokens('xen1', 'db1');
    const bed = coreBed(SETTINGS, t.enrolled);
    await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    const a = bed.core.hosts();
    expect(a.startedAt).toBe(T0);
    expect(a.hosts.map((h) => [h.host, h.reported, h.reachable, h.lastSeen])).toEqual([
      ['db1', false, false, null],
      ['xen1', true, true, T0],
    ]);
    // its domains are not "none": it has not reported them
    expect(bed.core.domains('db1')).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: 'no agent of a host named db1 has reported to this controller' } });
  });

  it('check: within the start-up grace one WARNING for the silent ones (not OK); after it each is CRITICAL', async () => {
    const t = tokens('xen1', 'db1', 'db2');
    const bed = coreBed(SETTINGS, t.enrolled);
    const { agent } = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    await pass(bed, 2_000, [agent]);
    const early = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(early.status).toBe('WARNING');
    expect(early.details).toEqual([{ status: 'WARNING', kind: 'hosts-not-reported', subject: '2 of 3 enrolled Dom0s', text: 'the controller started 2 s ago; 2 of 3 enrolled Dom0s have not reported yet: the view is incomplete' }]);
    // a minute later agents may still wait to try again (a controller upgrade that took a minute)
    await pass(bed, GRACE - 3_000, [agent]);
    expect(bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).status).toBe('WARNING');
    await pass(bed, 2_000, [agent]);
    const late = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(late.status).toBe('CRITICAL');
    expect(late.summary).toBe('db1 unreachable, db2 unreachable');
    expect(late.details).toEqual([
      { status: 'CRITICAL', kind: 'host-unreachable', subject: 'db1', text: 'db1: agent unreachable (not heard from since the controller started 96 s ago; enrolled; its maintenance state is unknown until it reports): check that db1 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent' },
      { status: 'CRITICAL', kind: 'host-unreachable', subject: 'db2', text: 'db2: agent unreachable (not heard from since the controller started 96 s ago; enrolled; its maintenance state is unknown until it reports): check that db2 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent' },
    ]);
    expect(late.perfdata.find((p) => p.label === 'hosts_unreachable')?.value).toBe(2);
  });

  it('check with no host heard from: UNKNOWN within the grace, CRITICAL after it (a fleet all silent is no unknown)', async () => {
    const bed = coreBed(SETTINGS, tokens('db1').enrolled);
    const early = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(early).toMatchObject({ status: 'UNKNOWN', summary: 'no Dom0 has reported to this controller yet (it started 0 s ago; 1 Dom0 enrolled)' });
    await bed.clock.advance(GRACE - 1);
    expect(bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).toMatchObject({ status: 'UNKNOWN' });
    await bed.clock.advance(1);
    expect(bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).toMatchObject({ status: 'CRITICAL', summary: 'db1 unreachable' });
    // with no tokens at all, nothing is known: UNKNOWN as ever
    const bare = coreBed(SETTINGS, tokens().enrolled);
    await bare.clock.advance(60_000);
    expect(bare.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).toMatchObject({ status: 'UNKNOWN', summary: 'no Dom0 has reported to this controller yet' });
  });

  it('where: a domU running nowhere the controller hears from is stale while an enrolled host has not reported, and names it', async () => {
    const bed = coreBed(SETTINGS, tokens('xen1', 'db1').enrolled);
    await bed.online('xen1', hostState({ domains: [dom('web01')], homes: [{ name: 'web1', peer: 'db1', source: 'migrate-tab' }] }));
    const nowhere = whereOf(bed, 'web1');
    expect(nowhere.unreported).toEqual(['db1']);
    expect(nowhere.matches.map((m) => [m.name, m.places.length, m.reachable])).toEqual([['web1', 0, false]]);
    // one found running on a host heard from is vouched for as before
    expect(whereOf(bed, 'web01').matches.map((m) => m.reachable)).toEqual([true]);
    // once db1 reports, the answer is whole again
    await bed.online('db1', hostState({ domains: [] }));
    const whole = whereOf(bed, 'web1');
    expect(whole.unreported).toBeUndefined();
    expect(whole.matches.map((m) => m.reachable)).toEqual([true]);
  });

  it("where: within the start-up grace the answer says the controller is starting (when, how many enrolled), so a name not found reads as not known yet; past it, or once all reported, not", async () => {
    const bed = coreBed(SETTINGS, tokens('xen1', 'db1', 'db2').enrolled);
    const xen1 = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    await bed.clock.advance(12_000);
    xen1.agent.heartbeat();
    const early = whereOf(bed, 'web1');
    expect(early).toMatchObject({ matches: [], unreported: ['db1', 'db2'], starting: { startedAt: T0, enrolled: 3 } });
    const said = notKnownYet('no domU matches web1 on the Dom0s heard so far', early);
    expect(said).toEqual({
      code: 'XH_ERR_AGENT_UNREACHABLE',
      message: 'no domU matches web1 on the Dom0s heard so far: not known yet, 2 of 3 enrolled Dom0s not reported yet since the controller started 12 s ago (db1, db2), and one of them may run it: try again',
    });
    // every enrolled Dom0 heard: no grace to speak of
    await bed.online('db1', hostState({ domains: [] }));
    await bed.online('db2', hostState({ domains: [] }));
    expect(whereOf(bed, 'web1').starting).toBeUndefined();
    // a second core: the grace runs out with db2 still silent, and then it is not found (1) as ever
    const late = coreBed(SETTINGS, tokens('xen1', 'db1', 'db2').enrolled);
    const x = await late.online('xen1', hostState({ domains: [dom('web01')] }));
    const d = await late.online('db1', hostState({ domains: [] }));
    await pass(late, GRACE - 1_000, [x.agent, d.agent]);
    expect(whereOf(late, 'web1').starting).toMatchObject({ enrolled: 3 });
    await pass(late, 1_000, [x.agent, d.agent]);
    const after = whereOf(late, 'web1');
    expect(after).toMatchObject({ unreported: ['db2'] });
    expect(after.starting).toBeUndefined();
    expect(notKnownYet('no domU matches web1', after)).toBeNull();
  });

  it('a placeholder host is no route: a maintenance job on it is refused as a host that never reported, nothing sent', async () => {
    const bed = coreBed(SETTINGS, tokens('xen1', 'db1').enrolled);
    const { agent } = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    const events: Array<{ type: string }> = [];
    const started = bed.core.hub.start({ kind: 'maintenance', host: 'db1', on: true }, 'admin', (e) => void events.push(e));
    await pass(bed, 5_000, [agent]);
    const end = started.ok ? events.find((e) => e.type === 'end') : null;
    const refusal = started.ok ? end : started.error;
    // as for a host that never reported: a placeholder is no report
    expect(refusal).toMatchObject({ code: 'XH_ERR_NOT_FOUND', message: 'no agent of a host named db1 has reported to this controller' });
    expect(agent.of('command')).toEqual([]);
  });
});

describe('a Dom0 no longer enrolled is forgotten once its link is down', () => {
  it('its last report goes: no "running on two hosts", its domUs no longer counted; logged once', async () => {
    const t = tokens('xen1', 'db1');
    const bed = coreBed(SETTINGS, t.enrolled);
    const { agent } = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    const db1 = await bed.online('db1', hostState({ domains: [dom('web01'), dom('db01')], homes: [{ name: 'db01', peer: null, source: 'migrate-tab' }] }));
    db1.pair.drop();
    await pass(bed, 5_000, [agent]);
    expect(bed.core.status().alerts.map((a) => a.kind)).toEqual(['running-on-two-hosts']);
    expect(bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).status).toBe('CRITICAL');
    t.set('xen1');
    await pass(bed, 1_000, [agent]);
    expect(bed.core.hosts().hosts.map((h) => h.host)).toEqual(['xen1']);
    expect(whereOf(bed, 'db01').matches).toEqual([]);
    expect(whereOf(bed, 'web01').matches[0]?.places.map((p) => p.host)).toEqual(['xen1']);
    const check = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(check.status).toBe('OK');
    expect(check.perfdata.find((p) => p.label === 'domus_running')?.value).toBe(1);
    await pass(bed, 3_000, [agent]);
    expect(bed.events('host-forgotten').map((l) => [l['host'], l['msg']])).toEqual([['db1', 'db1 is no longer enrolled and not connected: forgotten']]);
  });

  it('a host still connected stays until its link closes; a rotated token (same host, new id) forgets nothing', async () => {
    const t = tokens('xen1', 'db1');
    const bed = coreBed(SETTINGS, t.enrolled);
    const { agent } = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    const db1 = await bed.online('db1', hostState({ domains: [dom('db01')] }));
    t.set('xen1', 'db1'); // tokens.json rewritten, the same hosts enrolled
    await pass(bed, 1_000, [agent, db1.agent]);
    t.set('xen1');
    await pass(bed, 2_000, [agent, db1.agent]);
    expect(bed.core.hosts().hosts.map((h) => h.host)).toEqual(['db1', 'xen1']);
    expect(bed.events('host-forgotten')).toEqual([]);
    db1.pair.drop();
    await pass(bed, 1_000, [agent]);
    expect(bed.core.hosts().hosts.map((h) => h.host)).toEqual(['xen1']);
    expect(bed.events('host-forgotten')).toHaveLength(1);
  });

  it('an enrolled host that never reported and is removed from tokens.json goes from hosts and check', async () => {
    const t = tokens('xen1', 'db1');
    const bed = coreBed(SETTINGS, t.enrolled);
    const { agent } = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    await pass(bed, GRACE + 2_000, [agent]);
    expect(bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).status).toBe('CRITICAL');
    t.set('xen1');
    expect(bed.core.hosts().hosts.map((h) => h.host)).toEqual(['xen1']);
    expect(bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).status).toBe('OK');
    expect(whereOf(bed, 'nothing').unreported).toBeUndefined();
  });
});
