import { seededRandom } from '../../shared/random.js';

/**
 * A fleet for one fault run: HOSTS Dom0s in a ring of DRBD pairs (each host's domUs replicate to
 * the next one), so a drain spreads a host's domUs over two peers and a restore has visitors to
 * send home. Sizes vary with the seed; every domU fits on its peer with its peer's own. Migrations
 * take seconds (256 MiB/s), so faults land in the middle of them.
 */
export interface FaultFleet {
  readonly text: string;
  readonly hosts: readonly string[];
  readonly domus: readonly { readonly name: string; readonly home: string; readonly peer: string; readonly resource: string }[];
}

export function faultFleet(seed: number, hostCount = 4, domusPerHost = 2): FaultFleet {
  const rnd = seededRandom(seed ^ 0x5eed);
  const hosts = Array.from({ length: hostCount }, (_, i) => `xen${i + 1}`);
  const lines = ['option bandwidth=256 connect-delay=2000'];
  for (const h of hosts) lines.push(`host ${h} mem=32768 cpus=16 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes`);
  const domus: { name: string; home: string; peer: string; resource: string }[] = [];
  let r = 0;
  hosts.forEach((home, i) => {
    // the ring: half to the next host, half to the one before, so a drain spreads over two peers
    for (let k = 0; k < domusPerHost; k++) {
      const peer = hosts[(i + (k % 2 === 0 ? 1 : hostCount - 1)) % hostCount] as string;
      const name = `vm${i + 1}${String.fromCharCode(97 + k)}`;
      const mem = [1024, 2048, 4096][Math.floor(rnd() * 3)] as number;
      const resource = `r${++r}`;
      domus.push({ name, home, peer, resource });
      lines.push(`domu ${name} mem=${mem} vcpus=1 home=${home} peer=${peer} drbd=${resource} running=${home}`);
    }
  });
  return { text: `${lines.join('\n')}\n`, hosts, domus };
}
