import { startFleet, type Fleet } from '../harness/fleet.js';

// Two Dom0s, three domUs at home on xen1, a primary and a standby controller: where a standby's
// drain of xen1 begins once the primary died.
const FLEET = `
option bandwidth=256 connect-delay=300
host xen1 mem=65536 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
host xen2 mem=65536 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
domu web1 mem=12288 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu web2 mem=12288 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen1
domu web3 mem=12288 vcpus=2 home=xen1 peer=xen2 drbd=r3 running=xen1
`;
const enrolled = () => new Set(['xen1', 'xen2']);

/** Whether WHICH controller hears HOST's agent now. */
export const hears = (f: Fleet, which: 'controller' | 'standby', host: string): boolean =>
  f[which]!.core.hosts().hosts.some((h) => h.host === host && h.reported && h.reachable);

/** The fleet with both agents first on the primary, then, the primary crashed, on the standby. */
export async function bothOnTheStandby(keep: (f: Fleet) => void): Promise<Fleet> {
  const f = await startFleet(FLEET, { controller: { identity: 'xenherd-controller@ctl1:7443', enrolled }, standby: { identity: 'xenherd-controller@ctl2:7443', enrolled } });
  keep(f);
  for (const h of ['xen1', 'xen2']) f.startAgent(h);
  await f.until(() => hears(f, 'controller', 'xen1') && hears(f, 'controller', 'xen2'), 'both report to the primary');
  f.controller!.crash();
  await f.until(() => hears(f, 'standby', 'xen1') && hears(f, 'standby', 'xen2'), 'both report to the standby', 120_000, 100);
  return f;
}
