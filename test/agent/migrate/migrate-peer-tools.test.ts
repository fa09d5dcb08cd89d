import { afterEach, describe, expect, it } from 'vitest';
import type { PlanDone } from '../../../agent/migrate/plan-executor.js';
import type { XhError } from '../../../shared/errors.js';
import type { Result } from '../../../shared/result.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { runMove } from '../../harness/migration-bed.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// `xenherd-agent migrate NAME PEER` by hand, no controller: the preflight asks the target
// `status NAME --tools` and refuses a live move to the other toolstack or an older Xen release in
// the controller's words, before anything is sent (the tools refused it only after the copy began).
let fleet: Fleet;
afterEach(async () => fleet?.stop());

const pair = (xen2: string): string => pairFleet({ xen1: 'toolstack=xl xen=4.17.5', xen2 });

async function migrateWeb1(f: Fleet): Promise<Result<PlanDone, XhError>> {
  return (await runMove(f, simMigrationPorts({ sim: f.sim }, 'xen1'), { target: 'xen2' })).result;
}

const sent = (f: Fleet) => f.sim.commandLog.filter((c) => c.argv[0] === 'migrate');

describe("the agent's migrate checks the target's tools before it sends", () => {
  it('an older Xen release: refused (77) naming both releases, nothing sent', async () => {
    fleet = await startFleet(pair('toolstack=xl xen=4.11.4'));
    const r = await migrateWeb1(fleet);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED' } });
    if (r.ok) return;
    expect(r.error.message).toBe(
      'preflight: web1 runs on xen1 (Xen 4.17.5) and xen2 runs Xen 4.11.4, an older release: a live migration goes to the same Xen release or a newer one (the older release\'s tools refuse the newer stream; xl says "Savefile has mandatory flag(s) … need newer xl" and the domU stays on xen1); nothing was moved',
    );
    expect(sent(fleet)).toEqual([]);
    expect(fleet.sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host)).toEqual(['xen1']);
  });

  it('the other toolstack: refused (77) naming both, nothing sent', async () => {
    fleet = await startFleet(pair('toolstack=xm xen=4.17.5'));
    const r = await migrateWeb1(fleet);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('web1 runs on xen1 (xl) and xen2 runs xm: a live migration stays within one toolstack') } });
    expect(sent(fleet)).toEqual([]);
  });

  it('a newer point release or a newer release is no block: web1 migrates', async () => {
    fleet = await startFleet(pair('toolstack=xl xen=4.18.0'));
    expect(await migrateWeb1(fleet)).toMatchObject({ ok: true });
  });
});
