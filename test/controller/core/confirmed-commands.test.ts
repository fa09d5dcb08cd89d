import { describe, expect, it } from 'vitest';
import { away, dom, hostState } from '../states.js';
import { coreBed, recordingSink } from './core-bed.js';

/** xen2 runs web01 (home xen1, away on xen2) and db1; xen1 runs nothing. */
const fleetOf = async () => {
  const bed = coreBed();
  const xen1 = await bed.online('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { web01: away('xen1', 'xen2') }, visitors: {} } }));
  const xen2 = await bed.online('xen2', hostState({ domains: [dom('web01'), dom('db1')] }));
  /** simulated seconds pass, both agents heartbeating */
  const pass = async (s: number): Promise<void> => {
    for (let t = 0; t < s; t++) {
      await bed.clock.advance(1_000);
      xen1.agent.heartbeat();
      xen2.agent.heartbeat();
    }
  };
  return { bed, xen1: xen1.agent, xen2: xen2.agent, pass };
};

describe("an operator's migrate or reverse is done when the reports show it, not on the agent's word alone", () => {
  it('migrate answered "ok" while nothing moved: XH_ERR_MIGRATION_UNKNOWN after the bounded wait, saying the reports do not show it', async () => {
    const { bed, xen2, pass } = await fleetOf();
    xen2.onCommand((c) => xen2.result(c.commandId, { ok: true, code: null, message: 'web01 migrated', detail: null }));
    const sink = recordingSink();
    expect(bed.core.command({ op: 'migrate', name: 'web01', target: 'xen1' }, { name: 'admin' }, sink).ok).toBe(true);
    await pass(29);
    expect(sink.outcome).toBeNull();
    expect(sink.lines).toEqual(["xen2's agent reports it done; waiting up to 30 s for the reports to show web01 on xen1"]);
    await pass(2);
    expect(sink.outcome).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN' });
    expect(sink.outcome?.message).toMatch(/^xen2's agent reported web01 moved to xen1 \(web01 migrated\), but the reports do not show it within 30 s/);
  });

  it('migrate with the target picked by the agent: confirmed by whichever other host reports it', async () => {
    const { bed, xen1, xen2, pass } = await fleetOf();
    xen2.onCommand((c) => xen2.result(c.commandId, { ok: true, code: null, message: 'web01 migrated', detail: null }));
    const sink = recordingSink();
    bed.core.command({ op: 'migrate', name: 'web01', target: null }, { name: 'admin' }, sink);
    await pass(3);
    expect(sink.outcome).toBeNull();
    // the reports follow a little later (a heartbeat or two): then the agent's outcome, as it was
    xen2.delta({ domains: [dom('db1')] });
    xen1.delta({ domains: [dom('web01')] });
    await bed.clock.advance(0);
    expect(sink.outcome).toEqual({ ok: true, code: null, message: 'web01 migrated', detail: null });
  });

  it('reverse answered "ok" while it still runs away from home: XH_ERR_MIGRATION_UNKNOWN', async () => {
    const { bed, xen1, pass } = await fleetOf();
    xen1.onCommand((c) => xen1.result(c.commandId, { ok: true, code: null, message: 'web01 is home', detail: null }));
    const sink = recordingSink();
    bed.core.command({ op: 'reverse', name: 'web01' }, { name: 'admin' }, sink);
    await pass(31);
    expect(sink.outcome).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', message: expect.stringMatching(/^xen1's agent reported web01 moved to xen1/) });
  });

  it('a failure is passed on at once: there is nothing to confirm', async () => {
    const { bed, xen2 } = await fleetOf();
    xen2.onCommand((c) => xen2.result(c.commandId, { ok: false, code: 'XH_ERR_MIGRATION_FAILED', message: 'resuming at sender', detail: null }));
    const sink = recordingSink();
    bed.core.command({ op: 'migrate', name: 'web01', target: 'xen1' }, { name: 'admin' }, sink);
    await bed.clock.advance(0);
    expect(sink.outcome).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_FAILED' });
  });
});
