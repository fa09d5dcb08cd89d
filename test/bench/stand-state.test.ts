// The bench's stand-in agents load the controller with what a real Dom0 of a DRBD pair reports:
// its domU configs and DRBD resources too, not just its rows. What they send must be a report the
// controller takes, and a fleet of them a healthy one, or the bench measures alerts it made up.
import { describe, expect, it } from 'vitest';
import { mergeFleet } from '../../controller/fleet/merge.js';
import { HostStateSchema } from '../../shared/protocol/agent-link-state.js';
import { record } from '../controller/states.js';
import { standConfigs, standDomains, standResources, standState } from './stand-state.js';

const HOSTS = ['xen0', 'xen1', 'xen2', 'xen3', 'xen4'];
const PER_HOST = 3;
const NOW = 1_000_000;

describe("the bench's stand-in reports", () => {
  it("carry a config and a DRBD resource of every domU of the host's pair, as its agent would", () => {
    expect(standConfigs(2, HOSTS, PER_HOST).map((c) => [c.name, c.source, c.resources])).toEqual(
      ['vm2-0', 'vm2-1', 'vm2-2', 'vm3-0', 'vm3-1', 'vm3-2'].map((n) => [n, 'guarded', [{ name: `r-${n}`, hosts: ['xen2', 'xen3'] }]]),
    );
    const [own, partners] = [standResources(2, HOSTS, PER_HOST)[0], standResources(2, HOSTS, PER_HOST)[PER_HOST]];
    expect(own).toEqual({ name: 'r-vm2-0', role: 'Primary', disk: 'UpToDate', peers: [{ name: 'xen3', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established' }] });
    expect(partners).toMatchObject({ name: 'r-vm3-0', role: 'Secondary', peers: [{ name: 'xen3', role: 'Primary' }] });
    // the last host of an odd fleet has no partner: its own domUs alone, on resources naming it alone
    expect(standConfigs(4, HOSTS, PER_HOST).map((c) => c.resources[0]?.hosts)).toEqual([['xen4'], ['xen4'], ['xen4']]);
    expect(standResources(4, HOSTS, PER_HOST).every((r) => r.peers.length === 0)).toBe(true);
  });

  it('are reports the controller takes, and a fleet of them raises no alert', () => {
    const states = HOSTS.map((_, i) => standState(i, HOSTS, standDomains(i, PER_HOST), PER_HOST));
    for (const s of states) expect(HostStateSchema.parse(s)).toEqual(s);
    const fleet = mergeFleet(
      states.map((s, i) => record(HOSTS[i] ?? '', s, NOW)),
      { now: NOW, staleAfterMs: 30_000 },
    );
    expect(fleet.findings).toEqual([]);
  });
});
