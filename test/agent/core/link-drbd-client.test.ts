import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../../agent/adapters/drbd-view.js';
import { linkDrbdResource } from '../../../agent/core/host-state.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { LinkDrbdResourceSchema } from '../../../shared/protocol/agent-link-state.js';
import { readFixture } from '../../fixture.js';

// The controller tells a diskless tiebreaker from a disk DRBD detached only by what the agent
// reports of it: the report carries `client` for the first, and nothing new for any other peer.
describe('the agent link reports a diskless tiebreaker as a client', () => {
  it('from drbdadm status on a Dom0 of a three-node resource', () => {
    const parsed = parseDrbdStatus(readFixture('drbd/status/9-three-nodes-tiebreaker.txt').body);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const link = LinkDrbdResourceSchema.parse(linkDrbdResource(resourceViewFromStatus(parsed.value[0]!)));
    expect(link.peers).toEqual([
      { name: 'tb', role: 'Secondary', connection: 'Connected', disk: 'Diskless', replication: null, client: true },
      { name: 'xen2', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: null },
    ]);
  });
});
