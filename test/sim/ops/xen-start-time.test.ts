import { describe, expect, it } from 'vitest';
import { parseFleet } from '../model/fleet-file.js';
import type { SimState } from '../model/types.js';
import { uuidFor } from '../model/uuid.js';
import { createDomain } from './domain.js';
import { ackMigration, finishMigration, startMigration } from './migrate.js';
import type { OpResult } from './result.js';

// libxl's /vm path and start_time, as the simulator writes them: at xl create
// (libxl__domain_build) and at a migration's arrival (domcreate_stream_done), "%lu.%02d"

const FLEET = `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
host old1 mem=8192 cpus=2 toolstack=xm xen=4.1.6 drbd=8.4
domu vm1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r1 running=xen1
domu vm2 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r2
`;
const state = (r: OpResult): SimState => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.state;
};
const xs = (s: SimState, host: string) => s.xenstore[host] ?? {};
const guest = (s: SimState) => {
  const vm1 = s.domains.find((d) => d.name === 'vm1');
  if (vm1 === undefined) throw new Error('the fleet runs vm1');
  return vm1.guest;
};
const spec = (s: SimState) => ({ name: 'vm2', memMiB: 512, vcpus: 1, drbd: ['r2'], configPath: null, guest: guest(s) });

describe("the simulator's start_time", () => {
  it('xl create writes the /vm path and start_time, seconds and hundredths; the domain gone takes them with it', () => {
    const s0 = parseFleet(FLEET);
    const s = state(createDomain({ ...s0, now: 1_735_689_600_078 }, 'xen1', spec(s0)));
    const domid = s.domains.find((d) => d.name === 'vm2')?.domid;
    const uuid = uuidFor('vm2');
    expect(xs(s, 'xen1')[`/local/domain/${domid}/vm`]).toBe(`/vm/${uuid}`);
    expect(xs(s, 'xen1')[`/vm/${uuid}/start_time`]).toBe('1735689600.07');
  });

  it('a domain of the fleet file is one xl created as the simulation starts', () => {
    const s = parseFleet(FLEET);
    expect(xs(s, 'xen1')[`/vm/${uuidFor('vm1')}/start_time`]).toBe(`${Math.floor(s.now / 1000)}.${String(Math.floor((s.now % 1000) / 10)).padStart(2, '0')}`);
  });

  it("a migration's receiving side writes its own start_time when the stream is done, not the sender's", () => {
    const s0 = parseFleet(FLEET);
    const started = startMigration({ ...s0, now: s0.now + 60_000 }, 'vm1', 'xen1', 'xen2', 'xl');
    const id = started.id ?? 0;
    const moving = state(started);
    const uuid = uuidFor('vm1');
    expect(xs(moving, 'xen2')[`/vm/${uuid}/start_time`]).toBeUndefined();
    const acked = ackMigration({ ...moving, now: s0.now + 90_000 }, id);
    expect(xs(acked, 'xen2')[`/vm/${uuid}/start_time`]).toBe(`${Math.floor((s0.now + 90_000) / 1000)}.${String(Math.floor(((s0.now + 90_000) % 1000) / 10)).padStart(2, '0')}`);
    const done = finishMigration(acked, id);
    expect(xs(done, 'xen1')[`/vm/${uuid}/start_time`]).toBeUndefined();
    const arrived = done.domains.find((d) => d.host === 'xen2' && d.name === 'vm1')?.domid;
    expect(xs(done, 'xen2')[`/local/domain/${arrived}/vm`]).toBe(`/vm/${uuid}`);
  });

  it('xend (xm) is not simulated: an xm host has no start_time to read', () => {
    const s0 = parseFleet(FLEET);
    const s = state(createDomain(s0, 'old1', { ...spec(s0), drbd: [] }));
    expect(Object.keys(xs(s, 'old1')).filter((k) => k.startsWith('/vm/'))).toEqual([]);
  });
});
