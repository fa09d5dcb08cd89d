import { describe, expect, it } from 'vitest';
import { away, dom, guarded, hostState } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// `for d in $list; do xenherdctl reverse $d; done` after maintenance: a domU already home is done
// (as restore exits 0 when every domU of its host is home), not refused; what is not home stays an error.
const bed = controllerBed();

const FIVE_MIN_AGO = (): string => new Date(Date.now() - 5 * 60_000).toISOString();

/** xen1 runs web01, its guarded home; it is the home of mail1, away on xen2 by its ledger; xen2 runs db1, nobody's. */
async function fleet(c: TestController) {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(
    hostState({
      domains: [dom('web01')],
      homes: [
        { name: 'web01', peer: 'xen2', source: 'guarded' },
        { name: 'mail1', peer: 'xen2', source: 'migrate-tab' },
      ],
      guarded: [guarded('web01', [], { since: FIVE_MIN_AGO() })],
      ledger: { seq: 1, away: { mail1: away('xen1', 'xen2') }, visitors: {} },
    }),
  );
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('db1')] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both hosts reported', { limitMs: 10_000 });
  return { xen1, xen2 };
}

describe('xenherdctl reverse of a domU already home', () => {
  it('exits 0 saying it is home and since when its agent has seen it running there; nothing is sent', async () => {
    const c = await bed.start();
    const { xen1 } = await fleet(c);
    const ctl = ctlFor(c);
    const r = await ctl(['reverse', 'web01']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^web01 already runs on its home xen1 \(its agent has seen it running there since [-\d: ]+, 5 min ago\): nothing to reverse\n$/);
    const j = await ctl(['reverse', '--json', 'web01']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({ type: 'result', ok: true, code: null, message: expect.stringMatching(/^web01 already runs on its home xen1 /), detail: null });
    expect(xen1.of('command')).toEqual([]);
  });

  it('a domU no Dom0 claims as its home is still not found (1)', async () => {
    const c = await bed.start();
    await fleet(c);
    const r = await ctlFor(c)(['reverse', 'db1']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'xenherdctl: XH_ERR_NOT_FOUND: no Dom0 claims db1 as its home and no ledger records it\n' });
  });

  it("one running nowhere keeps the home agent's refusal (77)", async () => {
    const c = await bed.start();
    const { xen1 } = await fleet(c);
    xen1.onCommand((cmd) => xen1.result(cmd.commandId, { ok: false, code: 'XH_ERR_REFUSED', message: 'mail1 does not run on xen2: nothing to reverse', detail: null }));
    const r = await ctlFor(c)(['reverse', 'mail1']);
    expect(r.code).toBe(77);
    expect(r.stderr).toBe('xenherdctl: XH_ERR_REFUSED: mail1 does not run on xen2: nothing to reverse\n');
    expect(xen1.of('command')).toEqual([expect.objectContaining({ op: 'reverse', name: 'mail1' })]);
  });

  it('home, but also running on another Dom0, or its home no longer heard: not vouched for, still refused (77)', async () => {
    const c = await bed.start();
    const { xen1, xen2 } = await fleet(c);
    const ctl = ctlFor(c);
    xen2.delta({ domains: [dom('db1'), dom('web01')] });
    await until(() => JSON.stringify(c.core.where('web01')).includes('"xen2"'), 'web01 seen on xen2 too', { limitMs: 10_000 });
    const two = await ctl(['reverse', 'web01']);
    // it says the other copy, and where the way out is: "already home" alone read as nothing amiss
    expect([two.code, two.stdout, two.stderr]).toEqual([77, '', 'xenherdctl: XH_ERR_REFUSED: web01 runs on its home xen1 and also on xen2: nothing to reverse, but two copies run: settle that first (xenherdctl status, and "DRBD split brain" in the README)\n']);
    xen2.delta({ domains: [dom('db1')] });
    xen1.link.close(1000, 'gone');
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && !h.linkUp) && !JSON.stringify(c.core.where('web01')).includes('"xen2"'), 'xen1 down, web01 gone from xen2', { limitMs: 10_000 });
    const stale = await ctl(['reverse', 'web01']);
    expect([stale.code, stale.stdout]).toEqual([77, '']);
    expect(stale.stderr).toMatch(/XH_ERR_REFUSED: web01 already runs on its home xen1: nothing to reverse/);
  });
});
