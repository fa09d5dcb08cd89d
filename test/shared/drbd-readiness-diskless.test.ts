import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../agent/adapters/drbd-view.js';
import { parseDrbdStatus } from '../../agent/parse/drbd-status.js';
import { drbdNotReady, FAILED_DISK_SECTION, type DrbdReadinessPeer, type DrbdReadinessView, type MoveSide } from '../../shared/drbd-readiness.js';

// A disk DRBD detached (on-io-error detach: Failed, then Diskless) leaves the domU running on the
// peer's disk over the network. Leaving that Dom0 for its UpToDate peer is the way out; going to
// it is not. Every pair of disk states, from either end of the move, as DRBD 8.4 and 9 report them.

const DISKS = ['UpToDate', 'Diskless', 'Failed', 'Detaching', 'Outdated', 'Inconsistent', 'DUnknown'] as const;
const GONE = new Set(['Diskless', 'Failed', 'Detaching']);
const WAIT = 'wait for UpToDate/UpToDate before migrating';

/** xen1's view of r1 with xen2: DRBD 8.4 names its one peer "peer", DRBD 9 after the peer host */
const seenFrom = (major: '8.4' | '9', disk: string, peerDisk: string, connection: string | null = 'Connected', replication: string | null = 'Established'): DrbdReadinessView => ({
  name: 'r1',
  up: true,
  disk,
  peers: [{ name: major === '8.4' ? 'peer' : 'xen2', connection, disk: peerDisk, replication, syncedPercent: null } satisfies DrbdReadinessPeer],
});

describe('drbdNotReady: a disk DRBD detached, by which end of the move it is on', () => {
  for (const major of ['8.4', '9'] as const) {
    for (const side of ['source', 'target'] as const satisfies readonly MoveSide[]) {
      it(`DRBD ${major}, xen1 the ${side}: Connected passes with both UpToDate, or with the source's disk gone and the target's UpToDate; nothing else`, () => {
        for (const disk of DISKS) {
          for (const peerDisk of DISKS) {
            const [sourceDisk, targetDisk] = side === 'source' ? [disk, peerDisk] : [peerDisk, disk];
            const may = targetDisk === 'UpToDate' && (sourceDisk === 'UpToDate' || GONE.has(sourceDisk));
            const verdict = drbdNotReady('xen1', 'xen2', seenFrom(major, disk, peerDisk), side);
            expect({ disk, peerDisk, ready: verdict === null }).toEqual({ disk, peerDisk, ready: may });
            // a gone disk never comes back by itself: never waited for, never "wait" for UpToDate/UpToDate on it
            if (verdict !== null && (GONE.has(disk) || GONE.has(peerDisk))) {
              expect(verdict.clearsUp).toBe(false);
              if (!GONE.has(targetDisk)) expect(verdict.text).not.toContain(WAIT);
            }
          }
        }
      });
    }
  }

  it('the way off a Diskless source passes the same whether DRBD 9 prints the connection word or not', () => {
    expect(drbdNotReady('xen1', 'xen2', seenFrom('9', 'Diskless', 'UpToDate', null, null), 'source')).toBeNull();
    expect(drbdNotReady('xen2', 'xen1', { ...seenFrom('9', 'UpToDate', 'Diskless', null, null), peers: [{ name: 'xen1', connection: null, disk: 'Diskless', replication: null, syncedPercent: null }] }, 'target')).toBeNull();
  });

  it('to the Diskless side: refused, naming the Dom0 without a disk, drbdadm attach there and the README section', () => {
    const attach = 'replace xen2\'s disk if it failed and attach it (`drbdadm attach r1` on xen2; README, section "A failed disk under DRBD"), then wait for UpToDate/UpToDate before migrating, or move the domU to a Dom0 whose disk is UpToDate';
    // seen from the source (xen1, UpToDate) and from the target (xen2 itself)
    expect(drbdNotReady('xen1', 'xen2', seenFrom('8.4', 'UpToDate', 'Diskless'), 'source')).toEqual({
      state: 'Connected',
      clearsUp: false,
      text: `r1 on xen1 is Connected (disk UpToDate, peer Diskless): xen2's disk of r1 is Diskless, so there the domU would run on xen1's disk over the network: ${attach}`,
    });
    const fromTarget = { ...seenFrom('9', 'Diskless', 'UpToDate'), peers: [{ name: 'xen1', connection: 'Connected', disk: 'UpToDate', replication: 'Established', syncedPercent: null }] };
    expect(drbdNotReady('xen2', 'xen1', fromTarget, 'target')?.text).toBe(`r1 on xen2 is Connected (disk Diskless, peer UpToDate): xen2's disk of r1 is Diskless, so there the domU would run on xen1's disk over the network: ${attach}`);
  });

  it('off a Diskless source to a peer not UpToDate: refused, saying the peer holds the only copy, with no wait', () => {
    expect(drbdNotReady('xen1', 'xen2', seenFrom('8.4', 'Failed', 'Outdated'), 'source')).toEqual({
      state: 'Connected',
      clearsUp: false,
      text: "r1 on xen1 is Connected (disk Failed, peer Outdated): xen1's disk is Failed, so xen2's holds the only copy and must be UpToDate to take the domU; it does not get there by itself: see `drbdadm status r1` on both",
    });
  });

  it('off a Diskless source whose link is down: the fix is the link, then the move, not a wait for UpToDate/UpToDate', () => {
    const then = 'migrate once xen2\'s disk is UpToDate and Connected (xen1\'s Diskless disk does not come back by itself: README, section "A failed disk under DRBD")';
    expect(drbdNotReady('xen1', 'xen2', seenFrom('8.4', 'Diskless', 'DUnknown', 'Connecting', null), 'source')).toEqual({
      state: 'WFConnection',
      clearsUp: false,
      text: `r1 on xen1 is WFConnection (disk Diskless, peer DUnknown): DRBD is trying to reach xen2: check the network between them and that xen2 is up and has r1 up (\`drbdadm status r1\` there), then ${then}`,
    });
    expect(drbdNotReady('xen1', 'xen2', seenFrom('9', 'Diskless', 'DUnknown', 'StandAlone', null), 'source')?.text).toBe(
      `r1 on xen1 is StandAlone (disk Diskless, peer xen2 DUnknown): reconnect it (\`drbdadm connect r1\` on both, resolving a split brain first) and ${then}`.replace('peer xen2', 'peer'),
    );
  });

  it("what the sim's drbdadm status prints for a detached disk reads as the way out (8.4 and 9)", () => {
    const read = (text: string) => {
      const r = parseDrbdStatus(text);
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return resourceViewFromStatus(r.value[0]!);
    };
    const v84 = read('r1 role:Primary\n  disk:Diskless\n  peer role:Secondary\n    replication:Established peer-disk:UpToDate\n\n');
    expect(drbdNotReady('xen1', 'xen2', v84, 'source')).toBeNull();
    const v9 = read('r1 role:Primary\n  disk:Diskless client:no\n  xen2 role:Secondary\n    peer-disk:UpToDate\n\n');
    expect(drbdNotReady('xen1', 'xen2', v9, 'source')).toBeNull();
  });

  it('the README section the texts send an operator to exists', () => {
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain(`\n### ${FAILED_DISK_SECTION}\n`);
  });
});
