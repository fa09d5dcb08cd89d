import { describe, expect, it } from 'vitest';
import { dom, guarded, hostState, primary } from '../states.js';
import { controllerBed } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

const config = { name: 'web01', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r-web01', hosts: ['xen1', 'xen2'] }] };
const RUNBOOK = 'see "A failed disk under DRBD" in the README';

/** web01 runs on xen1, whose disk of r-web01 DRBD detached; PEER is how xen1's DRBD names xen2 (9: its host, 8.4: "peer") */
async function detachedUnderWeb01(peer: string, disk: string, peerDisk = 'UpToDate', tiebreaker = false) {
  const c = await bed.start();
  const xen1 = await c.agent('xen1');
  const xen2 = await c.agent('xen2');
  xen1.hello();
  xen2.hello();
  // a DRBD 9 diskless tiebreaker listed first, as drbdsetup orders connections by name
  const tb = tiebreaker ? [{ name: 'tb', role: 'Secondary' as const, connection: 'Connected', disk: 'Diskless', replication: 'Established', client: true as const }] : [];
  const detached = { ...primary('r-web01', peer), disk, peers: [...tb, { name: peer, role: 'Secondary' as const, connection: 'Connected', disk: peerDisk, replication: 'Established' }] };
  xen1.snapshot(hostState({ domains: [dom('web01', { state: 'running' })], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web01')], domus: [config], drbd: { availability: 'ok', resources: [detached] } }));
  xen2.snapshot(hostState({ domus: [config], drbd: { availability: 'ok', resources: [{ ...primary('r-web01', peer === 'peer' ? 'peer' : 'xen1', 'Secondary', 'Primary'), peers: [{ name: peer === 'peer' ? 'peer' : 'xen1', role: 'Primary', connection: 'Connected', disk, replication: 'Established' }] }] } }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both reported', { limitMs: 10_000 });
  return ctlFor(c);
}

describe('xenherdctl where: a domU whose disk DRBD detached where it runs', () => {
  it('DRBD 9 (Diskless): the line names the failed disk and the peer whose disk it runs on; -q prints only the Dom0; --json carries it; exit 0', async () => {
    const ctl = await detachedUnderWeb01('xen2', 'Diskless');
    const r = await ctl(['where', 'web01']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(new RegExp(`^web01 {2}xen1 {2}running {2}home xen1 {2}as of \\d+\\.\\d s {2}DRBD r-web01: disk failed on xen1, running on xen2's disk over the network: ${RUNBOOK}\\n$`));
    expect(await ctl(['where', '-q', 'web01'])).toEqual({ code: 0, stdout: 'xen1\n', stderr: '' });
    const j = await ctl(['where', '--json', 'web01']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout).matches[0].drbd).toEqual([{ resource: 'r-web01', kind: 'disk-failed', hosts: ['xen1', 'xen2'] }]);
  });

  it('DRBD 8.4 (Failed, the peer called "peer"): the peer is the other host the .res file names', async () => {
    const ctl = await detachedUnderWeb01('peer', 'Failed');
    const r = await ctl(['where', 'web01']);
    expect(r.stdout).toContain(`  DRBD r-web01: disk failed on xen1, running on xen2's disk over the network: ${RUNBOOK}\n`);
  });

  it('DRBD 9 with a diskless tiebreaker beside the peer: still names the peer whose disk it runs on', async () => {
    const ctl = await detachedUnderWeb01('xen2', 'Diskless', 'UpToDate', true);
    const r = await ctl(['where', 'web01']);
    expect(r.stdout).toContain(`  DRBD r-web01: disk failed on xen1, running on xen2's disk over the network: ${RUNBOOK}\n`);
  });

  it('DRBD 9 peer outside the fleet with a `_` in its name (drbdadm takes one): named, and every form of where still answers', async () => {
    const ctl = await detachedUnderWeb01('stor_1', 'Diskless');
    const r = await ctl(['where', 'web01']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`  DRBD r-web01: disk failed on xen1, running on stor_1's disk over the network: ${RUNBOOK}\n`);
    expect(await ctl(['where', '-q', 'web01'])).toEqual({ code: 0, stdout: 'xen1\n', stderr: '' });
    const all = await ctl(['where', '--json', '*']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).matches[0].drbd).toEqual([{ resource: 'r-web01', kind: 'disk-failed', hosts: ['xen1', 'stor_1'] }]);
  });

  it('a peer name no host could have (a blank in it): read as 8.4\'s, the other host the .res file names', async () => {
    const ctl = await detachedUnderWeb01('stor 1', 'Diskless');
    const r = await ctl(['where', 'web01']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`  DRBD r-web01: disk failed on xen1, running on xen2's disk over the network: ${RUNBOOK}\n`);
  });

  it('no UpToDate peer disk to run on: said so, no peer named', async () => {
    const ctl = await detachedUnderWeb01('xen2', 'Diskless', 'Outdated');
    const r = await ctl(['where', 'web01']);
    expect(r.stdout).toContain(`  DRBD r-web01: disk failed on xen1, with no UpToDate disk of a connected peer to run on: ${RUNBOOK}\n`);
    expect(r.code).toBe(0);
  });
});
