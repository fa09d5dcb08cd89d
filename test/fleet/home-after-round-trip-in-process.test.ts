import { afterEach, describe, expect, it } from 'vitest';
import type { CommandBody } from '../../shared/protocol/agent-link.js';
import { runsOn } from '../harness/fleet.js';
import { agentsBed, type AgentsBed } from './agents-with-stand-in.js';

// A domU whose config sits in the guarded dirs of both Dom0s of its pair (no migrate-tab): the
// ledgers say which one is its home. Sent to the peer and back, it is home again, and stays so.

const FLEET = `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu app1 mem=2048 vcpus=2 home=xen2 peer=xen1 drbd=r2 running=xen2
`;

let bed: AgentsBed;
afterEach(async () => bed?.stop());

const migrate = (name: string, target: string | null): CommandBody => ({ op: 'migrate', name, target, reason: 'manual', operationId: `op-${name}-${target ?? 'home'}`, by: 'ctl:admin' });

describe('a guarded-only domU sent to its peer and back', () => {
  for (const back of ['xen1', null] as const) {
    it(`is home again, not a visitor at its own home (back by migrate ${back === null ? 'with no target' : 'to xen1'})`, async () => {
      bed = await agentsBed(FLEET, ['xen1', 'xen2']);
      expect(await bed.run('xen1', migrate('web1', 'xen2'))).toMatchObject({ ok: true });
      expect(bed.ledger('xen1')?.away['web1']).toMatchObject({ currentHost: 'xen2' });
      expect(await bed.run('xen2', migrate('web1', back))).toMatchObject({ ok: true });
      expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);
      // whatever the agents do on seeing it arrive and leave
      await bed.fleet.advance(120_000);
      expect([bed.ledger('xen1')?.away, bed.ledger('xen1')?.visitors, bed.ledger('xen2')?.away, bed.ledger('xen2')?.visitors]).toEqual([{}, {}, {}, {}]);
    });
  }
});
