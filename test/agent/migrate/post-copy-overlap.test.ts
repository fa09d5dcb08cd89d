import { afterEach, expect, it } from 'vitest';
import type { MigrationPorts } from '../../../agent/migrate/ports.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { mustPlan, runPlan } from '../../harness/migration-bed.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// After the copy, a move's own steps run back to back: the ledger's record, the running agent's
// re-read of it (the nudge), the `status NAME` told to the target over ssh, and one read of the
// DRBD resources. The nudge and the read change nothing the tell does, so they run beside it:
// the command ends one ssh round trip after the copy, not that plus the re-read plus the read.

const NUDGE_MS = 3_000;
const TELL_MS = 5_000;
const READ_MS = 1_000;

let fleet: Fleet;
afterEach(async () => fleet?.stop());

interface Timed {
  readonly ports: MigrationPorts;
  readonly at: { nudgeAsked: number | null; nudgeDone: number | null; released: number | null; afterRead: number | null };
}

/** xen1's ports with a busy Dom0's costs on the simulated clock: the nudge, each ssh ask, each DRBD read after the copy */
function timed(p: MigrationPorts): Timed {
  const at: Timed['at'] = { nudgeAsked: null, nudgeDone: null, released: null, afterRead: null };
  const clock = p.clock;
  let copied = false;
  return {
    at,
    ports: {
      ...p,
      toolstack: {
        ...p.toolstack,
        migrate: async (...a: Parameters<MigrationPorts['toolstack']['migrate']>) => {
          const r = await p.toolstack.migrate(...a);
          copied = true;
          return r;
        },
      },
      drbd: {
        ...p.drbd,
        readResource: async (name: string) => {
          if (copied) await clock.sleep(READ_MS);
          const r = await p.drbd.readResource(name);
          if (copied) at.afterRead = clock.now();
          return r;
        },
      },
      peer: {
        ...p.peer,
        ask: async (...a: Parameters<MigrationPorts['peer']['ask']>) => {
          await clock.sleep(TELL_MS);
          return p.peer.ask(...a);
        },
      },
      nudge: async () => {
        at.nudgeAsked = clock.now();
        await clock.sleep(NUDGE_MS);
        at.nudgeDone = clock.now();
      },
      hold: async (...a: Parameters<MigrationPorts['hold']>) => {
        const h = await p.hold(...a);
        return h.ok ? { ok: true, value: { ...h.value, release: () => ((at.released = clock.now()), h.value.release()) } } : h;
      },
    },
  };
}

it('the nudge and the DRBD read after the handover run beside the tell; the hold still ends after the re-read', async () => {
  fleet = await startFleet(pairFleet());
  const t = timed(simMigrationPorts({ sim: fleet.sim }, 'xen1'));
  const plan = await mustPlan(t.ports, { operationId: 'op-1' });
  expect(plan.steps.map((s) => s.do)).toEqual(['hold', 'preflight', 'migrate', 'verify', 'record', 'tell', 'replication']);
  const { result: r } = await runPlan(fleet, t.ports, plan);
  // a clean handover adds no line of its own
  expect(r.ok && r.value.lines).toEqual(['xen2 confirmed it runs web1']);
  const { nudgeAsked, nudgeDone, released, afterRead } = t.at;
  if (nudgeAsked === null || nudgeDone === null || released === null || afterRead === null) throw new Error(`not all seen: ${JSON.stringify(t.at)}`);
  // back to back this was NUDGE_MS + TELL_MS + READ_MS (9 s) from the record to the hold's end
  expect(released - nudgeAsked).toBeLessThan(TELL_MS + 500);
  expect(released - nudgeAsked).toBeGreaterThanOrEqual(TELL_MS);
  // the agent has re-read the ledger before it lets the domU go
  expect(nudgeDone).toBeLessThanOrEqual(released);
  // the read is after the handover: after the record the verify let through
  expect(afterRead).toBeGreaterThan(nudgeAsked);
});
