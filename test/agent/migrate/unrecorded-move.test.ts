import { afterEach, expect, it } from 'vitest';
import type { PlanDone } from '../../../agent/migrate/plan-executor.js';
import type { MigrationPorts } from '../../../agent/migrate/ports.js';
import type { XhError } from '../../../shared/errors.js';
import type { Result } from '../../../shared/result.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { runMove } from '../../harness/migration-bed.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// The domU moved but this Dom0's ledger write of it failed (full disk): XH_ERR_MIGRATION_PARTIAL,
// where the domU runs, and the commands that finish it (README, docs/errors.md).

const FLEET = pairFleet();

let fleet: Fleet;
afterEach(async () => fleet?.stop());

/** the ledger's Nth update from now fails as a full disk would */
function failingUpdate(p: MigrationPorts, nth: number): MigrationPorts {
  let n = 0;
  const update: MigrationPorts['store']['update'] = (change) =>
    ++n === nth ? Promise.resolve({ ok: false, error: { code: 'XH_ERR_FILE', message: 'ledger.json: ENOSPC: no space left on device' } }) : p.store.update(change);
  return { ...p, store: { ...p.store, update } };
}

async function migrate(f: Fleet, p: MigrationPorts): Promise<Result<PlanDone, XhError>> {
  return (await runMove(f, p)).result;
}

it('home could not record web1 away: partial, where it runs, no false command, the peer half named', async () => {
  fleet = await startFleet(FLEET);
  // update 1 records the migration as inflight, update 2 is the record step
  const r = await migrate(fleet, failingUpdate(simMigrationPorts({ sim: fleet.sim }, 'xen1'), 2));
  expect(!r.ok && r.error.code).toBe('XH_ERR_MIGRATION_PARTIAL');
  const m = !r.ok ? r.error.message : '';
  expect(m).toMatch(/^web1 now runs on xen2, but xen1's ledger could not be written \(ledger\.json: ENOSPC/);
  expect(m).toContain('do not start it on xen1');
  expect(m).toContain('then on xen2: xenherd-agent reconcile web1 --home xen1');
});

it('a visitor gone home, its record not dropped: partial with `reconcile web1` here and on its home', async () => {
  fleet = await startFleet(FLEET);
  expect((await migrate(fleet, simMigrationPorts({ sim: fleet.sim }, 'xen1'))).ok).toBe(true);
  const r = await migrate(fleet, failingUpdate(simMigrationPorts({ sim: fleet.sim }, 'xen2'), 2));
  expect(!r.ok && [r.error.code, r.error.message]).toEqual([
    'XH_ERR_MIGRATION_PARTIAL',
    expect.stringMatching(/^web1 now runs on xen1, but xen2's ledger could not be written \(.*\); to finish, once the cause above is fixed: on xen2: xenherd-agent reconcile web1; then on xen1: xenherd-agent reconcile web1$/),
  ]);
});
