import { afterEach, describe, expect, it } from 'vitest';
import { readMigrationFacts } from '../../../agent/migrate/facts.js';
import { executePlan } from '../../../agent/migrate/plan-executor.js';
import { serveForcedCommand } from '../../../agent/migrate/forced-command.js';
import { planMigrate } from '../../../agent/decide/migration-plan.js';
import type { Ledger } from '../../../agent/state/ledger.js';
import type { PeerLine } from '../../../shared/protocol/peer.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { drive } from '../../harness/drive.js';
import { ledgerFile } from '../../harness/ledger-file.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// xend lists a domU it is sending away as migrating-NAME: the grammar cannot refuse that name (on
// an xl Dom0 it may be a domU's own), so the forced command must see it is a half's row before it
// answers `status` and records the asker's visitor under it.

const FLEET = `option bandwidth=1024 connect-delay=0
host xen1 mem=32768 cpus=8 toolstack=xm xen=4.1.4 drbd=8.4 migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xm xen=4.1.4 drbd=8.4 migrate-tab=yes
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
`;

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const ledger = (f: Fleet, host: string): Ledger => ledgerFile(f.sim, host);

describe("the forced command's status on an xm Dom0", () => {
  it('`status migrating-web1` is refused as a half of web1, and no visitor of that name is recorded', async () => {
    fleet = await startFleet(FLEET);
    const p1 = simMigrationPorts({ sim: fleet.sim }, 'xen1');
    fleet.sim.migrationFault('web1', 'handshake');
    const facts = await readMigrationFacts(p1, 'web1');
    if (!facts.ok) throw new Error(facts.error.message);
    const pl = planMigrate(facts.value, { name: 'web1', target: null, reason: 'manual', operationId: p1.newOperationId(), noPeer: false });
    if (!pl.ok) throw new Error(pl.error.message);
    await drive(fleet, executePlan(p1, pl.value, () => undefined));
    expect((await fleet.sim.run('xen1', 'xm', ['list'])).stdout).toMatch(/^migrating-web1 /m);

    const lines: PeerLine[] = [];
    const code = await drive(fleet, serveForcedCommand(p1, 'xen2', { op: 'status', name: 'migrating-web1', notMine: false }, (l) => lines.push(l)));
    expect(lines.at(-1)).toMatchObject({ t: 'result', ok: false, code: 'XH_ERR_COMMAND_REJECTED', message: expect.stringContaining('ask about web1') });
    expect(code).not.toBe(0);
    expect(Object.keys(ledger(fleet, 'xen1').visitors)).toEqual([]);
  });
});
