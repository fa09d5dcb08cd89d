import { describe, expect, it } from 'vitest';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController } from './sim-fleet-behind-controller.js';

const fleet = simFleetBehindController();

const stamped = /^\d\d:\d\d:\d\d /gm;

describe('rebalance --apply with nothing to move', () => {
  it('says "the fleet is balanced" once, exit 0', async () => {
    const { c } = await fleet();
    const ctl = ctlFor(c);
    const r = await ctl(['rebalance', '--apply']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.replace(stamped, '')).toMatch(/^rebalance: job job-t\d+\nrebalance: the fleet is balanced, nothing to move \(score \d\.\d{3}\)\n$/);
  });

  it('names each domU staying away once, then the code (exit 1)', async () => {
    const { c } = await fleet();
    const ctl = ctlFor(c);
    expect((await ctl(['drain', 'xen1'])).code).toBe(0);
    expect((await ctl(['maintenance', 'xen1', 'off'])).code).toBe(0);
    const r = await ctl(['rebalance', '--apply']);
    expect(r).toMatchObject({ code: 1, stderr: '' });
    const lines = r.stdout.replace(stamped, '').split('\n');
    expect(lines.slice(1, 3)).toEqual([expect.stringMatching(/^rebalance: nothing to move now \(score \d\.\d{3}\)$/), 'stay away from home (3):']);
    for (const name of ['a1', 'a2', 'b1']) expect(lines.filter((l) => l.includes(`xenherdctl reverse ${name}`))).toHaveLength(1);
    expect(lines.slice(-2)).toEqual(['XH_ERR_REFUSED: nothing moved; the 3 domU(s) above stay away from home', '']);
  });
});
