import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMigrationCommand } from '../../../agent/migrate/command.js';
import { runPreflight } from '../../../agent/migrate/preflight-run.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { drive } from '../../harness/drive.js';
import { mustPlan, runPlan } from '../../harness/migration-bed.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';
import { agentsBed } from '../../fleet/agents-with-stand-in.js';

// A live migration onto a replica that is disconnected or split-brained would let the target's
// block-drbd promote a disk missing the writes since the link went (the simulator, like the lab,
// allows two primaries and promotes a disconnected UpToDate replica). The preflight refuses it
// before anything moves: xl migrate is never called and no ledger changes.

const fleetText = (drbd: '8.4' | '9'): string => pairFleet({ drbd });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const ledgerText = (host: string): string | null => {
  try {
    return readFileSync(join(fleet.sim.hostRoot(host), 'var/lib/xenherd/ledger.json'), 'utf8');
  } catch {
    return null;
  }
};
const runsOn = (name: string): string[] => fleet.sim.state().domains.filter((d) => d.name === name || d.name.startsWith(`${name}--`)).map((d) => `${d.host}:${d.name}`);
const migrateCalls = (): number => fleet.sim.commandLog.filter((c) => (c.tool === 'xl' || c.tool === 'xm') && c.argv[0] === 'migrate').length;

async function migrateAsCli(name: string, target: string) {
  const p = simMigrationPorts({ sim: fleet.sim }, 'xen1');
  const plan = await mustPlan(p, { name, target, operationId: 'op-test-1' });
  const pf = plan.steps.find((s) => s.do === 'preflight');
  const dry = pf && pf.do === 'preflight' ? await drive(fleet, runPreflight(p, name, pf.checks)) : null;
  return { dry, done: (await runPlan(fleet, p, plan)).result };
}

const STANDALONE = 'r1 on xen1 is StandAlone (disk UpToDate, peer DUnknown): reconnect it (`drbdadm connect r1` on both, resolving a split brain first) and wait for UpToDate/UpToDate before migrating';
// DRBD keeps trying to connect: the fix is xen2 or the network; an 8.4 resource's state in 8.4's word
const cut = (word: string): string =>
  `r1 on xen1 is ${word} (disk UpToDate, peer DUnknown): DRBD is trying to reach xen2: check the network between them and that xen2 is up and has r1 up (\`drbdadm status r1\` there), then wait for UpToDate/UpToDate before migrating`;

describe('live migration refused while a DRBD resource is not Connected UpToDate/UpToDate (in process, simulator)', () => {
  for (const [drbd, fault, detail] of [
    ['8.4', 'split-brain', STANDALONE],
    // drbd-utils 9 prints 8.4's WFConnection as Connecting (drbd_conn_str9); 8.4's own word is said
    ['8.4', 'disconnect', cut('WFConnection')],
    ['9', 'split-brain', STANDALONE],
    ['9', 'disconnect', cut('Connecting')],
  ] as const) {
    it(`DRBD ${drbd}, r1 ${fault}: the dry run would refuse, migrate refuses XH_ERR_REFUSED, nothing moves, the ledgers are unchanged`, async () => {
      fleet = await startFleet(fleetText(drbd));
      expect(fleet.sim.drbd('r1', fault).ok).toBe(true);
      const before = { xen1: ledgerText('xen1'), xen2: ledgerText('xen2'), web1: runsOn('web1') };

      const { dry, done } = await migrateAsCli('web1', 'xen2');
      expect(dry && 'verdicts' in dry ? dry.verdicts.find((v) => v.check.check === 'replicas') : dry).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail });
      expect(done).toEqual({ ok: false, error: { code: 'XH_ERR_REFUSED', message: `preflight: ${detail}; nothing was moved` } });

      // the controller's `migrate` reaches the agent as this command
      const asController = await drive(fleet, runMigrationCommand(simMigrationPorts({ sim: fleet.sim }, 'xen1'), { op: 'migrate', name: 'web1', target: 'xen2', reason: 'manual', operationId: 'op-ctl-1' } as Parameters<typeof runMigrationCommand>[1], () => undefined));
      expect(asController).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: `preflight: ${detail}; nothing was moved` });

      expect(migrateCalls()).toBe(0);
      expect(runsOn('web1')).toEqual(before.web1);
      expect(runsOn('web1')).toEqual(['xen1:web1']);
      expect({ xen1: ledgerText('xen1'), xen2: ledgerText('xen2') }).toEqual({ xen1: before.xen1, xen2: before.xen2 });
      expect(fleet.sim.state().drbd['r1']?.replicas['xen2']?.role).toBe('Secondary');
    });
  }

  it('once r1 is connected again the same migration goes ahead', async () => {
    fleet = await startFleet(fleetText('8.4'));
    fleet.sim.drbd('r1', 'split-brain');
    expect((await migrateAsCli('web1', 'xen2')).done.ok).toBe(false);
    fleet.sim.drbd('r1', 'connect');
    await fleet.advance(1_000);
    const { done } = await migrateAsCli('web1', 'xen2');
    expect(done).toMatchObject({ ok: true, value: { message: 'web1 migrated from xen1 to xen2' } });
    expect(runsOn('web1')).toEqual(['xen2:web1']);
  });

  it('the way home too: a reverse is refused by the forced command of the Dom0 holding the domU, nothing moves', async () => {
    const bed = await agentsBed(fleetText('8.4'), ['xen1', 'xen2']);
    try {
      expect(await bed.run('xen1', { op: 'migrate', name: 'web1', target: 'xen2', reason: 'manual', operationId: 'op-1', by: 'ctl:admin' })).toMatchObject({ ok: true });
      expect(bed.fleet.sim.drbd('r1', 'disconnect').ok).toBe(true);
      // the records, not seq: the home's reverse writes its inflight record first and removes it
      const records = (h: string) => ({ ...bed.ledger(h), seq: undefined });
      const before = { xen1: records('xen1'), xen2: records('xen2') };
      const back = await bed.run('xen1', { op: 'reverse', name: 'web1', operationId: 'op-2', by: 'ctl:admin' });
      expect(back).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining(`r1 on xen2 is WFConnection (disk UpToDate, peer DUnknown): DRBD is trying to reach xen1: `) });
      expect(bed.fleet.sim.state().domains.filter((d) => d.name.startsWith('web1')).map((d) => `${d.host}:${d.name}`)).toEqual(['xen2:web1']);
      expect({ xen1: records('xen1'), xen2: records('xen2') }).toEqual(before);
    } finally {
      await bed.stop();
    }
  });
});
