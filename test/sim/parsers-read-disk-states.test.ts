import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../agent/adapters/drbd-view.js';
import { parseDrbdDstate } from '../../agent/parse/drbd-role.js';
import { parseDrbdStatusJson } from '../../agent/parse/drbd-status-json.js';
import { parseDrbdStatus } from '../../agent/parse/drbd-status.js';
import { parseEvents2 } from '../../agent/parse/events2.js';
import { parseProcDrbd } from '../../agent/parse/proc-drbd.js';
import { emptyDrbdState, reduceDrbdAll, type DrbdState } from '../../agent/state/drbd-reducer.js';
import type { DiskState } from './model/types.js';
import type { Sim } from './sim.js';
import { simPerTest } from './sim-per-test.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every disk state a detach or an attach passes through, as the simulator prints it in each tool
 * the agent reads, on both DRBD versions, read back by the agent's own parsers: the local disk on
 * xen1 and the peer's view of it on xen2. Detaching is DRBD 9's alone (8.4's detach is Failed).
 */
const fleet = (drbd: string): string => `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
host xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
domu vm1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r0
`;
const WORDS: readonly DiskState[] = ['Failed', 'Diskless', 'Detaching', 'Attaching', 'Negotiating', 'Inconsistent'];
const startSim = simPerTest();

const ok = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }, what: string): T => {
  if (!r.ok) throw new Error(`${what}: ${JSON.stringify(r.error)}`);
  return r.value;
};

const setDisk = (s: Sim, disk: DiskState): void =>
  s.force(`xen1's disk of r0 ${disk}`, (st) => ({ ...st, drbd: { ...st.drbd, r0: { ...st.drbd.r0!, replicas: { ...st.drbd.r0!.replicas, xen1: { ...st.drbd.r0!.replicas.xen1!, disk } } } } }));

const eventsDisk = (st: DrbdState): { disk: string | null | undefined; peerDisk: string | null | undefined } => {
  const res = st.resources.get('r0');
  const conn = [...(res?.connections.values() ?? [])][0];
  return { disk: res?.devices.get(0)?.disk, peerDisk: conn?.peerDevices.get(0)?.peerDisk };
};

/** what each tool says of xen1's disk, on xen1 (local) and xen2 (peer) */
async function readBoth(s: Sim, v84: boolean): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [host, side] of [['xen1', 'local'], ['xen2', 'peer']] as const) {
    const status = resourceViewFromStatus(ok(parseDrbdStatus((await s.run(host, 'drbdadm', ['status', 'r0'])).stdout), `${host} status`)[0]!);
    out[`${side} status`] = side === 'local' ? status.disk : status.peerDisk;
    const [dstate] = ok(parseDrbdDstate((await s.run(host, 'drbdadm', ['dstate', 'r0'])).stdout), `${host} dstate`);
    out[`${side} dstate`] = dstate?.kind === 'disks' ? (side === 'local' ? dstate.local : dstate.peers[0]) : dstate;
    const dump = reduceDrbdAll(ok(parseEvents2((await s.run(host, 'drbdsetup', ['events2', '--now', 'r0'])).stdout), `${host} events2`), emptyDrbdState);
    out[`${side} events2`] = side === 'local' ? eventsDisk(dump).disk : eventsDisk(dump).peerDisk;
    if (v84) {
      const [minor] = ok(parseProcDrbd(readFileSync(join(s.hostRoot(host), 'proc/drbd'), 'utf8')), `${host} /proc/drbd`).minors;
      out[`${side} /proc/drbd`] = minor && !minor.unconfigured ? (side === 'local' ? minor.disk : minor.peerDisk) : minor;
    } else {
      const json = ok(parseDrbdStatusJson((await s.run(host, 'drbdsetup', ['status', '--json', 'r0'])).stdout), `${host} status --json`)[0];
      out[`${side} status --json`] = side === 'local' ? json?.devices[0]?.['disk-state'] : json?.connections[0]?.peer_devices[0]?.['peer-disk-state'];
    }
  }
  return out;
}

describe.each([
  ['8.4', '8.4.11', WORDS.filter((w) => w !== 'Detaching')],
  ['9', '9.0.32-1', WORDS],
] as const)('DRBD %s: the agent reads every disk state of a detach and an attach as the simulator prints it', (major, version, words) => {
  it.each(words)('%s', async (disk) => {
    const s = await startSim({ fleet: fleet(version) });
    await s.advance(3000);
    const watch = s.start('xen2', 'drbdsetup', ['events2', 'r0']);
    await s.advance(10);
    setDisk(s, disk);
    const tools = major === '8.4' ? ['status', 'dstate', 'events2', '/proc/drbd'] : ['status', 'dstate', 'events2', 'status --json'];
    expect(await readBoth(s, major === '8.4')).toEqual(Object.fromEntries(['local', 'peer'].flatMap((side) => tools.map((t) => [`${side} ${t}`, disk]))));
    // the live line the peer's stream prints, read into the same state
    watch.kill();
    const live = reduceDrbdAll(ok(parseEvents2((await watch.done).stdout), 'xen2 events2 stream'), emptyDrbdState);
    expect(eventsDisk(live).peerDisk).toBe(disk);
  });
});
