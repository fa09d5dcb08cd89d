import { describe, expect, it } from 'vitest';
import { dom, hostState } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor, skippingClock } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// `xenherdctl migrate` when the source's agent restarts mid-move: the controller can only say 91
// (the outcome is unknown to it), but the move goes on between the Dom0s. xenherdctl follows
// `where` until the domU has an ending and says it, rather than leaving the operator to poll.
const bed = controllerBed();

const homes = [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' as const }];

async function twoHosts(c: TestController) {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(hostState({ domains: [dom('web01')], homes }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both reported', { limitMs: 10_000 });
  return { xen1, xen2 };
}

/** xen1's agent takes the migrate, then its link drops as at a restart; resolves once the controller has seen it go. */
function restartsMidMove(c: TestController, xen1: Awaited<ReturnType<typeof twoHosts>>['xen1']): Promise<void> {
  return new Promise((resolve) => {
    xen1.onCommand((cmd) => {
      xen1.progress(cmd.commandId, 'migrating web01 from xen1 to xen2');
      xen1.link.close(1001, 'agent stopping');
      until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && !h.linkUp), 'xen1 gone', { limitMs: 10_000 }).then(resolve, () => undefined);
    });
  });
}

/** `xenherdctl migrate web01 xen2` (its follow on a clock whose sleeps pass at once), once xen1's link has dropped under it. */
async function migrateCutMidMove() {
  const c = await bed.start();
  const hosts = await twoHosts(c);
  const gone = restartsMidMove(c, hosts.xen1);
  const run = ctlFor(c, undefined, { clock: skippingClock() })(['migrate', 'web01', 'xen2']);
  await gone;
  return { c, ...hosts, run };
}

describe('xenherdctl migrate after the agent link dropped mid-move (91)', () => {
  it('the move finished without the agent: says where the domU runs now and exits 0', async () => {
    const { c, xen2, run } = await migrateCutMidMove();
    // the migration ends between the Dom0s; the restarted agent reports it gone, the target has it
    xen2.delta({ domains: [dom('web01')] });
    const back = await c.agent('xen1');
    back.hello();
    back.snapshot(hostState({ domains: [], homes }));
    const r = await run;
    expect(r.stderr).toMatch(/XH_ERR_AGENT_LINK_LOST: .*outcome is unknown.*\nxenherdctl: waiting for web01 to settle: its migrate goes on without the agent's link/);
    expect(r.stdout).toMatch(/\nweb01 now runs on xen2: the migrate finished after the agent's link dropped\nweb01  xen2  running  home xen1/);
    expect(r.code).toBe(0);
  });

  it('the domU stays on its source: 91, saying the move did not happen and where it runs', async () => {
    const { c, run } = await migrateCutMidMove();
    const back = await c.agent('xen1');
    back.hello();
    back.snapshot(hostState({ domains: [dom('web01')], homes }));
    const r = await run;
    expect(r.code).toBe(91);
    expect(r.stderr).toMatch(/xenherdctl: web01 still runs on xen1 [\d.]+ (s|min) after the agent's link dropped, with no migration of it under way: the migrate did not happen \(the agent's journal on xen1 says why\); run it again to move it\nweb01  xen1  running/);
  });

  it('the source never comes back: 91 once the answer has stayed stale two minutes, naming it stale', async () => {
    const { run } = await migrateCutMidMove();
    const r = await run;
    expect(r.code).toBe(91);
    expect(r.stderr).toMatch(/the answer for web01 has stayed stale for 2(\.0)? min: web01  xen1  running .*STALE/);
  });
});
