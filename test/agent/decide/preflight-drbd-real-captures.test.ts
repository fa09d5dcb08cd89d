import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../../agent/adapters/drbd-view.js';
import { notReadyForLiveMigration } from '../../../agent/decide/preflight.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { readFixture } from '../../fixture.js';

// The live-migration rule on what the real DRBD 8.4.11 / drbd-utils 9.22 lab printed, verbatim:
// the pair in step passes; a peer down, a split brain and a resync are each refused for what they are.

const viewOf = (rel: string) => {
  const r = parseDrbdStatus(readFixture(`real-xen-4.17/${rel}.stdout`).body);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return resourceViewFromStatus(r.value[0]!);
};
const judged = (host: 'dom0a' | 'dom0b', state: string): string | null => notReadyForLiveMigration(host, host === 'dom0a' ? 'dom0b' : 'dom0a', viewOf(`${state}/${host}.drbdadm-status-r0`), 'source');

describe('a live migration judged on real drbdadm status output', () => {
  it('Connected, both Secondary, UpToDate/UpToDate: may go; with the guest running on the other side too', () => {
    expect(judged('dom0a', '06-connected-secondary')).toBeNull();
    expect(judged('dom0b', '09-guest-running-on-a')).toBeNull();
  });

  it('the peer down (status prints Connecting, cstate and /proc/drbd WFConnection): DRBD is trying, check dom0b and the network', () => {
    expect(judged('dom0a', '16-peer-down')).toMatch(/^r0 on dom0a is WFConnection \(disk UpToDate, peer DUnknown\): DRBD is trying to reach dom0b: check the network between them and that dom0b is up and has r0 up /);
    // the words the sentence names are the ones the operator's own 8.4 tools print
    expect(readFixture('real-xen-4.17/16-peer-down/dom0a.drbdadm-cstate-r0.stdout').body.trim()).toBe('WFConnection');
    expect(readFixture('real-xen-4.17/16-peer-down/dom0a.cat-proc-drbd.stdout').body).toContain('cs:WFConnection');
  });

  it('a split brain (StandAlone: status prints no peer): reconnect, resolving it first', () => {
    expect(judged('dom0a', '20-split-brain-standalone')).toMatch(/^r0 on dom0a is StandAlone \(disk UpToDate, peer DUnknown\): reconnect it \(`drbdadm connect r0` on both, resolving a split brain first\)/);
  });

  it('a resync on either side: not in step yet, with how far it is', () => {
    expect(judged('dom0a', '22-resync')).toMatch(/^r0 on dom0a is SyncSource \(disk \w+, peer Inconsistent\): its disks are not in step yet \(a resync or catch-up is under way, 3\.81% done\)/);
    expect(judged('dom0b', '22-resync')).toMatch(/^r0 on dom0b is SyncTarget \(disk Inconsistent, peer \w+\): its disks are not in step yet/);
  });
});
