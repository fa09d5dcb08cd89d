import { describe, expect, it } from 'vitest';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { viewsFromEvents } from '../../../agent/state/drbd-view.js';
import type { Sim } from '../sim.js';
import { simPerTest } from '../sim-per-test.js';

/**
 * A DRBD 9 connection lost and found again, live, as a drbd-9.0.32-1 kernel commits it and
 * drbd-utils 9.22.0's events2 prints it (the why of each line: events2-9-steps.ts). n2 is
 * Secondary, its peer n1 Primary (vm1 runs there).
 */
const FLEET = `option connect-delay=1000
host n1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
host n2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
domu vm1 mem=512 vcpus=1 home=n1 peer=n2 drbd=r0 running=n1
`;
const RES = 'resource name:r0';
const CONN = 'connection name:r0 peer-node-id:0 conn-name:n1';
const DEV = 'device name:r0 volume:0 minor:0 backing_dev:/dev/vg0/r0';
const PD = 'peer-device name:r0 peer-node-id:0 conn-name:n1 volume:0';
const HELPER = 'name:r0 peer-node-id:0 conn-name:n1';
const PATH = 'path name:r0 peer-node-id:0 conn-name:n1 local:ipv4:10.0.0.12:7788 peer:ipv4:10.0.0.11:7788';

const startSim = simPerTest();

async function watch(act: (s: Sim) => Promise<void>): Promise<{ dump: string; live: string[] }> {
  const s = await startSim({ fleet: FLEET });
  const ev = s.start('n2', 'drbdsetup', ['events2']);
  await s.advance(0);
  const dump = ev.stdout();
  await act(s);
  ev.kill();
  await ev.done;
  return { dump, live: ev.stdout().slice(dump.length).split('\n').filter((l) => l !== '').map((l) => l.replace(/^change /, '')) };
}

const agentView = (text: string): unknown => {
  const parsed = parseEvents2(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return viewsFromEvents(reduceDrbdAll(parsed.value), ['r0']).get('r0');
};

describe('drbdsetup events2 on DRBD 9: a connection lost and found', () => {
  it('the Primary peer powers off: NetworkFailure, the path, Unconnected, Connecting; and back', async () => {
    const { dump, live } = await watch(async (s) => {
      s.power('n1', 'off');
      await s.advance(0);
      expect(agentView((await s.run('n2', 'drbdsetup', ['events2', '--now'])).stdout)).toMatchObject({ connection: 'Connecting' });
      s.power('n1', 'on');
      await s.advance(5_000);
    });
    // a Secondary next to a Primary may not promote; 9.22.0 still scores it (compute_promotion_info)
    expect(dump).toContain(`exists ${RES} role:Secondary suspended:no force-io-failures:no may_promote:no promotion_score:10102\n`);
    expect(live).toEqual([
      `${RES} may_promote:no promotion_score:0`,
      `${CONN} connection:NetworkFailure role:Unknown`,
      `${DEV} disk:Consistent client:no quorum:yes`,
      `${PD} replication:Off peer-disk:DUnknown peer-client:no`,
      `${PATH} established:no`,
      `${RES} may_promote:yes promotion_score:10101`,
      `${DEV} disk:UpToDate client:no quorum:yes`,
      `call helper ${HELPER} helper:disconnected`,
      `response helper ${HELPER} helper:disconnected status:0`,
      `${CONN} connection:Unconnected`,
      `${CONN} connection:Connecting`,
      `${PATH} established:yes`,
      `${RES} may_promote:yes promotion_score:10102`,
      `${CONN} connection:Connected role:Secondary`,
      `${PD} replication:Established peer-disk:UpToDate peer-client:no`,
    ]);
  });

  it('the agent reads the loss as a peer gone, the local disk UpToDate again', async () => {
    const s = await startSim({ fleet: FLEET });
    const ev = s.start('n2', 'drbdsetup', ['events2']);
    await s.advance(0);
    s.power('n1', 'off');
    await s.advance(0);
    ev.kill();
    await ev.done;
    expect(agentView(ev.stdout())).toMatchObject({
      role: 'Secondary',
      disk: 'UpToDate',
      connection: 'Connecting',
      peers: [{ name: 'n1', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }],
    });
  });

  it('a split brain drops the connection hard: its helper, Disconnecting, the path, StandAlone; connect: Unconnected, Connecting', async () => {
    const { live } = await watch(async (s) => {
      expect(s.drbd('r0', 'split-brain').ok).toBe(true);
      await s.advance(0);
      expect(s.drbd('r0', 'connect').ok).toBe(true);
      await s.advance(5_000);
    });
    expect(live.filter((l) => l.startsWith(CONN) || l.startsWith(PATH) || / helper /.test(l))).toEqual([
      `call helper ${HELPER} volume:0 minor:0 helper:split-brain`,
      `response helper ${HELPER} volume:0 minor:0 helper:split-brain status:0`,
      `${CONN} connection:Disconnecting role:Unknown`,
      `${PATH} established:no`,
      `call helper ${HELPER} helper:disconnected`,
      `response helper ${HELPER} helper:disconnected status:0`,
      `${CONN} connection:StandAlone`,
      `${CONN} connection:Unconnected`,
      `${CONN} connection:Connecting`,
      `${PATH} established:yes`,
      `${CONN} connection:Connected role:Primary`,
    ]);
  });
});
