import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { agentCommands } from '../../../agent/cli/commands.js';
import type { ProcessHooks } from '../../../agent/cli/run.js';
import { startSim, type Sim } from '../../sim/sim.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// A migrate xen1 → xen2 whose final handshake was lost: web1--migratedaway stands suspended on
// xen1, web1--incoming paused on xen2, and xen1's ledger keeps the ALARM. Neither half is the
// guest running, as the controller's `where` and `status` say: `status` on each Dom0 says so too.
const hooks: ProcessHooks = { onSignal: () => undefined, onHangUp: () => false, pid: 1, self: (env) => ({ node: process.execPath, args: [], env }) };
const FLEET = pairFleet({ bandwidth: 65536 });

let sim: Sim | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await sim?.stop();
  sim = undefined;
});

async function status(s: Sim, host: string): Promise<{ code: number; out: string }> {
  vi.unstubAllEnvs();
  // the toolstack is run with the process's own environment, as the installed binary runs it
  for (const [k, v] of Object.entries(s.env(host))) vi.stubEnv(k, v);
  const cmd = agentCommands(hooks).find((c) => c.name === 'status');
  const out: string[] = [];
  const code = (await cmd?.run(['ALL'], { stdout: (t) => void out.push(t), stderr: () => undefined, env: { ...process.env } as Record<string, string> })) ?? -1;
  return { code, out: out.join('') };
}

describe("xenherd-agent status beside a migration's halves", () => {
  it('both halves frozen after an ALARM: each Dom0 lists its half as not running, not "running here"', async () => {
    sim = await startSim({ fleet: FLEET, clock: 'real' });
    sim.migrationFault('web1', 'handshake');
    expect((await sim.run('xen1', 'xl', ['migrate', 'web1', 'xen2'])).exitCode).toBe(1);
    const kept = await ledgerStore(join(sim.hostRoot('xen1'), 'var/lib/xenherd'), 'xen1').update((l) => ({
      ...l,
      unsettled: { web1: { peer: 'xen2', since: '2024-05-01T14:02:00.000Z', operationId: 'op-7', operation: 'migrate', message: 'ALARM: final handshake lost' } },
    }));
    expect(kept.ok).toBe(true);
    const source = await status(sim, 'xen1');
    expect(source.code).toBe(83);
    expect(source.out).toContain("\n  web1                 home, listed here as a migration's half, not running (shutdown (web1--migratedaway))  [peer xen2]\n");
    const target = await status(sim, 'xen2');
    // the move's half, not a guest running here unrecorded: no MISMATCH, no exit 85 (the ALARM is xen1's to settle)
    expect(target.out).toContain("\n  web1                 listed here as a migration's half, not running (paused (web1--incoming)): a move of it, which the ledger of the Dom0 running the move keeps (xenherdctl where web1)\n");
    expect(target.out).not.toContain('MISMATCH');
    expect(target.code).toBe(0);
    expect(`${source.out}${target.out}`).not.toContain('running here');
  });
});
