import { afterEach, describe, expect, it } from 'vitest';
import { serveForcedCommand } from '../../../agent/migrate/forced-command.js';
import type { Ledger } from '../../../agent/state/ledger.js';
import type { PeerLine } from '../../../shared/protocol/peer.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { drive } from '../../harness/drive.js';
import { ledgerFile } from '../../harness/ledger-file.js';
import { runMove } from '../../harness/migration-bed.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// xend lists a domU it is sending away as migrating-NAME: the grammar cannot refuse that name (on
// an xl Dom0 it may be a domU's own), so the forced command must see it is a half's row before it
// answers `status` and records the asker's visitor under it.

const FLEET = pairFleet({ tools: 'toolstack=xm xen=4.1.4' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const ledger = (f: Fleet, host: string): Ledger => ledgerFile(f.sim, host);

describe("the forced command's status on an xm Dom0", () => {
  it('`status migrating-web1` is refused as a half of web1, and no visitor of that name is recorded', async () => {
    fleet = await startFleet(FLEET);
    const p1 = simMigrationPorts({ sim: fleet.sim }, 'xen1');
    fleet.sim.migrationFault('web1', 'handshake');
    await runMove(fleet, p1);
    expect((await fleet.sim.run('xen1', 'xm', ['list'])).stdout).toMatch(/^migrating-web1 /m);

    const lines: PeerLine[] = [];
    const code = await drive(fleet, serveForcedCommand(p1, 'xen2', { op: 'status', name: 'migrating-web1', notMine: false }, (l) => lines.push(l)));
    expect(lines.at(-1)).toMatchObject({ t: 'result', ok: false, code: 'XH_ERR_COMMAND_REJECTED', message: expect.stringContaining('ask about web1') });
    expect(code).not.toBe(0);
    expect(Object.keys(ledger(fleet, 'xen1').visitors)).toEqual([]);
  });
});
