import { describe, expect, it } from 'vitest';
import { drbdNotUpToDate } from '../../../controller/fleet/drbd-degraded.js';
import { drbdView } from '../../../controller/fleet/drbd-view.js';
import { checkFleet } from '../../../controller/fleet/fleet-check.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, record } from '../states.js';

// r2 has three nodes: xen1 ran db1 on it, Primary, and is gone (powered off: unheard for 95 s);
// xen2 holds the other disk, tb is a diskless tiebreaker outside the fleet. xen2's DRBD 9 shows
// xen1 Connecting with its role forgotten (events2 `connection:Connecting role:Unknown`) and tb
// still Connected. The reports are written by hand in the link's shape, no tool captured.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = { name: 'db1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2', 'tb'] }] };
const tb = { name: 'tb', role: 'Secondary' as const, connection: 'Connected', disk: 'Diskless', replication: 'Established', client: true as const };
const xen1Last: LinkDrbdResource = { name: 'r2', role: 'Primary', disk: 'UpToDate', peers: [tb, { name: 'xen2', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established' }] };
const xen2Now: LinkDrbdResource = { name: 'r2', role: 'Secondary', disk: 'UpToDate', peers: [tb, { name: 'xen1', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }] };

const merged = (xen1Heard: boolean, r2OnXen2: LinkDrbdResource = xen2Now) =>
  mergeFleet(
    [
      record('xen1', hostState({ domains: [dom('db1')], guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [xen1Last] } }), xen1Heard ? NOW : NOW - 95_000),
      record('xen2', hostState({ guarded: [guarded('db1', ['r2'])], domus: [config], drbd: { availability: 'ok', resources: [r2OnXen2] } }), NOW),
    ],
    fresh,
  );
const fleet = (xen1Heard: boolean) => merged(xen1Heard).index;
const unreachableLine = (r2OnXen2?: LinkDrbdResource): string | undefined => {
  const m = merged(false, r2OnXen2);
  const answer = CheckAnswerSchema.parse(checkFleet(m.index, mergedStatus(m, fresh).alerts, fresh, DEFAULT_CHECK_THRESHOLDS));
  return answer.details.find((d) => d.kind === 'host-unreachable')?.text;
};

const SAID = 'xen1 held r2 Primary when last heard (db1 ran there) and xen2 is Secondary, so no Dom0 heard now writes it: if xen1 is down, db1 is down with it (README, section "A Dom0 died with its own domUs on it"); promote r2 nowhere while xen1 may be up';

describe('a DRBD 9 resource whose Primary is gone', () => {
  it('check: the cut link to xen1 is said as the Primary gone, with the runbook, and the short line names the one link cut (xen2 still reaches tb)', () => {
    const [p] = drbdNotUpToDate(fleet(false), fresh);
    expect(p?.short).toBe('DRBD r2 (db1) not connected to xen1 on xen2');
    expect(p?.text).toMatch(/^DRBD r2 \(db1\) on xen2: peer xen1 not connected \(Connecting\): replication is down, waiting for its peer Dom0 xen1 /);
    expect(p?.text.endsWith(`; ${SAID}`)).toBe(true);
  });

  it('xenherdctl drbd: a primary-unheard flag beside not-connected says what the operator needs', () => {
    const [v] = drbdView(fleet(false), fresh, null);
    expect(v?.flags.find((f) => f.kind === 'primary-unheard')?.text).toBe(SAID);
    expect(v?.ok).toBe(false);
  });

  it('xen1 heard now (the link alone cut): no such words, it still writes r2 itself', () => {
    const live = fleet(true);
    expect(drbdNotUpToDate(live, fresh).map((p) => p.text).join('\n')).not.toMatch(/held r2 Primary/);
    expect(drbdView(live, fresh, null)[0]?.flags.map((f) => f.kind)).not.toContain('primary-unheard');
  });

  // xenherdctl folds the resources that wait for one Dom0 into a line saying they clear once it is
  // back, so the page must say on the Dom0's own line that what it ran is down if it is
  it("check: xen1's own unreachable line says db1 is down if xen1 is, and points to the runbook", () => {
    expect(unreachableLine()).toBe(
      'xen1: agent unreachable (last heard 95 s ago): check that xen1 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent; ' +
        'if xen1 is down, db1 is down with it: it held r2 Primary when last heard and xen2, heard now, is Secondary and cut off from it; start it elsewhere only once xen1 is surely off (README, section "A Dom0 died with its own domUs on it")',
    );
  });

  it('check: once xen2 holds r2 Primary (the runbook followed), xen1\'s line no longer says db1 is down', () => {
    expect(unreachableLine({ ...xen2Now, role: 'Primary' })).not.toMatch(/down with it/);
  });
});
