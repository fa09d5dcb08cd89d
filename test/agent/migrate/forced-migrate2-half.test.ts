import { afterEach, describe, expect, it } from 'vitest';
import { serveForcedCommand } from '../../../agent/migrate/forced-command.js';
import type { PeerLine } from '../../../shared/protocol/peer.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { drive } from '../../harness/drive.js';
import { ledgerFileText } from '../../harness/ledger-file.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// xend names a domain it destroyed and the hypervisor still holds `Zombie-NAME`, and the one it
// sends away `migrating-NAME`: the grammar cannot refuse those names (on an xl Dom0 either may be a
// domU's own), so the forced command's `migrate2` must see the row is another domU's before it
// takes the name for one. It ran `xm migrate --live Zombie-web1 xen1` with no DRBD disk to check.

const FLEET = pairFleet({ tools: 'toolstack=xm xen=4.1.4', running: 'xen2' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

describe("the forced command's migrate2 on an xm Dom0", () => {
  it.each([
    ['Zombie-web1', 'a domain on its way out'],
    ['migrating-web1', "a migration's sending half"],
  ])('`migrate2 %s` (%s) is refused as a row of web1: nothing moved, nothing recorded', async (row) => {
    fleet = await startFleet(FLEET);
    fleet.sim.force(`web1 listed as ${row}`, (s) => ({ ...s, domains: s.domains.map((d) => (d.name === 'web1' ? { ...d, name: row } : d)) }));
    const ledgers = [ledgerFileText(fleet.sim, 'xen1'), ledgerFileText(fleet.sim, 'xen2')];
    const p2 = simMigrationPorts({ sim: fleet.sim }, 'xen2');
    const lines: PeerLine[] = [];
    const code = await drive(fleet, serveForcedCommand(p2, 'xen1', { op: 'migrate2', name: row, live: false }, (l) => lines.push(l)));
    expect(lines).toEqual([
      {
        v: 1,
        t: 'result',
        ok: false,
        code: 'XH_ERR_COMMAND_REJECTED',
        message: `rejected: "migrate2 ${row}": xm lists ${row} as a row of web1 (a migration's half, or a domain on its way out), never a domU of its own: ask about web1; nothing was moved or recorded`,
        operationId: null,
      },
    ]);
    expect(code).toBe(80);
    expect(fleet.sim.commandLog.filter((c) => c.argv[0] === 'migrate')).toEqual([]);
    expect(fleet.sim.state().domains.filter((d) => d.host === 'xen2').map((d) => d.name)).toEqual([row]);
    expect([ledgerFileText(fleet.sim, 'xen1'), ledgerFileText(fleet.sim, 'xen2')]).toEqual(ledgers);
  });
});
