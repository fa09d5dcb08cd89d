import { describe, expect, it } from 'vitest';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController, THREE_DOM0S } from './sim-fleet-behind-controller.js';
import { until } from '../../helpers/until.js';

const fleet = simFleetBehindController();

describe('the controller stopping (a restart, an upgrade) while xenherdctl follows its drain', () => {
  it("the stream's last line says the drain was cut by that stop and to run the same command again, not an ALARM; exit 87", async () => {
    // slow enough that the first migration is still running when the controller stops
    const { c, sims } = await fleet({ ...THREE_DOM0S, bandwidthMiBps: 200 });
    const ctl = ctlFor(c);
    const run = ctl(['drain', 'xen1']);
    await until(() => sims.host('xen1').commands.some((x) => x.op === 'migrate'), 'the first migration', { limitMs: 10_000 });
    // what serve does on SIGTERM
    await c.stop();
    const r = await run;
    expect(r.code).toBe(87);
    expect(r.stdout).not.toMatch(/ALARM/);
    expect(r.stdout).toMatch(/: left to its agent xen1 → xen\d after /);
    expect(r.stdout).toMatch(/XH_ERR_CONTROLLER_UNREACHABLE: the drain was cut by the controller stopping \(a restart or an upgrade of xenherd-controller\), not by anything going wrong: run the same command again \(`xenherdctl drain xen1`\); once this controller is back it continues the same operation \(\S+\) where it stopped; should this controller stay down, a standby controller the Dom0s then report to continues the same operation \(\S+\) where it stopped once this controller's hold on them lapses \(\d+ s;/);
    // the end line came: not the guess xenherdctl makes of a stream that closed with none
    expect(r.stderr).not.toMatch(/closed before the drain ended/);
  });
});
