import { describe, expect, it } from 'vitest';
import { interceptMigrate, jobsBed } from './jobs-bed.js';
import type { SimSpec } from './sim-fleet.js';

const SPEC: SimSpec = { hosts: [{ name: 'xen1' }, { name: 'xen2' }], domus: [{ name: 'db1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 }] };
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;
const OTHER = 'xenherd-controller@ctl2:7443';

// A drain whose maintenance flag another controller takes over (a standby after a failover) while
// it settles a move whose halves still stand: this controller runs on, so neither the move's
// ALARM nor the job's end may say it is stopping; the end names who holds the flag and where to go on.
describe('a drain whose maintenance flag another controller took over', () => {
  it("the unsettled move and the end say the flag was lost to that controller, not 'the controller is stopping'", async () => {
    const bed = await jobsBed(SPEC);
    interceptMigrate(bed, 'xen1', 'db1', (_c, reply) => {
      const src = bed.fleet.host('xen1');
      const dst = bed.fleet.host('xen2');
      bed.clock.schedule(5_000, () => {
        src.domains.set('db1', { name: 'db1', memMiB: 1024, vcpus: 1, state: 'shutdown', migration: 'migratedaway' });
        dst.domains.set('db1', { name: 'db1', memMiB: 1024, vcpus: 1, state: 'paused', migration: 'incoming' });
        src.publish();
        dst.publish();
        reply.done(false, 'XH_ERR_MIGRATION_UNKNOWN', 'ALARM: after the final handshake failed, db1 is listed on both hosts');
      });
    });
    const job = bed.start(DRAIN);
    await bed.until(() => bed.moves(job).some((m) => m.phase === 'settling' && /still moving/.test(m.line ?? '')), 'settling: still moving');
    // the other controller's claim, its lease live: this job's next renewal is refused
    const x1 = bed.fleet.host('xen1');
    const op = x1.maintenance.operationId;
    x1.maintenance = { state: 'draining', operationId: op, owner: OTHER };
    x1.leaseUntil = bed.clock.now() + 600_000;
    x1.publish();
    const end = await bed.finish(job);
    const alarm = bed.moves(job).filter((m) => m.phase === 'alarm');
    expect(alarm).toHaveLength(1);
    expect(alarm[0]?.line).not.toContain('the controller is stopping');
    expect(alarm[0]?.line).toContain(`the job stopped, xen1's maintenance flag no longer its own (owner ${OTHER})`);
    expect(end.ok).toBe(false);
    expect(end.message).toMatch(/^the drain stopped, not by this controller stopping: xen1's maintenance flag is no longer this job's; /);
    expect(end.message).toContain(`${OTHER} holds it draining (operation ${op}) now: that controller goes on with it, not this one. Follow it there: \`xenherdctl jobs\` asked of that controller`);
    expect(end.message).not.toContain('controller is stopping');
  });
});
