import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveForcedCommand } from '../../../agent/migrate/forced-command.js';
import type { MoveReason } from '../../../agent/decide/migration-plan.js';
import type { Ledger } from '../../../agent/state/ledger.js';
import type { PeerLine } from '../../../shared/protocol/peer.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { drive } from '../../harness/drive.js';
import { runMove } from '../../harness/migration-bed.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// A domU whose home is only its guarded dir (no migrate-tab), moved by hand with `xl migrate`
// (no ledger records it), then brought back by xenherd from its DRBD partner: it must come home,
// not become the partner's visitor at its own home (the next restore would send it away again).
// The simulator plays both Dom0s; the ssh to the peer's forced command is its code called directly.
const FLEET = pairFleet({ migrateTab: [] });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const ledgerOf = (host: string): Ledger | null => {
  try {
    return JSON.parse(readFileSync(join(fleet.sim.hostRoot(host), 'var/lib/xenherd/ledger.json'), 'utf8')) as Ledger;
  } catch {
    return null;
  }
};

async function handMove(from: string, to: string): Promise<void> {
  const m = fleet.sim.start(from, 'xl', ['migrate', 'web1', to]);
  expect((await drive(fleet, m.done)).exitCode).toBe(0);
}

async function xenherdMove(from: string, to: string, reason: MoveReason): Promise<void> {
  const { result: done } = await runMove(fleet, simMigrationPorts({ sim: fleet.sim }, from), { target: to, reason });
  expect(done, JSON.stringify(done)).toMatchObject({ ok: true });
}

describe('a guarded-only domU moved by hand, then brought home by xenherd', () => {
  it.each<MoveReason>(['restore', 'manual'])('by a %s from its partner: it is home again, recorded nowhere as a visitor', async (reason) => {
    fleet = await startFleet(FLEET);
    await handMove('xen1', 'xen2');
    await xenherdMove('xen2', 'xen1', reason);
    expect(fleet.sim.state().domains.find((d) => d.name === 'web1')?.host).toBe('xen1');
    expect(ledgerOf('xen1')?.visitors ?? {}).toEqual({});
    expect(ledgerOf('xen2')?.away ?? {}).toEqual({});
    // and a drain of its home afterwards is an ordinary move away and back
    await xenherdMove('xen1', 'xen2', 'drain');
    expect(ledgerOf('xen1')?.away['web1']).toMatchObject({ currentHost: 'xen2', reason: 'drain' });
    expect(ledgerOf('xen2')?.visitors['web1']).toMatchObject({ home: 'xen1' });
  });

  it('a visitor record an earlier plain question left is dropped by --not-mine; without the word the asker is taken for its home', async () => {
    fleet = await startFleet(FLEET);
    await handMove('xen1', 'xen2');
    await handMove('xen2', 'xen1');
    const ask = async (command: 'status web1' | 'status web1 --not-mine'): Promise<PeerLine[]> => {
      const lines: PeerLine[] = [];
      const code = await serveForcedCommand(simMigrationPorts({ sim: fleet.sim }, 'xen1'), 'xen2', { op: 'status', name: 'web1', notMine: command.endsWith('--not-mine') }, (l) => lines.push(l));
      expect(code).toBe(0);
      return lines;
    };
    expect(await ask('status web1')).toMatchObject([{ t: 'status', present: 'here', home: 'xen2' }]);
    expect(ledgerOf('xen1')?.visitors['web1']).toMatchObject({ home: 'xen2' });
    expect(await ask('status web1 --not-mine')).toMatchObject([{ t: 'status', present: 'here', home: 'xen1' }]);
    expect(ledgerOf('xen1')?.visitors ?? {}).toEqual({});
  });
});

// Guarded on both Dom0s, and xen1's migrate-tab names web1 (so the controller calls xen1 its home).
// xen1 lost power and web1 was started on xen2 by hand (its guarded dir there lets --force do it):
// xen2 takes itself for web1's home. Brought to xen1 afterwards, web1 must be xen1's again, with no
// record on xen2 that would send it back at xen2's next restore.
const TAB_FLEET = pairFleet({ migrateTab: ['xen1'], running: 'xen2' });

describe("a domU guarded on both Dom0s, started by hand on the one whose migrate-tab does not name it", () => {
  it.each<MoveReason>(['restore', 'manual'])('a %s to the Dom0 whose migrate-tab names it: home there, recorded nowhere', async (reason) => {
    fleet = await startFleet(TAB_FLEET);
    const root = (h: string): string => fleet.sim.hostRoot(h);
    copyFileSync(join(root('xen1'), 'etc/xen/drbd-auto/web1.cfg'), join(root('xen2'), 'etc/xen/drbd-auto/web1.cfg'));
    await xenherdMove('xen2', 'xen1', reason);
    expect(fleet.sim.state().domains.find((d) => d.name === 'web1')?.host).toBe('xen1');
    expect(ledgerOf('xen1')?.visitors ?? {}).toEqual({});
    expect(ledgerOf('xen2')?.away ?? {}).toEqual({});
    expect(ledgerOf('xen2')?.visitors ?? {}).toEqual({});
  });
});
