import { describe, expect, it } from 'vitest';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { fleetFor } from '../../../controller/fleet/fleet-for-agent.js';
import { FleetSchema, LINK_FEATURE } from '../../../shared/protocol/agent-link.js';
import { dom, hostState, record } from '../states.js';

// The target of a live migration runs no command of it, so the `fleet` view tells its agent which
// domUs this controller is moving there: an agent on a standby stays for them rather than going
// back to the primary mid-drain. Only an agent announcing incoming-moves hears it (an older one
// refuses a field it does not know).
const NOW = 10_000_000;
const moves = [
  { name: 'web2', from: 'xen1', to: 'xen2' },
  { name: 'web1', from: 'xen1', to: 'xen2' },
  { name: 'db1', from: 'xen2', to: 'xen1' },
  { name: 'mail1', from: 'xen1', to: null },
];

function index(xen2Caps: readonly string[]): FleetIndex {
  const ix = new FleetIndex();
  ix.put(record('xen1', hostState({ domains: [dom('web1'), dom('web2'), dom('mail1')] }), NOW - 1_000));
  ix.put({ ...record('xen2', hostState({ domains: [dom('db1')] }), NOW - 1_000), capabilities: xen2Caps });
  return ix;
}

describe('fleetFor: the moves under way toward the agent', () => {
  it('names the domUs moving to HOST, sorted, to an agent announcing incoming-moves', () => {
    const m = fleetFor(index(['fleet-view', LINK_FEATURE.incomingMoves]), 'xen2', { now: NOW, staleAfterMs: 15_000, moves });
    expect(m).toEqual({ type: 'fleet', at: NOW, runningOn: {}, incoming: ['web1', 'web2'] });
    expect(FleetSchema.parse(m)).toEqual(m);
  });

  it('says none, once the moves ended: the agent learns the end from the same field', () => {
    expect(fleetFor(index(['fleet-view', LINK_FEATURE.incomingMoves]), 'xen2', { now: NOW, staleAfterMs: 15_000 })).toMatchObject({ incoming: [] });
  });

  it('leaves the field out for an older agent', () => {
    const m = fleetFor(index(['fleet-view', LINK_FEATURE.fleetSilent]), 'xen2', { now: NOW, staleAfterMs: 15_000, moves });
    expect(Object.keys(m).sort()).toEqual(['at', 'runningOn', 'type']);
  });
});
