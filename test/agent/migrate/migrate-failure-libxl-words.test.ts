import { afterEach, describe, expect, it } from 'vitest';
import type { MigrationPorts } from '../../../agent/migrate/ports.js';
import { classifyXlMigrate } from '../../../agent/parse/xl-migrate.js';
import { ok } from '../../../shared/result.js';
import { readFixture } from '../../fixture.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { runMove } from '../../harness/migration-bed.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// A migration xl gave up on says why in libxl's lines; the failure names them as an operator
// reads them, without where in libxl they were printed or the "Domain N:" of a domid on the way.

let fleet: Fleet;
afterEach(async () => fleet?.stop());

describe('a failed xl migrate names libxl lines without their source positions', () => {
  it('real Xen 4.17 "resuming at sender": the detail lines read as libxl says them', async () => {
    fleet = await startFleet(pairFleet());
    const p = simMigrationPorts({ sim: fleet.sim }, 'xen1');
    // the lab's transcript of a re-migration xl gave up on (the domU stayed), given to the executor as the adapter reads it
    const stderr = readFixture('real-xen-4.17/13-quick-remigration-b-to-a/dom0b.xl-migrate-tiny-dom0a.stderr').body;
    const failing: MigrationPorts = { ...p, toolstack: { ...p.toolstack, migrate: async () => ok({ outcome: classifyXlMigrate(stderr, 1), transcript: stderr }) } };
    const { result: r } = await runMove(fleet, failing, { operationId: 'op-test-1' });
    expect(!r.ok && r.error.message).toBe(
      'web1 was not migrated to xen2 (resumed-at-sender: Migration failed, resuming at sender.; ' +
        'file/stream truncated reading ipc msg header from domain 1 save/restore helper stdout pipe; ' +
        'domain 1 save/restore helper [1017] died due to fatal signal Broken pipe; migration sender: libxl_domain_suspend failed (rc=-3)); ' +
        'it still runs on xen1, the ledger is unchanged',
    );
  });
});
