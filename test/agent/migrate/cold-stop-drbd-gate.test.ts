import { afterEach, describe, expect, it } from 'vitest';
import { runColdStop } from '../../../agent/migrate/cold-stop.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { drive } from '../../harness/drive.js';
import { ledgerFileText } from '../../harness/ledger-file.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// `xenherd-agent move-stop web1 --to xen2` by hand reads r1 on xen1 after its hold and refuses,
// as a live migrate's preflight does, a pair not in step: it shut web1 down, and xen2's start
// then waited on the link (or, on a DRBD 9 kernel cut off from xen1, ran web1 on a stale disk).
const FLEET = pairFleet();

let fleet: Fleet;
afterEach(async () => fleet?.stop());

describe('move-stop checks DRBD on a fresh read before it shuts anything down', () => {
  it('r1 disconnected: refused (77) naming its state, web1 still runs on xen1, the ledger untouched', async () => {
    fleet = await startFleet(FLEET);
    expect(fleet.sim.drbd('r1', 'disconnect')).toMatchObject({ ok: true });
    const before = ledgerFileText(fleet.sim, 'xen1');
    const p = simMigrationPorts({ sim: fleet.sim }, 'xen1');
    const r = await drive(fleet, runColdStop(p, { name: 'web1', target: 'xen2', reason: 'manual', operationId: 'op-hand', shutdownWaitMs: 60_000 }, () => undefined));
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringMatching(/^web1 is not shut down for xen2, it still runs on xen1: DRBD r1 on xen1 is \w+ /) } });
    expect(fleet.sim.commandLog.filter((c) => c.host === 'xen1' && (c.argv[0] === 'shutdown' || c.argv[0] === 'secondary'))).toEqual([]);
    expect(fleet.sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host)).toEqual(['xen1']);
    expect(ledgerFileText(fleet.sim, 'xen1')).toBe(before);
  });

  it('r1 in step: web1 is shut down and r1 demoted, ready for xen2', async () => {
    fleet = await startFleet(FLEET);
    const p = simMigrationPorts({ sim: fleet.sim }, 'xen1');
    const r = await drive(fleet, runColdStop(p, { name: 'web1', target: 'xen2', reason: 'manual', operationId: 'op-hand', shutdownWaitMs: 60_000 }, () => undefined));
    expect(r).toMatchObject({ ok: true, value: { message: 'web1 is shut down on xen1; r1 Secondary here; ready to start on xen2' } });
    expect(fleet.sim.state().domains.filter((d) => d.name === 'web1')).toEqual([]);
  });
});
