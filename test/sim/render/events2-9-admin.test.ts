import { describe, expect, it } from 'vitest';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { viewsFromEvents } from '../../../agent/state/drbd-view.js';
import type { RunningTool, Sim } from '../sim.js';
import { simPerTest } from '../sim-per-test.js';

/**
 * DRBD 9 events2 through `drbdadm disconnect` and the split-brain runbook (events2-9-steps.ts):
 * the end that disconnects goes through the graceful Disconnecting (no split-brain helper, its
 * disk untouched), its peer through TearDown and back to Connecting; a handshake between
 * diverged replicas runs the split-brain helper on both ends before they drop to StandAlone.
 */
const FLEET = `option connect-delay=1000
host n1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
host n2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
domu vm1 mem=512 vcpus=1 home=n1 peer=n2 drbd=r0 running=n1
`;
const start = simPerTest();
const C1 = 'name:r0 peer-node-id:1 conn-name:n2';
const C0 = 'name:r0 peer-node-id:0 conn-name:n1';
const PATH0 = `path ${C0} local:ipv4:10.0.0.12:7788 peer:ipv4:10.0.0.11:7788`;
const PATH1 = `path ${C1} local:ipv4:10.0.0.11:7788 peer:ipv4:10.0.0.12:7788`;
const helper = (c: string, h: string): string[] => [`call helper ${c} helper:${h}`, `response helper ${c} helper:${h} status:0`];

/** what a live events2 printed since the last call */
function reader(t: RunningTool): () => string[] {
  let seen = t.stdout().length;
  return () => {
    const text = t.stdout().slice(seen);
    seen = t.stdout().length;
    return text.split('\n').filter((l) => l !== '');
  };
}
const drbdadm = async (s: Sim, host: string, ...argv: string[]): Promise<void> => {
  expect((await s.run(host, 'drbdadm', argv)).exitCode).toBe(0);
};

describe('drbdsetup events2 on DRBD 9: drbdadm disconnect and the split-brain runbook', () => {
  it('disconnect: Disconnecting on this end, TearDown on the peer', async () => {
    const s = await start({ fleet: FLEET });
    const [on1, on2] = [s.start('n1', 'drbdsetup', ['events2']), s.start('n2', 'drbdsetup', ['events2'])];
    await s.advance(0);
    const [new1, new2] = [reader(on1), reader(on2)];
    await drbdadm(s, 'n2', 'disconnect', 'r0');
    await s.advance(0);
    expect(new2()).toEqual([
      'change resource name:r0 may_promote:yes promotion_score:10101',
      `change connection ${C0} connection:Disconnecting role:Unknown`,
      `change peer-device ${C0} volume:0 replication:Off peer-disk:DUnknown peer-client:no`,
      `change ${PATH0} established:no`,
      ...helper(C0, 'disconnected'),
      `change connection ${C0} connection:StandAlone`,
    ]);
    expect(new1()).toEqual([
      'change resource name:r0 may_promote:no promotion_score:10101',
      `change connection ${C1} connection:TearDown role:Unknown`,
      `change peer-device ${C1} volume:0 replication:Off peer-disk:DUnknown peer-client:no`,
      `change ${PATH1} established:no`,
      ...helper(C1, 'disconnected'),
      `change connection ${C1} connection:Unconnected`,
      `change connection ${C1} connection:Connecting`,
    ]);
    for (const t of [on1, on2]) t.kill();
  });

  it('after a split brain: both connect, the handshake drops both; the runbook reconnects them and the agent sees it', async () => {
    const s = await start({ fleet: FLEET });
    expect(s.drbd('r0', 'split-brain').ok).toBe(true);
    const on2 = s.start('n2', 'drbdsetup', ['events2']);
    await s.advance(0);
    const new2 = reader(on2);
    for (const h of ['n1', 'n2']) await drbdadm(s, h, 'connect', 'r0');
    await s.advance(1000);
    expect(new2()).toEqual([
      `change connection ${C0} connection:Unconnected`,
      `change connection ${C0} connection:Connecting`,
      ...helper(`${C0} volume:0 minor:0`, 'split-brain'),
      `change connection ${C0} connection:Disconnecting`,
      ...helper(C0, 'disconnected'),
      `change connection ${C0} connection:StandAlone`,
    ]);
    await drbdadm(s, 'n2', 'connect', '--discard-my-data', 'r0');
    await drbdadm(s, 'n1', 'connect', 'r0');
    await s.advance(1000);
    expect(new2().slice(-3)).toEqual([
      'change resource name:r0 may_promote:no promotion_score:10102',
      `change connection ${C0} connection:Connected role:Primary`,
      `change peer-device ${C0} volume:0 replication:Established peer-disk:UpToDate peer-client:no`,
    ]);
    on2.kill();
    await on2.done;
    const parsed = parseEvents2(on2.stdout());
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(viewsFromEvents(reduceDrbdAll(parsed.value), ['r0']).get('r0')).toMatchObject({ peerRole: 'Primary', connection: 'Connected', peerDisk: 'UpToDate', disk: 'UpToDate' });
  });
});
