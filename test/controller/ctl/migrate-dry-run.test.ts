import { describe, expect, it } from 'vitest';
import type { SimSpec } from '../jobs/sim-fleet.js';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController } from './sim-fleet-behind-controller.js';
import { until } from '../../helpers/until.js';

// `xenherdctl migrate NAME HOST --dry-run`: refused by the controller as the command would be, by
// the same checks, or told where it would go; nothing reaches an agent either way.
const PAIR: SimSpec = {
  hosts: [{ name: 'xen1' }, { name: 'xen2' }],
  domus: [{ name: 'a1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 }],
  bandwidthMiBps: 20_000,
};
const fleet = simFleetBehindController();

describe('xenherdctl migrate --dry-run', () => {
  it("refuses a move to an older Xen release or the other toolstack as migrate does (77); else names the Dom0 that would run it; nothing is sent", async () => {
    const { c, sims } = await fleet(PAIR);
    const ctl = ctlFor(c);
    const [xen1, xen2] = [sims.host('xen1'), sims.host('xen2')];
    const report = async (minor: number, toolstack: 'xl' | 'xm'): Promise<void> => {
      xen1.xen = { major: 4, minor: 17, version: '4.17.5' };
      xen1.reportTools();
      xen2.xen = { major: 4, minor, version: `4.${minor}.4` };
      xen2.toolstack = toolstack;
      xen2.reportTools();
      await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen2' && h.xen?.minor === minor && h.toolstack === toolstack), "xen2's tools reported", { limitMs: 10_000 });
    };

    await report(11, 'xl');
    const older = await ctl(['migrate', 'a1', 'xen2', '--dry-run']);
    expect([older.code, older.stdout]).toEqual([77, '']);
    expect(older.stderr).toContain('a1 runs on xen1 (Xen 4.17.5) and xen2 runs Xen 4.11.4, an older release: a live migration goes to the same Xen release or a newer one');
    // the real command's words, the same checks
    expect((await ctl(['migrate', 'a1', 'xen2'])).stderr).toBe(older.stderr);

    await report(17, 'xm');
    const other = await ctl(['migrate', 'a1', 'xen2', '--dry-run']);
    expect(other.code).toBe(77);
    expect(other.stderr).toContain('a1 runs on xen1 (xl) and xen2 runs xm: a live migration stays within one toolstack');

    await report(17, 'xl');
    const passes = await ctl(['migrate', 'a1', 'xen2', '--dry-run']);
    expect([passes.code, passes.stderr]).toEqual([0, '']);
    // it read "would send it to the agent of xen1 to xen2 ... `xenherd-agent migrate a1 xen2 --dry-run` on xen1 shows", a sentence with no end
    expect(passes.stdout).toBe("migrate a1 to xen2: the controller's checks pass; it would send the command to the agent of xen1, which runs a1; nothing was sent. What that agent checks itself (the DRBD pair, the target's free memory, its sshd and key): `xenherd-agent migrate a1 xen2 --dry-run` on xen1.\n");
    const json = await ctl(['migrate', 'a1', 'xen2', '--dry-run', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'result', ok: true, code: null });

    expect([xen1.commands, xen2.commands]).toEqual([[], []]);
    expect(sims.where('a1')).toEqual(['xen1']);
  });
});
