import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../../agent/adapters/drbd-view.js';
import { linkDrbdResource } from '../../../agent/core/host-state.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { CAPABILITIES } from '../../../agent/core/state.js';
import { acceptsFor, LINK_FEATURE } from '../../../shared/protocol/agent-link.js';
import { LinkDrbdResourceSchema } from '../../../shared/protocol/agent-link-state.js';
import { readFixture } from '../../fixture.js';

// The controller tells a diskless tiebreaker from a disk DRBD detached only by what the agent
// reports of it: the report carries `client` for the first, and nothing new for any other peer,
// and only to a controller that accepts it: an older one's strict schema refuses the key.
const view = () => {
  const parsed = parseDrbdStatus(readFixture('drbd/status/9-three-nodes-tiebreaker.txt').body);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return resourceViewFromStatus(parsed.value[0]!);
};

describe('the agent link reports a diskless tiebreaker as a client', () => {
  it('from drbdadm status on a Dom0 of a three-node resource, to a controller that accepts drbd-client', () => {
    const link = LinkDrbdResourceSchema.parse(linkDrbdResource(view(), [LINK_FEATURE.unsettled, LINK_FEATURE.drbdClient]));
    expect(link.peers).toEqual([
      { name: 'tb', role: 'Secondary', connection: 'Connected', disk: 'Diskless', replication: null, client: true },
      { name: 'xen2', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: null },
    ]);
  });

  it('to a controller that did not accept it, the peer goes as before, without the key', () => {
    expect(linkDrbdResource(view(), [LINK_FEATURE.unsettled]).peers.map((p) => Object.keys(p).sort().join(','))).toEqual(['connection,disk,name,replication,role', 'connection,disk,name,replication,role']);
  });

  it('the agent announces it in its hello, and a controller of this release accepts it', () => {
    expect(CAPABILITIES).toContain(LINK_FEATURE.drbdClient);
    expect(acceptsFor(CAPABILITIES).accepts).toContain(LINK_FEATURE.drbdClient);
  });
});
