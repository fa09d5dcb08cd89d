import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import type { HostState, LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import type { WhereDisk } from '../../../shared/protocol/ctl-where.js';
import { whereColumns } from '../../../controller/ctl/where-line.js';
import { dom, guarded, hostState } from '../states.js';
import { coreBed, T0, type CoreBed } from './core-bed.js';

// web1 on r4: at home on xen1 (its migrate-tab), xen3 its DRBD partner holding a standby config
const config = { name: 'web1', source: 'config-dir' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r4', hosts: ['xen1', 'xen3'] }] };
const r4 = (role: 'Primary' | 'Secondary', peer: string, peerRole: 'Primary' | 'Secondary' | null, connection: string): LinkDrbdResource => ({
  name: 'r4',
  role,
  disk: 'UpToDate',
  peers: [{ name: peer, role: peerRole, connection, disk: connection === 'Connected' ? 'UpToDate' : null, replication: connection === 'Connected' ? 'Established' : null }],
});
const xen1State = (running: boolean, res: LinkDrbdResource): HostState =>
  hostState({
    domains: running ? [dom('web1')] : [],
    homes: [{ name: 'web1', peer: 'xen3', source: 'migrate-tab' }],
    guarded: [guarded('web1', ['r4'])],
    domus: [{ ...config, source: 'guarded' }],
    drbd: { availability: 'ok', resources: [res] },
  });
const xen3State = (running: boolean, res: LinkDrbdResource): HostState => hostState({ domains: running ? [dom('web1', { domid: 12 })] : [], domus: [config], drbd: { availability: 'ok', resources: [res] } });

const MIN = 60_000;

/**
 * The controller sees web1 start at home on xen1 after a minute, run an hour, the replication link
 * cut and after 5 minutes web1 started by hand on xen3 (r4 Primary there): both Primary and
 * StandAlone. STARTED and CUT: when web1 started on xen1 and on xen3.
 */
async function splitByHand(bed: CoreBed) {
  const xen1 = await bed.online('xen1', xen1State(false, r4('Secondary', 'xen3', 'Secondary', 'Connected')));
  const xen3 = await bed.online('xen3', xen3State(false, r4('Secondary', 'xen1', 'Secondary', 'Connected')));
  const beat = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 500) {
      await bed.clock.advance(500);
      xen1.agent.heartbeat();
      xen3.agent.heartbeat();
    }
  };
  await beat(MIN);
  const started = bed.clock.now();
  xen1.agent.delta(xen1State(true, r4('Primary', 'xen3', 'Secondary', 'Connected')));
  xen3.agent.delta(xen3State(false, r4('Secondary', 'xen1', 'Primary', 'Connected')));
  await beat(60 * MIN);
  xen1.agent.delta(xen1State(true, r4('Primary', 'xen3', null, 'StandAlone')));
  xen3.agent.delta(xen3State(false, r4('Secondary', 'xen1', null, 'StandAlone')));
  await beat(5 * MIN);
  const cut = bed.clock.now();
  xen3.agent.delta(xen3State(true, r4('Primary', 'xen1', null, 'StandAlone')));
  await beat(10_000);
  return { xen1, xen3, beat, started, cut };
}

/** web1's StandAlone disk as `where` answers it, and the line xenherdctl shows for it */
function whereWeb1(bed: CoreBed): { disk: WhereDisk | undefined; line: string } {
  const w = bed.core.where('web1');
  const m = w.ok ? w.value.matches[0] : undefined;
  return { disk: m?.drbd?.find((d) => d.kind === 'standalone'), line: m === undefined ? '' : whereColumns(m, bed.clock.now()).join('  ') };
}

const at = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

describe("a split brain's alerts help choose the side to discard", () => {
  it('each side says since when its copy ran and r4 was Primary there, which is the home, and which was Primary longer while cut', async () => {
    const bed = coreBed();
    const { started, cut } = await splitByHand(bed);

    expect(started).toBe(T0 + MIN);
    const sides = `; to choose the copy to keep: xen1 (web1's home): runs web1 since ${at(started)}, r4 Primary since ${at(started)}; xen3: runs web1 since ${at(cut)}, r4 Primary since ${at(cut)}; r4 has been Primary longer on xen1; the copy clients reached last holds the newest writes (compare the guests' own clocks and logs), never decide by this alone: see "DRBD split brain" in the README`;
    const alerts = bed.core.status().alerts;
    expect(alerts.map((a) => a.id).sort()).toEqual(['drbd-primary-on-both:r4@xen1+xen3', 'running-on-two-hosts:web1']);
    for (const a of alerts) expect(a.message.endsWith(sides)).toBe(true);
    // check's lines are the alerts' words: what the pager shows says it too
    const check = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(check.details.filter((d) => d.text.includes(sides)).length).toBeGreaterThanOrEqual(1);
    // `xenherdctl drbd r4`: its first split-brain flag (Primary on both while cut; then StandAlone) says each side too
    const drbd = bed.core.drbd('r4');
    const flags = drbd.ok ? (drbd.value.resources[0]?.flags ?? []) : [];
    expect(flags.filter((f) => f.kind === 'split-brain').map((f) => f.text.split('; each side: ')[1])).toEqual([
      `xen1 (web1's home): runs web1 since ${at(started)}, r4 Primary since ${at(started)}; xen3: runs web1 since ${at(cut)}, r4 Primary since ${at(cut)}; r4 has been Primary longer on xen1`,
      undefined,
    ]);
  });

  it('copies running already when the controller first heard of their Dom0s are "or earlier", and no side is called Primary longer', async () => {
    const bed = coreBed();
    await bed.online('xen1', xen1State(true, r4('Primary', 'xen3', null, 'StandAlone')));
    await bed.online('xen3', xen3State(true, r4('Primary', 'xen1', null, 'StandAlone')));
    await bed.clock.advance(500);
    const at = `${new Date(T0).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const message = bed.core.status().alerts.find((a) => a.kind === 'running-on-two-hosts')?.message ?? '';
    expect(message).toContain(
      `; to choose the copy to keep: xen1 (web1's home): runs web1 since ${at} or earlier, r4 Primary since ${at} or earlier; xen3: runs web1 since ${at} or earlier, r4 Primary since ${at} or earlier ("or earlier": so already when this controller first heard of that Dom0); the copy clients reached last`,
    );
    expect(message).not.toContain('longer');
  });

  it("the victim demoted (the runbook's first step) still says it was Primary while cut, until r4 is Connected again", async () => {
    const bed = coreBed();
    const { xen1, xen3, beat, started, cut } = await splitByHand(bed);
    await beat(20 * MIN);
    // on xen3, the side whose writes are thrown away: `xl shutdown -w web1`, `drbdadm secondary r4`
    xen3.agent.delta(xen3State(false, r4('Secondary', 'xen1', null, 'StandAlone')));
    await beat(10_000);
    const demoted = bed.clock.now() - 10_000;
    expect(bed.core.status().alerts).toEqual([]);
    const sides = `xen1 (web1's home): runs web1 since ${at(started)}, r4 Primary since ${at(started)}; xen3: r4 Primary from ${at(cut)} to ${at(demoted)} while cut`;
    const drbd = bed.core.drbd('r4');
    const flags = drbd.ok ? (drbd.value.resources[0]?.flags ?? []) : [];
    expect(flags.filter((f) => f.kind === 'split-brain').map((f) => f.text.split('; each side: ')[1])).toEqual([sides]);
    // `xenherdctl where web1` and its --json say it in the same words
    const { disk, line } = whereWeb1(bed);
    expect(disk?.sides?.[1]).toEqual({ host: 'xen3', wasPrimary: { since: { at: cut }, until: demoted } });
    expect(line).toContain(`; xen3: Primary from ${at(cut)} to ${at(demoted)} while cut): see "DRBD split brain"`);
    // no alert is open any more: check's StandAlone line is what the pager shows, and says it too
    const check = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(check.details.map((d) => d.text)).toContain(
      `DRBD r4 (web1) between xen1 and xen3: on xen1 peer xen3 not connected (StandAlone); on xen3 peer xen1 not connected (StandAlone): nothing replicates; after a split brain, see "DRBD split brain" in the README; each side: ${sides}`,
    );

    // `drbdadm connect --discard-my-data r4` on xen3, `drbdadm connect r4` on xen1: Connected, the span dropped
    xen1.agent.delta(xen1State(true, r4('Primary', 'xen3', 'Secondary', 'Connected')));
    xen3.agent.delta(xen3State(false, r4('Secondary', 'xen1', 'Primary', 'Connected')));
    await beat(10_000);
    // cut again later, xen3 never Primary since: nothing of the old split
    xen1.agent.delta(xen1State(true, r4('Primary', 'xen3', null, 'StandAlone')));
    xen3.agent.delta(xen3State(false, r4('Secondary', 'xen1', null, 'StandAlone')));
    await beat(10_000);
    const again = bed.core.drbd('r4');
    const later = again.ok ? (again.value.resources[0]?.flags ?? []) : [];
    expect(later.filter((f) => f.kind === 'split-brain').map((f) => f.text.split('; each side: ')[1])).toEqual([`xen1 (web1's home): runs web1 since ${at(started)}, r4 Primary since ${at(started)}; xen3: no time known`]);
  });

  it('the victim demoted while its Dom0 was unheard: the end is said as a bound, by the first report after, with since when it was unheard', async () => {
    const bed = coreBed();
    const { xen1, cut } = await splitByHand(bed);
    const heard = bed.clock.now();
    // xen3's link lost for two minutes; meanwhile someone demotes r4 there
    for (let t = 0; t < 2 * MIN; t += 500) {
      await bed.clock.advance(500);
      xen1.agent.heartbeat();
    }
    await bed.online('xen3', xen3State(false, r4('Secondary', 'xen1', null, 'StandAlone')));
    const back = bed.clock.now();
    const span = `xen3: r4 Primary from ${at(cut)} while cut, ended by ${at(back)} (not heard from ${at(heard)} until then)`;
    const drbd = bed.core.drbd('r4');
    const flags = drbd.ok ? (drbd.value.resources[0]?.flags ?? []) : [];
    expect(flags.filter((f) => f.kind === 'split-brain').map((f) => f.text.split('; each side: ')[1])).toEqual([expect.stringContaining(span)]);
    const { disk, line } = whereWeb1(bed);
    expect(disk?.sides?.[1]).toEqual({ host: 'xen3', wasPrimary: { since: { at: cut }, until: back, unheardFrom: heard } });
    expect(line).toContain(`; xen3: Primary from ${at(cut)} while cut, ended by ${at(back)} (not heard from ${at(heard)} until then)): see`);
  });
});
