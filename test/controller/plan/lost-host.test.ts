import { describe, expect, it } from 'vitest';
import { lostHost, lostSourceWords } from '../../../controller/plan/lost-host.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import type { Move } from '../../../shared/protocol/ctl-jobs.js';
import { dom } from '../states.js';
import { factsOf, type FleetSpec } from './plan-fleet.js';

type Peer = LinkDrbdResource['peers'][number];
const peer = (name: string, over: Partial<Peer> = {}): Peer => ({ name, role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established', ...over });
const down = (name: string): Peer => peer(name, { role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null });

/** web1 on xen1 (its disk's other half on xen2); xen1's agent unheard unless REACHABLE; xen2's DRBD says LINK of xen1 */
function fleet(link: Peer | null, reachable = false): FleetSpec {
  return {
    hosts: {
      xen1: { reachable, drbd: [{ name: 'r-web1', role: 'Primary', disk: 'UpToDate', peers: [peer('xen2')] }] },
      xen2: { drbd: link === null ? [] : [{ name: 'r-web1', role: 'Secondary', disk: 'UpToDate', peers: [link] }] },
    },
    domus: [{ name: 'web1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 }],
  };
}

const move: Move = { name: 'web1', from: 'xen1', to: 'xen2', memMiB: 1024, vcpus: 1, why: 'evacuate' };
const nothing = { busy: false, rows: [] };

describe('a Dom0 taken as gone with its domUs (a drain of it ends at once, a move from it is not waited for)', () => {
  it('unheard, and its DRBD peer heard now reports the link to it down: gone, and a target holding nothing of the move says so', () => {
    const f = factsOf(fleet(down('xen1')));
    expect(lostHost(f, 'xen1')?.words).toMatch(/^xen1 is unheard since .* and xen2's DRBD lost its link to it too \(a power loss\? a cut network\?\)$/);
    expect(lostSourceWords(f, move, nothing)).toMatch(/^xen2 holds no copy of it and xen1 is unheard .*: it runs on no Dom0 heard from, and if xen1 is down, web1 is down with it; `xenherdctl where web1` .* `xenherd-agent autostart start --force web1 --reason TEXT` on xen2 starts it there$/);
  });

  it('the target holding a row of the domU, or busy with it, is waited for', () => {
    const f = factsOf(fleet(down('xen1')));
    expect(lostSourceWords(f, move, { busy: false, rows: [dom('web1--incoming')] })).toBeNull();
    expect(lostSourceWords(f, move, { busy: true, rows: [] })).toBeNull();
  });

  it('not gone: its DRBD link still up (its agent alone is silent), no DRBD peer reporting it, or its agent heard', () => {
    for (const f of [factsOf(fleet(peer('xen1'))), factsOf(fleet(null)), factsOf(fleet(down('xen1'), true))]) {
      expect(lostHost(f, 'xen1')).toBeNull();
      expect(lostSourceWords(f, move, nothing)).toBeNull();
    }
  });
});
