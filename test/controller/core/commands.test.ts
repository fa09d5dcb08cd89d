import { describe, expect, it } from 'vitest';
import { away, dom, guarded, hostState } from '../states.js';
import { coreBed, recordingSink } from './core-bed.js';

const fleetOf = async () => {
  const bed = coreBed();
  const xen1 = await bed.online('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { web01: away('xen1', 'xen2') }, visitors: {} } }));
  const xen2 = await bed.online('xen2', hostState({ domains: [dom('web01'), dom('db1')] }));
  return { bed, xen1: xen1.agent, xen2: xen2.agent, pair1: xen1.pair, pair2: xen2.pair };
};

describe('command routing', () => {
  it('migrate goes to the host running NAME, with ids; progress and the result stream back', async () => {
    const { bed, xen1, xen2 } = await fleetOf();
    xen2.onCommand((c) => {
      xen2.progress(c.commandId, 'migrating web01 from xen2 to xen1');
      // as real agents do: both report the move, so the controller's reports confirm the agent's "ok"
      xen2.delta({ domains: [dom('db1')] });
      xen1.delta({ domains: [dom('web01')] });
      xen2.result(c.commandId, { ok: true, code: null, message: 'web01 migrated', detail: null });
    });
    const sink = recordingSink();
    const started = bed.core.command({ op: 'migrate', name: 'web01', target: 'xen1' }, { name: 'admin' }, sink);
    expect(started).toEqual({ ok: true, value: { commandId: 'cmd-id1', operationId: 'id1', host: 'xen2' } });
    await bed.clock.advance(0);
    expect(xen2.of('command')).toEqual([{ type: 'command', commandId: 'cmd-id1', op: 'migrate', name: 'web01', target: 'xen1', reason: 'manual', operationId: 'id1', by: 'ctl:admin' }]);
    expect(sink.lines).toEqual(['migrating web01 from xen2 to xen1']);
    expect(sink.outcome).toEqual({ ok: true, code: null, message: 'web01 migrated', detail: null });
  });

  it("reverse goes to NAME's home, and a failure keeps the agent's code", async () => {
    const { bed, xen1 } = await fleetOf();
    xen1.onCommand((c) => xen1.result(c.commandId, { ok: false, code: 'XH_ERR_PEER_UNREACHABLE', message: 'xen2 did not answer over ssh', detail: null }));
    const sink = recordingSink();
    expect(bed.core.command({ op: 'reverse', name: 'web01' }, { name: 'admin' }, sink)).toMatchObject({ ok: true, value: { host: 'xen1' } });
    await bed.clock.advance(0);
    expect(xen1.of('command')[0]).toMatchObject({ op: 'reverse', name: 'web01' });
    expect(sink.outcome).toMatchObject({ ok: false, code: 'XH_ERR_PEER_UNREACHABLE' });
  });

  it("the agent's link dropping mid-command is an error, never a success", async () => {
    const { bed, xen2, pair2 } = await fleetOf();
    xen2.onCommand((c) => xen2.progress(c.commandId, 'started'));
    const sink = recordingSink();
    bed.core.command({ op: 'migrate', name: 'web01', target: 'xen1' }, { name: 'admin' }, sink);
    await bed.clock.advance(0);
    expect(sink.lines).toEqual(['started']);
    pair2.drop();
    await bed.clock.advance(0);
    expect(sink.outcome).toMatchObject({ ok: false, code: 'XH_ERR_AGENT_LINK_LOST', message: expect.stringMatching(/outcome is unknown/) });
    // a late result (on the dead link: it goes nowhere) changes nothing
    xen2.result('cmd-id1', { ok: true, code: null, message: 'late', detail: null });
    await bed.clock.advance(0);
    expect(sink.outcome?.ok).toBe(false);
  });

  it('a command without a result within its deadline ends with XH_ERR_TIMEOUT', async () => {
    const { bed, xen2 } = await fleetOf();
    const sink = recordingSink();
    bed.core.command({ op: 'migrate', name: 'web01', target: 'xen1' }, { name: 'admin' }, sink);
    for (let t = 0; t < 60; t++) {
      await bed.clock.advance(1_000);
      xen2.heartbeat();
    }
    await bed.clock.advance(0);
    expect(sink.outcome).toMatchObject({ ok: false, code: 'XH_ERR_TIMEOUT' });
  });

  it('refused before anything is sent: unknown name, host unreachable, no home, already home, mid-migration, missing capability', async () => {
    const { bed, pair1 } = await fleetOf();
    const run = (req: Parameters<typeof bed.core.command>[0]) => {
      const r = bed.core.command(req, { name: 'admin' }, recordingSink());
      return r.ok ? 'sent' : r.error.code;
    };
    expect(run({ op: 'migrate', name: 'nope', target: null })).toBe('XH_ERR_NOT_FOUND');
    expect(run({ op: 'reverse', name: 'db1' })).toBe('XH_ERR_NOT_FOUND');
    expect(run({ op: 'migrate', name: 'db1', target: 'xen2' })).toBe('XH_ERR_REFUSED');
    pair1.drop();
    await bed.clock.advance(0);
    expect(run({ op: 'reverse', name: 'web01' })).toBe('XH_ERR_AGENT_UNREACHABLE');
    // nor a migrate onto the silent Dom0: it would run, and its arrival could not be confirmed (exit 83 for a move that worked)
    const onto = (target: string | null) => {
      const r = bed.core.command({ op: 'migrate', name: 'web01', target }, { name: 'admin' }, recordingSink());
      return r.ok ? 'sent' : `${r.error.code}: ${r.error.message}`;
    };
    expect(onto('xen1')).toBe('XH_ERR_AGENT_UNREACHABLE: the agent of xen1 is not connected to the controller (or silent), so the move could not be confirmed: nothing was sent; retry once `xenherdctl hosts` shows it reachable');
    expect(onto(null)).toMatch(/^XH_ERR_AGENT_UNREACHABLE: the agent of xen1 \(web01's DRBD peer, where it would go\) is not connected/);
    // the Dom0 running it silent: "retry" alone, while that Dom0 may be dead and what it ran down with it
    const { bed: bed2, pair2 } = await fleetOf();
    pair2.drop();
    await bed2.clock.advance(0);
    const off = bed2.core.command({ op: 'migrate', name: 'db1', target: 'xen1' }, { name: 'admin' }, recordingSink());
    expect(off.ok ? 'sent' : `${off.error.code}: ${off.error.message}`).toBe(
      'XH_ERR_AGENT_UNREACHABLE: the agent of xen2 is not connected to the controller (or silent): nothing was sent; retry once `xenherdctl hosts` shows it reachable; ' +
        'if xen2 itself is down, what it ran is down with it: README, section "A Dom0 died with its own domUs on it"',
    );

    const m = await bed.online('xen3', hostState({ domains: [dom('mid', { migration: 'migratedaway' })], homes: [{ name: 'home3', peer: null, source: 'migrate-tab' }] }));
    expect(run({ op: 'migrate', name: 'mid', target: 'xen1' })).toBe('XH_ERR_REFUSED');
    m.agent.delta({ domains: [dom('home3')] });
    await bed.clock.advance(0);
    expect(run({ op: 'reverse', name: 'home3' })).toBe('XH_ERR_REFUSED');

    const old = bed.connect('xen4').agent;
    old.hello({ capabilities: [] });
    old.snapshot(hostState({ domains: [dom('legacy')] }));
    await bed.clock.advance(0);
    expect(run({ op: 'migrate', name: 'legacy', target: null })).toBe('XH_ERR_REFUSED');
  });
});

describe('the fleet view sent to agents (for guarded autostart)', () => {
  it('each agent hears where its guarded domUs run: after its snapshot, on change, and every heartbeat', async () => {
    const bed = coreBed();
    const xen2 = (await bed.online('xen2', hostState({ guarded: [guarded('web01')] }))).agent;
    await bed.clock.advance(100);
    expect(xen2.lastFleet()?.runningOn).toEqual({ web01: [] });
    const xen1 = (await bed.online('xen1', hostState({ domains: [dom('web01')], guarded: [guarded('web01')] }))).agent;
    await bed.clock.advance(100);
    expect(xen2.lastFleet()?.runningOn).toEqual({ web01: ['xen1'] });
    expect(xen1.lastFleet()?.runningOn).toEqual({ web01: ['xen1'] });
    xen1.delta({ domains: [dom('web01', { migration: 'migratedaway' })] });
    await bed.clock.advance(100);
    expect(xen2.lastFleet()?.runningOn).toEqual({ web01: ['xen1'] });
    const count = xen2.of('fleet').length;
    await bed.clock.advance(1_000);
    expect(xen2.of('fleet').length).toBeGreaterThan(count);
    // only what it guards or is home of: nothing about others' domUs
    expect(Object.keys(xen2.lastFleet()?.runningOn ?? {})).toEqual(['web01']);
  });
});

describe('alerts', () => {
  it('raised and cleared in the log (structured), listed first by status', async () => {
    const bed = coreBed();
    await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    const xen2 = (await bed.online('xen2', hostState({ domains: [dom('web01')] }))).agent;
    await bed.clock.advance(300);
    expect(bed.events('alert-raised')).toEqual([expect.objectContaining({ alert: 'running-on-two-hosts:web01', kind: 'running-on-two-hosts', subject: 'web01', hosts: ['xen1', 'xen2'], level: 40 })]);
    const status = bed.core.status();
    expect(status.alerts.map((a) => a.id)).toEqual(['running-on-two-hosts:web01']);
    expect(status.summary.alerts).toBe(1);
    expect(bed.core.where('web01')).toMatchObject({ ok: true, value: { matches: [{ alerts: ['running-on-two-hosts:web01'] }] } });
    xen2.delta({ domains: [] });
    // the look that clears it begins no sooner than alertScanEveryMs (1 s) after the one that raised it ended
    await bed.clock.advance(1_000);
    expect(bed.events('alert-cleared').map((l) => l['alert'])).toEqual(['running-on-two-hosts:web01']);
    expect(bed.core.status().alerts).toEqual([]);
  });
});

describe('manual migrations respect maintenance', () => {
  it('a migrate onto a host that is draining or in maintenance is refused before anything is sent', async () => {
    const bed = coreBed();
    await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    await bed.online('xen2', hostState({ maintenance: { state: 'maintenance', operationId: 'op-7', owner: 'ctl' } }));
    const r = bed.core.command({ op: 'migrate', name: 'web01', target: 'xen2' }, { name: 'admin' }, recordingSink());
    expect(r).toEqual({ ok: false, error: { code: 'XH_ERR_REFUSED', message: 'xen2 is in maintenance (operation op-7): nothing is migrated onto it until it is online' } });
  });

  it('a reverse onto a home that is draining or in maintenance is refused too: a restore brings its domUs home', async () => {
    for (const state of ['draining', 'maintenance'] as const) {
      const bed = coreBed();
      await bed.online('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { web01: away('xen1', 'xen2') }, visitors: {} }, maintenance: { state, operationId: 'op-7', owner: 'ctl' } }));
      const xen2 = await bed.online('xen2', hostState({ domains: [dom('web01')] }));
      const r = bed.core.command({ op: 'reverse', name: 'web01' }, { name: 'admin' }, recordingSink());
      expect(r).toEqual({ ok: false, error: { code: 'XH_ERR_REFUSED', message: `xen1 is ${state === 'draining' ? 'draining' : 'in maintenance'} (operation op-7): nothing is migrated onto it until it is online; \`xenherdctl restore xen1\` brings its domUs home` } });
      await bed.clock.advance(0);
      expect(xen2.agent.of('command')).toEqual([]);
    }
  });
});

describe('a migrate target no agent reports as', () => {
  it('is refused before anything is sent, naming the host it differs from only in case', async () => {
    const bed = coreBed();
    const xen1 = await bed.online('xen1', hostState({ domains: [dom('web01')] }));
    await bed.online('xen2', hostState());
    const run = (target: string) => bed.core.command({ op: 'migrate', name: 'web01', target }, { name: 'admin' }, recordingSink());
    expect(run('XEN2')).toEqual({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: 'no agent of a host named XEN2 has reported to this controller (host names are spelled as their agents report them: xen2, not XEN2): nothing was sent' } });
    expect(run('xen9')).toEqual({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: 'no agent of a host named xen9 has reported to this controller: nothing was sent' } });
    await bed.clock.advance(0);
    expect(xen1.agent.of('command')).toEqual([]);
  });
});
