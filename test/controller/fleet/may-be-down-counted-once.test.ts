import { describe, expect, it } from 'vitest';
import { drbdView } from '../../../controller/fleet/drbd-view.js';
import { checkFleet } from '../../../controller/fleet/fleet-check.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import { statusAnswer, whereMatches } from '../../../controller/fleet/views.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { ctlFor, impostor } from '../ctl/ctl-bed.js';
import { dom, guarded, hostState, record } from '../states.js';

// r1 has three nodes (DRBD 9). The controller restarted; xen1 has not reported since (dead
// through the restart), xen3 reported web1 running on r1, Primary, and then fell silent too (95 s).
// xen2, heard now, holds r1 Secondary, cut off from both. web1 runs on no Dom0 heard now, but
// xen3's last report lists it running: it may run there still, or be down with xen3, whose line
// says so from that report. Nothing says it ran on xen1, so it is not "may be down with xen1":
// check, status, where and drbd all tell it as xen3's. The reports are written by hand in the
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

const RUNBOOK = 'README, section "A Dom0 died with its own domUs on it"';

describe('a domU in an unreachable Dom0\'s last report, beside a Dom0 not reported since the controller started', () => {
  it('status counts web1 once, among the domUs only in unreachable hosts\' last reports (xen3\'s), not as maybe down with xen1', async () => {
    const m = merged();
    const answer = statusAnswer(m.index, mergedStatus(m, fresh).alerts, fresh);
    expect(answer.summary).toMatchObject({ domus: 0, domusUnreachable: 1 });
    expect(answer.hosts.some((h) => h.mayBeDown !== undefined)).toBe(false);
    expect(answer.hosts.find((h) => h.host === 'xen3')?.lastDomains).toEqual([expect.objectContaining({ name: 'web1' })]);
    const r = await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify(answer)), XENHERD_TOKEN: TOKEN });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n').find((l) => l.startsWith('fleet: '))).toBe("fleet: 3 hosts (1 reachable, 2 unreachable), 0 domUs running (1 more only in unreachable hosts' last reports), 0 migrating, 0 hosts not online");
  });

  it("check: xen3's line says web1 is down if xen3 is, from its last report; r1's line on xen2 waits for xen3 and names web1; xen1's line names nothing down", () => {
    const m = merged();
    const enrolment = { startedAt: NOW - 600_000, hosts: new Set(['xen1', 'xen2', 'xen3']), unreported: new Set(['xen1']), forgotten: new Map<string, number | null>() };
    const answer = CheckAnswerSchema.parse(checkFleet(m.index, mergedStatus(m, fresh).alerts, fresh, DEFAULT_CHECK_THRESHOLDS, new Set(), enrolment));
    expect(answer.details.find((d) => d.subject === 'xen3')?.text).toMatch(/; if xen3 is down, web1 is down with it: it held r1 Primary when last heard and xen2, heard now, is Secondary and cut off from it;/);
    expect(answer.details.find((d) => d.subject === 'r1 on xen2')).toMatchObject({ waitsFor: 'xen3', mayBeDown: ['web1'] });
    expect(answer.details.filter((d) => d.subject === 'xen1' || d.kind === 'host-not-reported').map((d) => d.text).join('\n')).not.toMatch(/web1/);
    expect(answer.details.map((d) => d.text).join('\n')).not.toMatch(/may be down with xen1|xen1 has not reported since the controller started and xen2/);
  });

  it('drbd: r1 says xen3 held it Primary, no may-be-down with xen1; where: web1 on xen3 as last reported', () => {
    const index = merged().index;
    const flags = drbdView(index, fresh, null, ['xen1'])[0]?.flags ?? [];
    expect(flags.filter((f) => f.kind === 'primary-unheard' || f.kind === 'may-be-down').map((f) => f.text)).toEqual([
      `xen3 held r1 Primary when last heard (web1 ran there) and xen2 is Secondary, so no Dom0 heard now writes it: if xen3 is down, web1 is down with it (${RUNBOOK}); promote r1 nowhere while xen3 may be up`,
    ]);
    const [where] = whereMatches(index, { kind: 'exact', name: 'web1' }, fresh, () => []);
    expect(where?.places.map((p) => [p.host, p.reachable])).toEqual([['xen3', false]]);
  });

  it("xen1 heard now (its own report: web1 not there): web1 is counted once, in xen3's last report", () => {
    const m = mergeFleet([record('xen1', hostState(parts({ ...xen2Now, peers: [cut('xen2'), cut('xen3')] }, false)), NOW), record('xen2', hostState(parts(xen2Now, false)), NOW), record('xen3', hostState(parts(xen3Last, true)), NOW - 95_000, false)], fresh);
    const answer = statusAnswer(m.index, mergedStatus(m, fresh).alerts, fresh);
    expect(answer.summary).toMatchObject({ domus: 0, domusUnreachable: 1 });
    expect(answer.hosts.some((h) => h.mayBeDown !== undefined)).toBe(false);
  });
});
