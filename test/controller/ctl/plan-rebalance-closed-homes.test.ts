import { describe, expect, it } from 'vitest';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController } from './sim-fleet-behind-controller.js';

const fleet = simFleetBehindController();

// `xenherdctl plan rebalance` while a Dom0 is in maintenance: its domUs wait away from it, which a
// rebalance does not move. The plan says so under its table, as the rebalance job's ending does.
describe('plan rebalance with a home in maintenance', () => {
  it('prints the domUs away from it and the restore that brings them back; --json carries them as closedHomes', async () => {
    const { c } = await fleet();
    const ctl = ctlFor(c);
    expect((await ctl(['drain', 'xen1'])).code).toBe(0);
    const text = await ctl(['plan', 'rebalance']);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(
      /^rebalance: the fleet is balanced, nothing to move \(score \d\.\d{3}\)\naway from homes that take none now, which a rebalance does not move \(3\):\n {2}xen1 is in maintenance: 3 \(a1, a2, b1\), `xenherdctl restore xen1` brings them home\n$/,
    );
    const json = await ctl(['plan', 'rebalance', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'rebalance',
      closedHomes: [{ home: 'xen1', why: 'maintenance', names: ['a1', 'a2', 'b1'], message: 'xen1 is in maintenance: 3 (a1, a2, b1), `xenherdctl restore xen1` brings them home' }],
    });
    // back home: nothing more is said
    expect((await ctl(['restore', 'xen1'])).code).toBe(0);
    expect((await ctl(['plan', 'rebalance'])).stdout).toMatch(/^rebalance: the fleet is balanced, nothing to move \(score \d\.\d{3}\)\n$/);
  });
});
