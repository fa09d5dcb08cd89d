import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import { statusAnswer } from '../../../controller/fleet/views.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { ctlFor, impostor } from '../ctl/ctl-bed.js';
import { dom, guarded, hostState, record } from '../states.js';

// r1 has three nodes (DRBD 9). The controller restarted; xen1 has not reported since (dead
// through the restart), xen3 reported web1 running on r1, Primary, and then fell silent too (95 s).
// xen2, heard now, holds r1 Secondary, cut off from both, so web1, on no Dom0 heard now, may be
// down with xen1 (down-with-unreported.ts), and is also in xen3's last report. It is one domU: status
// counts it once, under xen1, as check names it there. The reports are written by hand in the
// link's shape, no tool captured.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
const config = { name: 'web1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r1', hosts: ['xen1', 'xen2', 'xen3'] }] };
type Peer = LinkDrbdResource['peers'][number];
const cut = (name: string): Peer => ({ name, role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null });
const linked = (name: string): Peer => ({ name, role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established' });
const xen3Last: LinkDrbdResource = { name: 'r1', role: 'Primary', disk: 'UpToDate', peers: [cut('xen1'), linked('xen2')] };
const xen2Now: LinkDrbdResource = { name: 'r1', role: 'Secondary', disk: 'UpToDate', peers: [cut('xen1'), cut('xen3')] };
const xen1: HostRecord = { ...record('xen1', null, NOW, false), lastSeen: null };
const parts = (r: LinkDrbdResource, running: boolean) => ({ domains: running ? [dom('web1')] : [], guarded: [guarded('web1', ['r1'])], domus: [config], drbd: { availability: 'ok' as const, resources: [r] } });

const merged = () => mergeFleet([xen1, record('xen2', hostState(parts(xen2Now, false)), NOW), record('xen3', hostState(parts(xen3Last, true)), NOW - 95_000, false)], fresh);

describe('a domU in an unreachable Dom0\'s last report, beside a Dom0 not reported since the controller started', () => {
  it('status counts web1 once, as maybe down with xen1, not also among the domUs only in unreachable hosts\' last reports', async () => {
    const m = merged();
    const answer = statusAnswer(m.index, mergedStatus(m, fresh).alerts, fresh);
    expect(answer.summary).toMatchObject({ domus: 0, domusUnreachable: 0 });
    expect(answer.hosts.find((h) => h.host === 'xen1')?.mayBeDown?.domus).toEqual(['web1']);
    // xen3's own line still lists it as last reported there
    expect(answer.hosts.find((h) => h.host === 'xen3')?.lastDomains).toEqual([expect.objectContaining({ name: 'web1' })]);
    const r = await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify(answer)), XENHERD_TOKEN: TOKEN });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n').find((l) => l.startsWith('fleet: '))).toBe('fleet: 3 hosts (1 reachable, 2 unreachable), 0 domUs running (1 more may be down with xen1), 0 migrating, 0 hosts not online');
  });

  it("xen1 heard now (its own report: web1 not there): web1 is counted once, in xen3's last report", () => {
    const m = mergeFleet([record('xen1', hostState(parts({ ...xen2Now, peers: [cut('xen2'), cut('xen3')] }, false)), NOW), record('xen2', hostState(parts(xen2Now, false)), NOW), record('xen3', hostState(parts(xen3Last, true)), NOW - 95_000, false)], fresh);
    const answer = statusAnswer(m.index, mergedStatus(m, fresh).alerts, fresh);
    expect(answer.summary).toMatchObject({ domus: 0, domusUnreachable: 1 });
    expect(answer.hosts.some((h) => h.mayBeDown !== undefined)).toBe(false);
  });
});
