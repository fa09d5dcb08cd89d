import { describe, expect, it } from 'vitest';
import { jobsBed, SPREAD, type JobsBed } from './jobs-bed.js';

// The simulated Dom0s compare owner names as written, as agents from before the instance id do
// (this release's agents also take the short name as this controller's: shared/owner-names.ts).
// A controller upgraded mid-drain comes back with the id in its name: for those agents it must
// continue under the name they hold the lease by, not wait the lease out as another controller's.
const OLD = 'xenherd-controller@ctl1:7443';
const NEW = 'xenherd-controller@ctl1:7443/0123abcd';
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;

/** a drain of xen1 by the controller before the id, cut after its first move by its upgrade */
async function drainCutByUpgrade(): Promise<{ bed: JobsBed; op: string | null }> {
  const bed = await jobsBed(SPREAD);
  void bed.core.close();
  await bed.clock.advance(0);
  bed.core = bed.newCore(OLD);
  await bed.clock.advance(0);
  const drain = bed.start(DRAIN);
  await bed.until(() => bed.moves(drain, 'moved').length === 1, 'a move done');
  const x1 = bed.fleet.host('xen1').maintenance;
  expect(x1).toMatchObject({ state: 'draining', owner: OLD });
  void bed.core.close();
  await bed.clock.advance(0);
  bed.core = bed.newCore(NEW);
  await bed.clock.advance(0);
  return { bed, op: x1.operationId };
}

describe('a controller upgraded mid-drain, its Dom0s still on an agent from before the instance id', () => {
  it('the same drain asked again continues the operation at once, under the name the agent holds it by', async () => {
    const { bed, op } = await drainCutByUpgrade();
    const again = bed.start(DRAIN);
    const end = await bed.finish(again);
    expect(end, end.message).toMatchObject({ ok: true });
    expect(again.events.some((e) => e.type === 'note' && e.line === `continuing drain operation ${op} of xen1`)).toBe(true);
    expect(bed.fleet.host('xen1').maintenance).toMatchObject({ state: 'maintenance', operationId: op });
    bed.neverTwice();
  });

  it('a restore ends that lease (sent under the same name) and restores xen1', async () => {
    const { bed, op } = await drainCutByUpgrade();
    const restore = bed.start({ kind: 'restore', host: 'xen1', timeoutMs: null });
    const end = await bed.finish(restore);
    expect(end, end.message).toMatchObject({ ok: true });
    expect(restore.events.some((e) => e.type === 'note' && e.line.startsWith(`xen1 was still draining for operation ${op} of this controller`))).toBe(true);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
  });

  it("another controller's lease on the same host and port, with its own id, still refuses", async () => {
    const { bed } = await drainCutByUpgrade();
    bed.fleet.host('xen1').maintenance = { ...bed.fleet.host('xen1').maintenance, owner: 'xenherd-controller@ctl1:7443/89abcdef' };
    const refused = await bed.finish(bed.start(DRAIN));
    expect(refused).toMatchObject({ ok: false, code: 'XH_ERR_LOCKED' });
  });
});
